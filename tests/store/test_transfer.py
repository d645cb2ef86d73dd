"""Bulk import at the store: a subject another writer creates while an import runs is kept as that writer made
it, and the import skips it instead of failing on the unique (gallery, external id)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Engine, func, select

from app.store import transfer
from app.store.db import begin_write, session_factory
from app.store.orm import Face, Subject
from tests.store.test_repository import embedding

MODEL, VERSION = "fusion", "v1"


def _stored(name: str, faces: int) -> transfer.StoredSubject:
    return transfer.StoredSubject(name, None, {}, [
        transfer.StoredFace(f"x{i}", embedding(i), 0.9, [0.0, 0.0, 10.0, 10.0], [[1.0, 1.0]] * 5, "0" * 64,
                            datetime.now(UTC)) for i in range(faces)])


def test_a_subject_created_meanwhile_is_skipped_not_failed_on(engine: Engine) -> None:
    sessions = session_factory(engine)
    with sessions() as rival:  # another writer holds a new "bob", not yet committed
        begin_write(rival)
        rival.add(Subject(gallery="g", external_id="bob"))
        rival.flush()
        outcome: dict[str, object] = {}

        def run_import() -> None:
            try:
                with sessions() as session:
                    begin_write(session)  # SQLite: waits here for the rival's write lock
                    present = transfer.existing_subjects(session, "g", ["ann", "bob"])
                    fresh = [s for s in (_stored("ann", 2), _stored("bob", 3), _stored("ann", 4))
                             if s.subject not in present]  # ann twice: the first one counts
                    outcome["added"] = transfer.add_subjects(session, "g", MODEL, VERSION, fresh)
                    session.commit()
            except Exception as exc:  # the assertion below names it
                outcome["error"] = exc

        importer = threading.Thread(target=run_import)
        importer.start()
        importer.join(1.0)  # PostgreSQL: the import has looked (no bob yet) and waits on the rival's row
        rival.commit()
    importer.join(30)
    assert "error" not in outcome, outcome.get("error")
    added = outcome["added"]
    assert isinstance(added, transfer.Added)
    assert set(added.ids) == {"ann"}
    assert added.faces == 2
    with sessions() as session:
        bob = session.scalar(select(Subject).where(Subject.external_id == "bob"))
        assert bob is not None
        faces = dict(session.execute(select(Face.subject_id, func.count()).group_by(Face.subject_id)).all())
        assert faces == {added.ids["ann"]: 2}  # bob stays as its writer left it: no faces from the import
        stored = sorted(session.scalars(select(Face.embedding).where(Face.subject_id == added.ids["ann"])),
                        key=lambda vector: float(vector[0]))
        assert np.array_equal(np.stack(stored), np.stack(sorted([embedding(0), embedding(1)],
                                                                key=lambda vector: float(vector[0]))))
