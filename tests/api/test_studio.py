"""End to end on the studio set, through HTTP: enroll a gallery, identify probes and strangers, verify pairs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import DEFAULT_MODEL

GALLERY = "studio"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def studio(faces_dir: Path) -> Path:
    return faces_dir / "studio"


@pytest.fixture(scope="module")
def enrolled(client: TestClient, studio: Path) -> list[dict[str, str]]:
    """Every `gallery` and `gallery_distractor` image, enrolled under its identity."""
    rows = [r for r in _rows(studio / "identification.csv") if r["role"] in {"gallery", "gallery_distractor"}]
    for row in rows:
        data = (studio / "images" / row["path"]).read_bytes()
        response = client.post("/v1/enroll", data={"subject": row["identity"], "gallery": GALLERY},
                               files={"images": (Path(row["path"]).name, data, "image/jpeg")})
        assert response.status_code == 201, response.text
        assert response.json()["rejected"] == []
    return rows


def test_gallery_is_listed(client: TestClient, enrolled: list[dict[str, str]]) -> None:
    identities = {row["identity"] for row in enrolled}
    seen: set[str] = set()
    cursor = None
    while True:
        params = {"gallery": GALLERY, "limit": 40} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/subjects", params=params).json()
        seen |= {item["subject"] for item in page["items"]}
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == identities


def test_identify_probes_and_strangers(client: TestClient, studio: Path, enrolled: list[dict[str, str]]) -> None:
    rows = _rows(studio / "identification.csv")
    hits = known = rejected_strangers = strangers = 0
    for row in rows:
        if row["role"] not in {"probe", "unknown_probe"}:
            continue
        data = (studio / "images" / row["path"]).read_bytes()
        response = client.post("/v1/identify", data={"gallery": GALLERY},
                               files={"image": ("probe.jpg", data, "image/jpeg")})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["gallery_size"] == len(enrolled)
        (face,) = body["faces"]
        if row["role"] == "probe":
            known += 1
            hits += face["candidates"][0]["subject"] == row["identity"]
        else:
            strangers += 1
            rejected_strangers += face["match"] is None
    print(f"\nstudio identify: rank-1 {hits}/{known} = {hits / known:.2%}, "
          f"unknown rejected {rejected_strangers}/{strangers} = {rejected_strangers / strangers:.2%}")
    assert known >= 100
    assert strangers >= 20
    assert hits / known >= 0.99, f"rank-1 {hits}/{known}"
    assert rejected_strangers / strangers >= 0.90, f"unknown rejected {rejected_strangers}/{strangers}"


def test_verify_pairs(client: TestClient, studio: Path) -> None:
    pairs = _rows(studio / "pairs.csv")
    correct = 0
    for pair in pairs:
        files = {key: (pair[path], (studio / "images" / pair[path]).read_bytes(), "image/jpeg")
                 for key, path in (("image_a", "path1"), ("image_b", "path2"))}
        response = client.post("/v1/verify", files=files)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["match"] == (body["score"] >= body["threshold"])
        correct += body["match"] == (pair["label"] == "1")
    print(f"\nstudio verify: {correct}/{len(pairs)} = {correct / len(pairs):.2%} at the default threshold")
    assert len(pairs) >= 200
    assert correct / len(pairs) >= 0.98, f"accuracy {correct}/{len(pairs)}"


def test_verify_against_an_enrolled_subject(client: TestClient, studio: Path,
                                            enrolled: list[dict[str, str]]) -> None:
    probe = next(r for r in _rows(studio / "identification.csv") if r["role"] == "probe")
    data = (studio / "images" / probe["path"]).read_bytes()
    same = client.post("/v1/verify", data={"subject": probe["identity"], "gallery": GALLERY},
                       files={"image": ("p.jpg", data, "image/jpeg")}).json()
    other_identity = next(r["identity"] for r in enrolled if r["identity"] != probe["identity"])
    other = client.post("/v1/verify", data={"subject": other_identity, "gallery": GALLERY},
                        files={"image": ("p.jpg", data, "image/jpeg")}).json()
    assert same["match"] is True
    assert other["match"] is False
    assert same["score"] > other["score"]
    assert same["model"] == DEFAULT_MODEL
    assert same["operating_point"] == "fmr_1e-4"
    assert same["estimated_fmr"] <= 1e-6 < other["estimated_fmr"]  # the calibrated range ends at 1e-6
