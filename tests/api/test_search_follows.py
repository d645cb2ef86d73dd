"""The in-process index follows the database's change log: writes made behind this process's back are seen by
its next search, and a change it cannot apply takes it out of rotation instead of leaving it answering stale."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update

from app.config import DEFAULT_MODEL, Settings
from app.main import create_app
from app.services.search import InProcessSearch
from app.store import changes
from app.store.db import create_engine, session_factory
from app.store.migrate import upgrade
from app.store.orm import Change, Face, Subject, Template, TemplateCount
from tests.api.conftest import ADMIN, ADMIN_KEY, assert_problem


def test_a_change_committed_elsewhere_is_seen_by_the_next_search(client: TestClient, portrait: bytes,
                                                                 app_settings: Settings) -> None:
    assert client.post("/v1/enroll", data={"subject": "elsewhere", "gallery": "follow"},
                       files={"images": ("p.jpg", portrait)}).status_code == 201
    # Another process deletes the subject: rows and change, straight in the database.
    engine = create_engine(app_settings.database_url)
    try:
        with session_factory(engine).begin() as session:
            subject = session.scalars(select(Subject).where(Subject.external_id == "elsewhere")).one()
            keys = [(t.subject_id, t.gallery, t.model, t.model_version)
                    for t in session.scalars(select(Template).where(Template.subject_id == subject.id))]
            session.delete(subject)
            session.flush()
            changes.template_changed(session, keys)
        assert_problem(client.post("/v1/identify", data={"gallery": "follow"},
                                   files={"image": ("p.jpg", portrait)}), 404, "GALLERY_NOT_FOUND")
    finally:
        engine.dispose()


def test_a_change_that_cannot_be_applied_makes_the_process_not_ready(tmp_path: Path, models_dir: Path,
                                                                     portrait: bytes) -> None:
    """In memory mode only: the database backend keeps no index that could fall out of step."""
    url = f"sqlite:///{tmp_path / 'follow.db'}"
    upgrade(url)
    settings = Settings(database_url=url, runtime={"models_dir": models_dir}, data_dir=tmp_path,
                        admin_key=ADMIN_KEY, search={"backend": "memory"})
    with TestClient(create_app(settings), headers=ADMIN) as client:
        assert isinstance(client.app.state.services.search, InProcessSearch)
        _break_and_repair(client, portrait, url)


def _break_and_repair(client: TestClient, portrait: bytes, database_url: str) -> None:
    assert client.post("/v1/enroll", data={"subject": "good", "gallery": "broken"},
                       files={"images": ("p.jpg", portrait)}).status_code == 201
    assert client.get("/readyz").status_code == 200
    engine = create_engine(database_url)
    try:
        with session_factory(engine).begin() as session:
            good = session.scalars(select(Template).join(Subject).where(Subject.external_id == "good")).one()
            odd = Subject(gallery="broken", external_id="odd", metadata_={})
            session.add(odd)
            session.flush()
            # A vector of another size under the same pipeline version: the index cannot hold it.
            session.add(Template(subject_id=odd.id, gallery="broken", model=good.model,
                                 model_version=good.model_version, face_count=1, norm=1.0,
                                 centroid=np.ones(7, np.float32) / np.sqrt(7)))
            session.flush()
            changes.template_changed(session, [(odd.id, "broken", good.model, good.model_version)])
        assert_problem(client.get("/readyz"), 503, "NOT_READY")
        assert_problem(client.post("/v1/identify", data={"gallery": "broken"},
                                   files={"image": ("p.jpg", portrait)}), 503, "NOT_READY")
        with session_factory(engine).begin() as session:  # repaired: the next check catches up by itself
            session.delete(session.scalars(select(Subject).where(Subject.external_id == "odd")).one())
            session.flush()
            changes.template_changed(session, [(odd.id, "broken", good.model, good.model_version)])
    finally:
        engine.dispose()
    assert client.get("/readyz").status_code == 200


@pytest.mark.parametrize("before", ["templates", "version names"])
def test_faces_stored_before_templates_existed_get_them_at_start(tmp_path: Path, models_dir: Path,
                                                                  portrait: bytes, before: str) -> None:
    """Start-up puts in order data from before migration 0003 (faces under an old version name, no templates,
    no change log), and data from before a version was renamed (faces, templates and counts under the old
    name, with a change log)."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url)
    settings = Settings(database_url=url, runtime={"models_dir": models_dir}, data_dir=tmp_path,
                        admin_key=ADMIN_KEY)
    with TestClient(create_app(settings), headers=ADMIN) as client:
        assert client.post("/v1/enroll", data={"subject": "old", "gallery": "legacy"},
                           files={"images": ("p.jpg", portrait)}).status_code == 201
        legacy = client.app.state.services.pipeline.pipeline(DEFAULT_MODEL).legacy_version
    engine = create_engine(url)
    try:
        with session_factory(engine).begin() as session:
            session.execute(update(Face).values(model_version=legacy))
            if before == "templates":  # how 0002 left it
                for table in (Template, TemplateCount, Change):
                    session.execute(delete(table))
            else:
                for table in (Template, TemplateCount):
                    session.execute(update(table).values(model_version=legacy))
    finally:
        engine.dispose()
    with TestClient(create_app(settings), headers=ADMIN) as client:
        found = client.post("/v1/identify", data={"gallery": "legacy"}, files={"image": ("p.jpg", portrait)})
        assert found.json()["faces"][0]["match"]["subject"] == "old"
        assert client.post("/v1/verify", data={"gallery": "legacy", "subject": "old"},
                           files={"image": ("p.jpg", portrait)}).json()["match"] is True
