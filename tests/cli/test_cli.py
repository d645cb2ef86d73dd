"""The `facegate` command line against a real server (`python -m app serve`, SQLite, the built models) and real
studio photos: enroll (refusals, resume), verify, identify, evaluate (DET, report, scratch gallery gone), keys,
export and import. One server for the module; each test uses galleries of its own.

The CLI runs in-process through typer's CliRunner, and as the installed console script in a subprocess once, to
show that `facegate` is what `pip install -e clients/cli` put on the PATH.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from math import comb
from pathlib import Path

import httpx
import numpy as np
import pytest
from facegate_cli.main import app
from PIL import Image
from typer.testing import CliRunner, Result

from tests.api.conftest import ADMIN, ADMIN_KEY
from tests.servers import sqlite_server

FACEGATE = Path(sys.executable).parent / "facegate"
PEOPLE = ["london_001", "london_002", "london_003", "london_004"]
NONFACE = "butterfly-142506_640.jpg"


@pytest.fixture(scope="module")
def server(models_dir: Path, faces_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a fresh server (faces_dir first, so a machine without photos skips before starting it)."""
    with sqlite_server(tmp_path_factory.mktemp("cli-server"), models_dir) as base:
        yield base


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("key") / "admin.key"
    path.write_text(ADMIN_KEY + "\n")
    return path


def studio(faces_dir: Path, person: str, index: int) -> Path:
    return faces_dir / "studio" / "images" / person / f"{person}_{index:04d}.jpg"


def with_two_photos(faces_dir: Path, count: int, after: str) -> list[str]:
    """The first `count` studio people (in name order, after `after`) with photos 1 and 2."""
    people = sorted(p.name for p in (faces_dir / "studio" / "images").iterdir()
                    if p.name > after and studio(faces_dir, p.name, 2).exists())
    assert len(people) >= count, people
    return people[:count]


def labelled_folder(root: Path, faces_dir: Path, people: list[str], indices: tuple[int, ...] = (1, 2)) -> Path:
    for person in people:
        (root / person).mkdir(parents=True)
        for index in indices:
            shutil.copy(studio(faces_dir, person, index), root / person)
    return root


def facegate(server: str, *args: str, key: str = ADMIN_KEY) -> Result:
    return CliRunner().invoke(app, ["--url", server, "--key", key, *args])


def get(server: str, path: str, **params: str) -> dict:
    response = httpx.get(f"{server}{path}", params=params, headers=ADMIN, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def galleries(server: str) -> dict[str, dict]:
    return {item["gallery"]: item for item in get(server, "/v1/galleries")["items"]}


@pytest.fixture(scope="module")
def enrolled(server: str, faces_dir: Path, key_file: Path, tmp_path_factory: pytest.TempPathFactory) \
        -> tuple[Path, subprocess.CompletedProcess[str]]:
    """4 people x 2 studio photos, and a landscape in the first person's folder, enrolled into `cli-enroll` by the
    console script in a subprocess."""
    folder = labelled_folder(tmp_path_factory.mktemp("enroll") / "people", faces_dir, PEOPLE)
    shutil.copy(faces_dir / "nonface" / "images" / NONFACE, folder / PEOPLE[0])
    assert FACEGATE.exists(), f"no console script at {FACEGATE}: run `.venv/bin/pip install -e clients/cli`"
    run = subprocess.run([str(FACEGATE), "--url", server, "--key-file", str(key_file), "enroll", str(folder),
                          "--gallery", "cli-enroll", "--concurrency", "4", "--json"],
                         capture_output=True, text=True, timeout=300)
    return folder, run


def test_enroll_lists_the_refused_photo_and_stores_the_rest(server: str, enrolled: tuple) -> None:
    folder, run = enrolled
    assert run.returncode == 1, run.stderr
    report = json.loads(run.stdout)
    assert len(report["enrolled"]) == 8
    assert report["skipped"] == []
    assert report["rejected_by_code"] == {"NO_FACE": 1}
    assert report["rejected"][0]["file"] == f"{PEOPLE[0]}/{NONFACE}"
    assert report["photos_per_second"] > 0
    print(f"enroll: {report['photos_per_second']} photos/s (9 photos, concurrency 4)")
    subjects = get(server, "/v1/subjects", gallery="cli-enroll")["items"]
    assert {s["subject"]: s["face_count"] for s in subjects} == dict.fromkeys(PEOPLE, 2)
    assert (folder / ".facegate-enroll.json").exists()


def test_enroll_again_skips_what_the_server_has_and_remembers_the_refusal(server: str, enrolled: tuple) -> None:
    folder, _ = enrolled
    again = facegate(server, "enroll", str(folder), "--gallery", "cli-enroll")
    assert again.exit_code == 1, again.output
    assert "skipped (already there)" in again.stdout
    assert "NO_FACE" in again.stdout
    assert NONFACE in again.stdout
    assert "earlier run" in again.stdout
    as_json = json.loads(facegate(server, "enroll", str(folder), "--gallery", "cli-enroll", "--json").stdout)
    assert (len(as_json["enrolled"]), len(as_json["skipped"]), as_json["rejected"][0]["known"]) == (0, 8, True)

    (folder / PEOPLE[0] / NONFACE).unlink()
    clean = facegate(server, "enroll", str(folder), "--gallery", "cli-enroll", "--json")
    assert clean.exit_code == 0, clean.output
    assert (len(json.loads(clean.stdout)["skipped"]), json.loads(clean.stdout)["rejected"]) == (8, [])
    assert {s["face_count"] for s in get(server, "/v1/subjects", gallery="cli-enroll")["items"]} == {2}


def test_low_quality_is_refused_with_its_figure(server: str, faces_dir: Path, tmp_path: Path) -> None:
    person = tmp_path / "people" / "small_one"
    person.mkdir(parents=True)
    image = Image.open(studio(faces_dir, "london_011", 1))
    image.resize((image.width // 6, image.height // 6)).save(person / "small.jpg")
    result = facegate(server, "enroll", str(tmp_path / "people"), "--gallery", "cli-quality", "--json")
    assert result.exit_code == 1, result.output
    (rejected,) = json.loads(result.stdout)["rejected"]
    assert rejected["code"] == "LOW_QUALITY"
    assert "interocular_px" in rejected["detail"]
    assert "FACE_TOO_SMALL" in rejected["detail"]


def test_verify_says_match_for_one_person_and_no_match_for_two(server: str, faces_dir: Path) -> None:
    same = facegate(server, "verify", str(studio(faces_dir, "london_005", 1)), str(studio(faces_dir, "london_005", 2)))
    assert same.exit_code == 0, same.output
    assert same.stdout.startswith("match: score")
    assert "operating point fmr_1e-4" in same.stdout
    assert "about 1 in 10,000 times" in same.stdout
    other = facegate(server, "verify", str(studio(faces_dir, "london_005", 1)), str(studio(faces_dir, "london_006", 1)),
                     "--operating-point", "fmr_1e-2", "--json")
    assert other.exit_code == 1, other.output
    assert json.loads(other.stdout)["match"] is False
    assert json.loads(other.stdout)["operating_point"] == "fmr_1e-2"


def test_verify_of_a_photo_without_a_face_is_an_error(server: str, faces_dir: Path) -> None:
    result = facegate(server, "verify", str(studio(faces_dir, "london_005", 1)),
                      str(faces_dir / "nonface" / "images" / NONFACE))
    assert result.exit_code == 2
    assert "NO_FACE" in result.stderr


def test_identify_finds_the_person_or_says_unknown(server: str, faces_dir: Path, tmp_path: Path) -> None:
    folder = labelled_folder(tmp_path / "people", faces_dir, PEOPLE, indices=(1,))
    assert facegate(server, "enroll", str(folder), "--gallery", "cli-identify").exit_code == 0
    found = facegate(server, "identify", str(studio(faces_dir, PEOPLE[2], 2)), "--gallery", "cli-identify")
    assert found.exit_code == 0, found.output
    assert "Face 1 at" in found.stdout
    assert f": {PEOPLE[2]} (score" in found.stdout
    as_json = json.loads(facegate(server, "identify", str(studio(faces_dir, PEOPLE[2], 2)), "--gallery",
                                  "cli-identify", "--top-k", "3", "--json").stdout)
    assert as_json["faces"][0]["match"]["subject"] == PEOPLE[2]
    assert len(as_json["faces"][0]["candidates"]) == 3
    stranger = facegate(server, "identify", str(studio(faces_dir, "london_020", 1)), "--gallery", "cli-identify")
    assert stranger.exit_code == 1, stranger.output
    assert "unknown" in stranger.stdout


def test_evaluate_measures_every_pair_and_deletes_its_gallery(server: str, faces_dir: Path, tmp_path: Path) -> None:
    people = with_two_photos(faces_dir, 9, after="london_030")
    folder = labelled_folder(tmp_path / "people", faces_dir, people)
    result = facegate(server, "evaluate", str(folder), "--out", str(tmp_path / "out"), "--target-fmr", "1e-2")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    photos = 2 * len(people)
    assert report["pairs"] == {"genuine": len(people), "impostor": comb(photos, 2) - len(people)}
    assert report["photos"]["used"] == photos
    assert report["photos"]["refused"] == []
    png = (tmp_path / "out" / "det.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert Image.open(tmp_path / "out" / "det.png").size[0] > 300
    assert report["verify_check"]["max_difference"] < 1e-3
    assert [entry["supported"] for entry in report["at_target_fmr"]] == [True, False, False, False]
    assert {point["name"] for point in report["operating_points"]} >= {"fmr_1e-3", "fmr_1e-4"}
    assert report["recommendation"]["target_fmr"] == 1e-2
    assert report["recommendation"]["threshold"] is not None
    assert report["scratch_gallery_deleted"] is True
    assert not [name for name in galleries(server) if name.startswith("_evaluate-")]
    assert "Thresholds for target rates" in result.stdout
    assert "too few pairs" in result.stdout
    for point in report["operating_points"]:
        print(f"evaluate ({photos} studio photos): {point['name']} threshold {point['threshold']:.4f}, calibrated "
              f"FMR {point['calibrated_fmr']:.0e}, measured FMR {point['measured']['false_matches']}/"
              f"{point['measured']['impostor_pairs']}, FNMR {point['measured']['false_non_matches']}/"
              f"{point['measured']['genuine_pairs']}")


def test_evaluate_without_an_admin_key_says_so_before_enrolling(server: str, faces_dir: Path,
                                                                 tmp_path: Path) -> None:
    created = facegate(server, "keys", "create", "cli-no-admin", "--scope", "enroll", "--scope", "subjects:write")
    secret = created.stdout.strip()
    folder = labelled_folder(tmp_path / "people", faces_dir, PEOPLE[:2])
    result = facegate(server, "evaluate", str(folder), "--out", str(tmp_path / "out"), key=secret)
    assert result.exit_code == 2
    assert "FORBIDDEN" in result.stderr
    assert "admin key" in result.stderr
    assert not [name for name in galleries(server) if name.startswith("_evaluate-")]


def test_stored_embeddings_score_as_verify_does(server: str, faces_dir: Path, enrolled: tuple,
                                                tmp_path: Path) -> None:
    """The premise of `evaluate`: the cosine of two exported embeddings is the /v1/verify score of the photos."""
    assert facegate(server, "export", "cli-enroll", "-o", str(tmp_path / "g.jsonl")).exit_code == 0
    lines = [json.loads(line) for line in (tmp_path / "g.jsonl").read_text().splitlines()]
    faces = next(line for line in lines[1:] if line["subject"] == PEOPLE[1])["faces"]
    by_digest = {face["image_sha256"]: np.frombuffer(base64.b64decode(face["embedding"]), "<f4") for face in faces}
    photos = [studio(faces_dir, PEOPLE[1], index) for index in (1, 2)]
    a, b = (by_digest[hashlib.sha256(path.read_bytes()).hexdigest()] for path in photos)
    answer = httpx.post(f"{server}/v1/verify", headers=ADMIN, timeout=60,
                        files={"image_a": photos[0].read_bytes(), "image_b": photos[1].read_bytes()}).json()
    assert abs(float(np.dot(a, b)) - answer["score"]) < 1e-3


def test_keys_create_list_revoke(server: str) -> None:
    created = facegate(server, "keys", "create", "cli-door", "--scope", "identify", "--gallery", "cli-identify",
                       "--expires", "2031-01-01T00:00+00:00")
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    assert secret.startswith("fg_")
    assert "\n" not in secret
    assert "shown this once" in created.stderr
    assert httpx.get(f"{server}/v1/models", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    listed = json.loads(facegate(server, "keys", "list", "--json").stdout)
    (key,) = [item for item in listed if item["name"] == "cli-door"]
    assert key["scopes"] == ["identify"]
    assert key["galleries"] == ["cli-identify"]
    assert "secret" not in key
    assert key["id"] in facegate(server, "keys", "list").stdout
    denied = facegate(server, "keys", "list", key=secret)
    assert denied.exit_code == 2
    assert "FORBIDDEN" in denied.stderr
    revoked = facegate(server, "keys", "revoke", key["id"])
    assert revoked.exit_code == 0
    assert f"revoked key {key['id']}" in revoked.stdout
    assert httpx.get(f"{server}/v1/models", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert key["id"] not in [item["id"] for item in json.loads(facegate(server, "keys", "list", "--json").stdout)]
    every = json.loads(facegate(server, "keys", "list", "--all", "--json").stdout)
    assert next(item for item in every if item["id"] == key["id"])["revoked_at"]


def test_export_then_import_into_another_gallery(server: str, enrolled: tuple, tmp_path: Path) -> None:
    exported = facegate(server, "export", "cli-enroll", "-o", str(tmp_path / "g.jsonl"))
    assert exported.exit_code == 0, exported.output
    assert "exported 4 subjects (8 faces)" in exported.stderr
    assert not (tmp_path / "g.jsonl.part").exists()
    imported = facegate(server, "import", str(tmp_path / "g.jsonl"), "--gallery", "cli-copy", "--json")
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout)["subjects_imported"] == 4
    assert galleries(server)["cli-copy"]["subject_count"] == galleries(server)["cli-enroll"]["subject_count"] == 4
    again = facegate(server, "import", str(tmp_path / "g.jsonl"), "--gallery", "cli-copy")
    assert "imported 0 subjects" in again.stdout
    assert "skipped 4" in again.stdout
    assert facegate(server, "export", "no-such-gallery").exit_code == 2


def test_subjects_list_and_delete(server: str, faces_dir: Path, tmp_path: Path) -> None:
    folder = labelled_folder(tmp_path / "people", faces_dir, PEOPLE[:2])
    assert facegate(server, "enroll", str(folder), "--gallery", "cli-subjects").exit_code == 0
    listed = json.loads(facegate(server, "subjects", "list", "--gallery", "cli-subjects", "--json").stdout)
    assert {s["subject"]: s["face_count"] for s in listed} == dict.fromkeys(PEOPLE[:2], 2)
    deleted = facegate(server, "subjects", "delete", PEOPLE[0], "--gallery", "cli-subjects", "--yes")
    assert deleted.exit_code == 0, deleted.output
    assert f"erased {PEOPLE[0]} from cli-subjects: 2 faces" in deleted.stdout
    assert galleries(server)["cli-subjects"]["subject_count"] == 1


def test_errors_are_one_line_and_exit_2(server: str, tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(b"x")
    no_key = CliRunner().invoke(app, ["--url", server, "verify", str(tmp_path / "a.jpg"), str(tmp_path / "a.jpg")],
                                env={"FACEGATE_KEY": "", "FACEGATE_KEY_FILE": ""})
    assert no_key.exit_code == 2
    assert "no API key" in no_key.stderr
    wrong = facegate(server, "keys", "list", key="not-a-key")
    assert wrong.exit_code == 2
    assert "UNAUTHENTICATED" in wrong.stderr
    unreachable = CliRunner().invoke(app, ["--url", "http://127.0.0.1:9", "--key", "k", "keys", "list"])
    assert unreachable.exit_code == 2
    assert "cannot reach the server" in unreachable.stderr
    assert "Traceback" not in unreachable.output
