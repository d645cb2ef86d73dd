"""Repository round trips on SQLite and PostgreSQL: what is written is what is read, exactly."""

from __future__ import annotations

import threading
from datetime import UTC

import numpy as np
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.store import repository as repo
from app.store.db import session_factory
from app.store.orm import Face, FloatArray, Subject

BOX = [10.5, 20.25, 110.0, 140.75]
LANDMARKS = [[30.0, 50.0], [70.0, 50.0], [50.0, 70.0], [35.0, 90.0], [65.0, 90.0]]


def embedding(seed: int, dim: int = 128) -> FloatArray:
    return np.random.default_rng(seed).standard_normal(dim).astype(np.float32)


def enrol(session: Session, subject: Subject, seed: int, model: str = "sface") -> Face:
    (face_id,) = repo.add_faces(session, subject, model=model, model_version="2021dec", faces=[
        repo.NewFace(embedding(seed), 0.93, BOX, LANDMARKS, f"{seed:064x}")])
    return session.get_one(Face, face_id)


def test_get_or_create_then_get(session: Session) -> None:
    created, was_created = repo.get_or_create_subject(session, "staff", "e-1", "Ada", {"team": "ml"})
    again, was_created_again = repo.get_or_create_subject(session, "staff", "e-1", "Other name", {"x": 1})
    session.commit()

    assert (was_created, was_created_again) == (True, False)
    assert again.id == created.id
    found = repo.get_subject(session, "staff", "e-1")
    assert found is not None
    assert (found.id, found.name, found.metadata_) == (created.id, "Ada", {"team": "ml"})
    assert found.created_at.tzinfo == UTC
    assert found.updated_at >= found.created_at
    assert repo.get_subject(session, "visitors", "e-1") is None
    other, other_created = repo.get_or_create_subject(session, "visitors", "e-1")
    assert other_created
    assert other.id != created.id
    assert (other.gallery, other.name, other.metadata_) == ("visitors", None, {})


def test_get_or_create_race_creates_one_subject(engine: Engine) -> None:
    sessions = session_factory(engine)
    threads_count = 8
    start = threading.Barrier(threads_count)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def create() -> None:
        with sessions() as session:
            start.wait()
            try:
                subject, created = repo.get_or_create_subject(session, "default", "same-person", "Sam")
                session.commit()
                results.append((subject.id, created))
            except BaseException as exc:  # asserted on below, so a failure in a thread is not lost
                errors.append(exc)

    threads = [threading.Thread(target=create) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(results) == threads_count
    assert len({subject_id for subject_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Subject)) == 1


def test_list_subjects_pages_by_id(session: Session) -> None:
    ids = [repo.get_or_create_subject(session, "a", f"s{i}")[0].id for i in range(7)]
    repo.get_or_create_subject(session, "b", "elsewhere")
    session.commit()

    pages: list[list[int]] = []
    after: int | None = None
    while page := repo.list_subjects(session, "a", limit=3, after_id=after):
        pages.append([subject.id for subject in page])
        after = page[-1].id
    assert pages == [ids[0:3], ids[3:6], ids[6:7]]
    assert [s.external_id for s in repo.list_subjects(session, "b", limit=10)] == ["elsewhere"]
    assert repo.list_subjects(session, "nobody", limit=10) == []



def test_faces_round_trip(session: Session) -> None:
    subject, _ = repo.get_or_create_subject(session, "staff", "f-1")
    first = enrol(session, subject, seed=1)
    second = enrol(session, subject, seed=2, model="dlib")
    session.commit()
    session.expunge_all()  # read back from the database, not the identity map

    face = repo.get_face(session, first.id)
    assert face is not None
    assert len(face.id) == 36
    assert (face.subject_id, face.gallery, face.model, face.model_version) == (subject.id, "staff", "sface", "2021dec")
    assert (face.detection_score, face.box, face.landmarks) == (0.93, BOX, LANDMARKS)
    assert face.image_sha256 == f"{1:064x}"
    assert face.created_at.tzinfo == UTC
    np.testing.assert_array_equal(face.embedding, embedding(1))

    subject = repo.get_subject(session, "staff", "f-1")
    assert subject is not None
    assert [f.id for f in repo.list_faces(session, subject)] == [first.id, second.id]
    assert repo.get_face(session, "00000000-0000-0000-0000-000000000000") is None

    repo.delete_face(session, face)
    session.commit()
    assert repo.get_face(session, first.id) is None
    assert [f.id for f in repo.list_faces(session, subject)] == [second.id]


@pytest.mark.parametrize("dim", [128, 512])
def test_embedding_round_trip_is_exact_float32(session: Session, dim: int) -> None:
    tricky = np.array(
        [0.1, -1 / 3, np.pi, 1e-30, -3.4e38, np.finfo(np.float32).tiny, np.nextafter(np.float32(1), np.float32(2))],
        dtype=np.float32,
    )
    vector = np.concatenate([tricky, embedding(7, dim - len(tricky))])
    subject, _ = repo.get_or_create_subject(session, "default", "exact")
    (face_id,) = repo.add_faces(session, subject, model="m", model_version="1", faces=[
        repo.NewFace(vector, 1.0, BOX, LANDMARKS, "0" * 64)])
    session.commit()
    session.expunge_all()

    stored = repo.get_face(session, face_id)
    assert stored is not None
    assert stored.embedding.dtype == np.float32
    assert stored.embedding.shape == (dim,)
    assert stored.embedding.tobytes() == vector.tobytes()


def test_deleting_a_subject_deletes_its_faces(engine: Engine) -> None:
    sessions = session_factory(engine)
    with sessions() as session:
        leaving, _ = repo.get_or_create_subject(session, "default", "leaving")
        staying, _ = repo.get_or_create_subject(session, "default", "staying")
        leaving_faces = {enrol(session, leaving, seed).id for seed in (1, 2)}
        staying_face = enrol(session, staying, 3).id
        session.commit()

    # A fresh session, so the faces are not loaded: the database's ON DELETE CASCADE has to remove them.
    with sessions() as session:
        subject = repo.get_subject(session, "default", "leaving")
        assert subject is not None
        deleted = repo.delete_subject(session, subject)
        session.commit()
        assert set(deleted) == leaving_faces
        assert repo.get_subject(session, "default", "leaving") is None
        assert set(session.scalars(select(Face.id))) == {staying_face}
