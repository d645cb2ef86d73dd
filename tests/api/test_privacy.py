"""The audit trail, erasure with receipts, encryption of embeddings at rest, and what /metrics shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from app.config import DEFAULT_MODEL, Settings
from app.errors import SealingError
from app.main import create_app
from app.services.audit import COMMAND_LINE
from app.store.db import create_engine
from app.store.migrate import upgrade
from app.store.orm import AuditEntry, Face, Subject
from tests.api.conftest import ADMIN, ADMIN_KEY, assert_problem

KEY_B64 = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="  # 32 bytes, base64


def _enroll(client: TestClient, portrait: bytes, subject: str, gallery: str) -> dict:
    response = client.post("/v1/enroll", data={"subject": subject, "gallery": gallery},
                           files=[("images", ("a.jpg", portrait, "image/jpeg")), ("images", ("b.jpg", portrait))])
    assert response.status_code == 201, response.text
    return response.json()


def _audit(client: TestClient, **filters: str) -> list[dict]:
    response = client.get("/v1/audit", params=filters)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_biometric_operations_are_audited_without_biometric_data(client: TestClient, portrait: bytes) -> None:
    enrolled = _enroll(client, portrait, "erin", "audited")
    face_ids = [face["face_id"] for face in enrolled["faces"]]
    client.post("/v1/identify", data={"gallery": "audited"}, files={"image": ("p.jpg", portrait)},
                headers={**ADMIN, "X-Request-ID": "req-identify-1"})
    client.post("/v1/verify", data={"gallery": "audited", "subject": "erin"}, files={"image": ("p.jpg", portrait)})
    no_face = client.post("/v1/identify", data={"gallery": "audited"}, files={"image": ("x.txt", b"no" * 50)})
    assert no_face.status_code == 415

    (entry,) = _audit(client, operation="enroll", subject="erin")
    assert (entry["key_id"], entry["gallery"], entry["face_ids"], entry["outcome"]) == (
        "env-admin", "audited", face_ids, "ok")
    (identified,) = _audit(client, operation="identify", gallery="audited", outcome="ok")
    assert identified["request_id"] == "req-identify-1"
    assert identified["details"]["matched"] == ["erin"]
    assert _audit(client, operation="verify", subject="erin")[0]["details"]["match"] is True
    assert _audit(client, operation="identify", outcome="UNSUPPORTED_MEDIA_TYPE")[0]["gallery"] == "audited"
    # Never an image or an embedding: every field is a short scalar or id.
    for item in _audit(client, gallery="audited"):
        assert len(str(item)) < 1000


def test_audit_pages_newest_first(client: TestClient, portrait: bytes) -> None:
    for index in range(5):
        _enroll(client, portrait, f"paged-{index}", "paged")
    seen, cursor = [], None
    while True:
        params = {"gallery": "paged", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/audit", params=params)
        seen += [item["subject"] for item in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"paged-{index}" for index in reversed(range(5))]
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert client.get("/v1/audit", params={"since": later}).json()["items"] == []
    assert_problem(client.get("/v1/audit", params={"cursor": "x1"}), 422, "VALIDATION_ERROR")


def test_erasing_a_subject_removes_everything_and_answers_with_a_receipt(
        client: TestClient, portrait: bytes, app_settings: Settings) -> None:
    enrolled = _enroll(client, portrait, "frank", "erase")
    _enroll(client, portrait, "stays", "erase")
    receipt = client.delete("/v1/subjects/frank", params={"gallery": "erase"})
    assert receipt.status_code == 200, receipt.text
    body = receipt.json()
    assert body["subjects"] == ["frank"]
    assert sorted(body["face_ids"]) == sorted(face["face_id"] for face in enrolled["faces"])
    (entry,) = _audit(client, operation="subject.delete", subject="frank")
    assert entry["id"] == body["audit_id"]
    assert sorted(entry["face_ids"]) == sorted(body["face_ids"])
    assert receipt.headers["Cache-Control"] == "no-store"
    engine = create_engine(app_settings.database_url)
    try:
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(Face).where(
                Face.id.in_(body["face_ids"]))) == 0
            assert connection.scalar(select(func.count()).select_from(Subject).where(
                Subject.external_id == "frank")) == 0
    finally:
        engine.dispose()
    found = client.post("/v1/identify", data={"gallery": "erase"}, files={"image": ("p.jpg", portrait)}).json()
    assert {c["subject"] for c in found["faces"][0]["candidates"]} == {"stays"}


def test_deleting_a_gallery_removes_it_whole(client: TestClient, portrait: bytes) -> None:
    _enroll(client, portrait, "g1", "doomed")
    _enroll(client, portrait, "g2", "doomed")
    deletion = client.delete("/v1/galleries/doomed")
    assert deletion.status_code == 200, deletion.text
    assert {k: deletion.json()[k] for k in ("gallery", "subject_count", "face_count")} == {
        "gallery": "doomed", "subject_count": 2, "face_count": 4}
    assert "doomed" not in {g["gallery"] for g in client.get("/v1/galleries").json()["items"]}
    assert_problem(client.get("/v1/subjects", params={"gallery": "doomed"}), 404, "GALLERY_NOT_FOUND")
    assert_problem(client.delete("/v1/galleries/doomed"), 404, "GALLERY_NOT_FOUND")


def test_audit_retention_prunes_old_entries(client: TestClient, app_settings: Settings) -> None:
    services = client.app.state.services
    entry = services.audit.record_now(COMMAND_LINE, "key.create", details={"note": "old"})
    engine = create_engine(app_settings.database_url)
    try:
        with engine.begin() as connection:
            connection.execute(update(AuditEntry).where(AuditEntry.id == entry.id).values(
                at=datetime.now(UTC) - timedelta(days=app_settings.privacy.audit_retention_days + 1)))
    finally:
        engine.dispose()
    assert services.audit.prune() >= 1
    assert entry.id not in {item["id"] for item in _audit(client, operation="key.create", limit="1000")}


@pytest.fixture
def sealed_settings(tmp_path: Path, models_dir: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'sealed.db'}"
    upgrade(url)
    return Settings(database_url=url, runtime={"models_dir": models_dir}, data_dir=tmp_path, admin_key=ADMIN_KEY,
                    privacy={"embedding_key": KEY_B64})


def test_embeddings_can_be_encrypted_at_rest(sealed_settings: Settings, portrait: bytes) -> None:
    with TestClient(create_app(sealed_settings), headers=ADMIN) as sealed:
        _enroll(sealed, portrait, "gina", "sealed")
    engine = create_engine(sealed_settings.database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(Face.embedding, Face.embedding_sealed)).all()
    finally:
        engine.dispose()
    # No vector in clear; each sealed one is version + nonce + 256 float32 (the fusion vector) + GCM tag.
    assert [(clear, len(blob)) for clear, blob in rows] == [(None, 1 + 12 + 256 * 4 + 16)] * 2
    # A new process opens them again: the index is rebuilt from sealed vectors, verify reads them too.
    with TestClient(create_app(sealed_settings), headers=ADMIN) as reopened:
        found = reopened.post("/v1/identify", data={"gallery": "sealed"}, files={"image": ("p.jpg", portrait)})
        assert found.json()["faces"][0]["match"]["subject"] == "gina"
        verified = reopened.post("/v1/verify", data={"gallery": "sealed", "subject": "gina"},
                                 files={"image": ("p.jpg", portrait)})
        assert verified.json()["match"] is True
        assert verified.json()["score"] > 0.9
    wrong = Settings(**{**sealed_settings.model_dump(), "admin_key": ADMIN_KEY,
                        "privacy": {"embedding_key": "ZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmY="}})
    with pytest.raises(SealingError, match="does not open"), TestClient(create_app(wrong)):
        pass


@pytest.mark.parametrize("mode", ["key", "public", "off"])
def test_metrics_exposure_is_a_setting(tmp_path: Path, models_dir: Path, portrait: bytes, mode: str) -> None:
    url = f"sqlite:///{tmp_path / 'metrics.db'}"
    upgrade(url)
    settings = Settings(database_url=url, runtime={"models_dir": models_dir}, data_dir=tmp_path,
                        admin_key=ADMIN_KEY, http={"metrics": mode})
    with TestClient(create_app(settings)) as app_client:
        app_client.post("/v1/enroll", headers=ADMIN, data={"subject": "hal", "gallery": "tenant-secret-name"},
                        files={"images": ("p.jpg", portrait)})
        anonymous = app_client.get("/metrics")
        keyed = app_client.get("/metrics", headers=ADMIN)
    if mode == "key":
        assert_problem(anonymous, 401, "UNAUTHENTICATED")
        assert keyed.status_code == 200
        assert 'gallery="tenant-secret-name"' in keyed.text
    elif mode == "public":
        assert anonymous.status_code == 200
        assert "tenant-secret-name" not in anonymous.text
        assert f'facegate_model_faces{{model="{DEFAULT_MODEL}"}} 1.0' in anonymous.text
    else:
        assert_problem(anonymous, 404, "NOT_FOUND")
        assert_problem(keyed, 404, "NOT_FOUND")
