"""Export and import of a gallery's faces: a round trip keeps every subject, face and template; the command line
streams the same format; another pipeline version, or a file that is not an export, is refused."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from app.config import DEFAULT_MODEL, Settings
from app.store.db import create_engine, session_factory
from app.store.migrate import upgrade
from tests.api.conftest import assert_problem, studio_photo
from tests.templates_check import assert_templates_match_faces

ROOT = Path(__file__).resolve().parents[2]


def _lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line]


def _fill(client: TestClient, faces_dir: Path) -> None:
    for subject, identity, images in (("ann", "london_003", [1, 2]), ("ben", "london_010", [1]),
                                      ("cat", "london_020", [1])):
        files = [("images", ("p.jpg", studio_photo(faces_dir, identity, i), "image/jpeg")) for i in images]
        response = client.post("/v1/enroll", data={"subject": subject, "gallery": "src", "name": subject.title(),
                                                   "metadata": '{"team": "x"}'}, files=files)
        assert response.status_code == 201, response.text


def test_export_then_import_keeps_everything(client: TestClient, faces_dir: Path, app_settings: Settings) -> None:
    _fill(client, faces_dir)
    exported = client.get("/v1/galleries/src/export")
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"].startswith("application/x-ndjson")
    header, *subjects = _lines(exported.text)
    assert (header["format"], header["gallery"], header["model"], header["dim"]) == (
        "facegate-faces/1", "src", DEFAULT_MODEL, 256)
    assert [(s["subject"], s["name"], s["metadata"], len(s["faces"])) for s in subjects] == [
        ("ann", "Ann", {"team": "x"}, 2), ("ben", "Ben", {"team": "x"}, 1), ("cat", "Cat", {"team": "x"}, 1)]
    vector = np.frombuffer(base64.b64decode(subjects[0]["faces"][0]["embedding"]), "<f4")
    assert vector.shape == (256,)
    assert abs(float(np.linalg.norm(vector)) - 1) < 1e-5

    imported = client.post("/v1/galleries/dst/import", content=exported.content)
    assert imported.status_code == 200, imported.text
    assert {k: imported.json()[k] for k in ("subjects_imported", "subjects_skipped", "faces_imported")} == {
        "subjects_imported": 3, "subjects_skipped": 0, "faces_imported": 4}
    probe = ("p.jpg", studio_photo(faces_dir, "london_003", 2), "image/jpeg")
    src = client.post("/v1/identify", data={"gallery": "src"}, files={"image": probe}).json()
    dst = client.post("/v1/identify", data={"gallery": "dst"}, files={"image": probe}).json()
    assert dst["faces"][0]["match"]["subject"] == "ann"
    assert dst["faces"][0]["candidates"][0]["score"] == src["faces"][0]["candidates"][0]["score"]
    again = client.post("/v1/galleries/dst/import", content=exported.content).json()
    assert (again["subjects_imported"], again["subjects_skipped"]) == (0, 3)
    trail = client.get("/v1/audit", params={"gallery": "dst", "operation": "gallery.import"}).json()["items"]
    assert [e["details"]["subjects"] for e in trail] == [0, 3]  # newest first: the second import added nobody
    engine = create_engine(app_settings.database_url)
    try:
        with session_factory(engine)() as session:
            assert assert_templates_match_faces(session) >= 6
    finally:
        engine.dispose()

    other_version = exported.text.replace(header["model_version"], "fusion-0000000000000000", 1)
    assert_problem(client.post("/v1/galleries/elsewhere/import", content=other_version), 409, "MODEL_MISMATCH")
    broken = exported.text.splitlines()
    broken[2] = broken[2].replace('"faces": [', '"faces": [{"embedding": "AAAA"}, ', 1)
    problem = assert_problem(client.post("/v1/galleries/broken/import", content="\n".join(broken)), 422,
                             "INVALID_IMPORT")
    assert problem["detail"].startswith("line 3:")
    assert_problem(client.post("/v1/galleries/broken/import", content=b"{}"), 422, "INVALID_IMPORT")
    assert_problem(client.get("/v1/galleries/nowhere/export"), 404, "GALLERY_NOT_FOUND")


def test_the_command_line_moves_a_gallery_between_databases(tmp_path: Path, client: TestClient,
                                                            faces_dir: Path, app_settings: Settings) -> None:
    if client.get("/v1/galleries").json()["items"] == []:
        _fill(client, faces_dir)
    target = f"sqlite:///{tmp_path / 'target.db'}"
    upgrade(target)
    base = {**os.environ, "FACEGATE_DATA_DIR": str(tmp_path), "FACEGATE_RUNTIME__MODELS_DIR":
            str(app_settings.runtime.models_dir)}

    def run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, capture_output=True, text=True,
                              env={**base, "FACEGATE_DATABASE_URL": url}, timeout=300, check=False)

    exported = run(app_settings.database_url, "export", "src", "-o", str(tmp_path / "src.ndjson"))
    assert exported.returncode == 0, exported.stderr
    imported = run(target, "import", str(tmp_path / "src.ndjson"), "--gallery", "moved")
    assert imported.returncode == 0, imported.stderr
    result = json.loads(imported.stdout.strip().splitlines()[-1])
    assert (result["subjects_imported"], result["faces_imported"]) == (3, 4)
    missing = run(target, "export", "nowhere")
    assert missing.returncode == 1
    assert "GALLERY_NOT_FOUND" in missing.stderr
