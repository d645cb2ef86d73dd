"""Queries on subjects and faces. Plain functions over a caller's `Session`.

The caller (a service) owns the transaction: nothing here commits. Functions flush where the caller needs
database-generated values (ids, timestamps) straight away. Absence is `None`, not an exception: whether a
missing subject is an error is the service's decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import delete as sa_delete
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.errors import SealingError
from app.store.db import upsert
from app.store.orm import Face, FloatArray, Subject, new_face_id
from app.store.sealing import Sealer

# Tries of insert-or-read in get_or_create_subject before giving up (see there).
CREATE_ATTEMPTS = 3


def get_subject(session: Session, gallery: str, external_id: str, *, lock: bool = False) -> Subject | None:
    """The subject, or None; with `lock`, its row is held until commit (PostgreSQL; SQLite writers take the
    database's lock with `begin_write`), so a concurrent delete waits for this transaction or wins before it."""
    query = select(Subject).where(Subject.gallery == gallery, Subject.external_id == external_id)
    return session.scalars(query.with_for_update() if lock else query).one_or_none()


def lock_subject(session: Session, subject_id: int) -> bool:
    """Hold the subject's row until commit (PostgreSQL; SQLite leaves FOR UPDATE out); False when it is gone."""
    return session.scalar(select(Subject.id).where(Subject.id == subject_id).with_for_update()) is not None


def get_or_create_subject(
    session: Session,
    gallery: str,
    external_id: str,
    name: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> tuple[Subject, bool]:
    """The subject, created if it did not exist; the flag says whether this call created it.

    Two requests enrolling the same new subject at once must not both fail or create two rows, so the insert
    skips a conflicting row (ON CONFLICT DO NOTHING) instead of raising, and the row is then read back. An
    existing subject's name and metadata are left as they are. The row is locked either way (an existing one as
    it is read, a new one by its insert), so it cannot be deleted under the faces about to be added to it.
    """
    statement = (
        upsert(session, Subject)
        .values(gallery=gallery, external_id=external_id, name=name, metadata_=metadata or {})
        .on_conflict_do_nothing(index_elements=[Subject.gallery, Subject.external_id])
        .returning(Subject)
    )
    # A second attempt only happens if the row that blocked the insert was deleted before it could be read.
    for _attempt in range(CREATE_ATTEMPTS):
        existing = get_subject(session, gallery, external_id, lock=True)
        if existing is not None:
            return existing, False
        created = session.scalars(statement).one_or_none()  # the new row itself: no second read
        if created is not None:
            return created, True
    raise RuntimeError(f"subject {gallery}/{external_id} was deleted each time it was about to be read")


def list_subjects(session: Session, gallery: str, limit: int, after_id: int | None = None) -> list[Subject]:
    """One page of a gallery's subjects in id order, starting after `after_id` (keyset pagination: pages stay
    correct while subjects are added or deleted, and a page costs the same however deep it is)."""
    query = select(Subject).where(Subject.gallery == gallery).order_by(Subject.id).limit(limit)
    if after_id is not None:
        query = query.where(Subject.id > after_id)
    return list(session.scalars(query))


def delete_subject(session: Session, subject: Subject) -> list[str]:
    """Delete the subject and its faces; returns the deleted faces' ids, which the search index must drop."""
    face_ids = list(session.scalars(select(Face.id).where(Face.subject_id == subject.id)))
    session.delete(subject)
    session.flush()
    return face_ids


@dataclass(frozen=True)
class NewFace:
    """What is stored of one enrolled face: its embedding and where it was found (never the image)."""

    embedding: FloatArray
    detection_score: float
    box: Sequence[float] | np.ndarray
    landmarks: Sequence[Sequence[float]] | np.ndarray
    image_sha256: str


def add_faces(session: Session, subject: Subject, *, model: str, model_version: str,
              faces: Sequence[NewFace]) -> list[str]:
    """Enrol faces for `subject` in one INSERT (ids are made here, so none has to be read back); returns their
    ids. Sealed when encryption at rest is on."""
    sealer = sealer_of(session)
    ids, rows = [], []
    for face in faces:
        face_id = new_face_id()
        ids.append(face_id)
        rows.append({
            "id": face_id, "subject_id": subject.id, "gallery": subject.gallery, "model": model,
            "model_version": model_version, "embedding": None if sealer else face.embedding,
            "embedding_sealed": sealer.seal(face.embedding, face_id) if sealer else None,
            "detection_score": float(face.detection_score), "box": [float(value) for value in face.box],
            "landmarks": [[float(value) for value in point] for point in face.landmarks],
            "image_sha256": face.image_sha256,
        })
    session.execute(insert(Face), rows)
    return ids


def list_faces(session: Session, subject: Subject) -> list[Face]:
    """A subject's faces, oldest first."""
    return list(session.scalars(select(Face).where(Face.subject_id == subject.id).order_by(Face.created_at, Face.id)))


def count_faces(session: Session, subject: Subject) -> int:
    """How many faces a subject has, without loading their embeddings."""
    return session.scalar(select(func.count()).select_from(Face).where(Face.subject_id == subject.id)) or 0


def get_face(session: Session, face_id: str, *, reread: bool = False) -> Face | None:
    """The face, or None; `reread` asks the database again (after a lock), not the session's copy."""
    return session.get(Face, face_id, populate_existing=reread)


def delete_face(session: Session, face: Face) -> None:
    session.delete(face)
    session.flush()


def sealer_of(session: Session) -> Sealer | None:
    return session.info.get("sealer")


def embedding_of(session: Session, face_id: str, clear: FloatArray | None, sealed: bytes | None) -> FloatArray:
    """A stored vector in clear, opening it if it was sealed."""
    if sealed is None:
        assert clear is not None, f"face {face_id} has no embedding"
        return clear
    sealer = sealer_of(session)
    if sealer is None:
        raise SealingError(f"face {face_id} is sealed and no embedding key is configured")
    return sealer.open(sealed, face_id)


def gallery_exists(session: Session, gallery: str) -> bool:
    """A gallery exists while it has a subject (uses the (gallery, external_id) unique index)."""
    return session.scalar(select(Subject.id).where(Subject.gallery == gallery).limit(1)) is not None


def list_galleries(session: Session) -> list[tuple[str, int, int]]:
    """(gallery, subjects, faces) for every gallery, by name; two grouped queries, not one per gallery."""
    subject_rows = session.execute(select(Subject.gallery, func.count()).group_by(Subject.gallery))
    face_rows = session.execute(select(Face.gallery, func.count()).group_by(Face.gallery))
    subjects: dict[str, int] = {row[0]: row[1] for row in subject_rows}
    faces: dict[str, int] = {row[0]: row[1] for row in face_rows}
    return [(gallery, subjects[gallery], faces.get(gallery, 0)) for gallery in sorted(subjects)]


def delete_gallery(session: Session, gallery: str) -> tuple[int, list[str]]:
    """Delete every subject of `gallery` with their faces; returns (subjects deleted, face ids deleted)."""
    face_ids = list(session.scalars(select(Face.id).where(Face.gallery == gallery)))
    deleted = session.execute(sa_delete(Subject).where(Subject.gallery == gallery))
    session.flush()
    return int(getattr(deleted, "rowcount", 0) or 0), face_ids
