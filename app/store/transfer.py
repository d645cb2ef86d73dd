"""Bulk reads and writes for export and import: faces streamed in subject order, and inserted in batches."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.store.db import upsert
from app.store.orm import Face, FloatArray, Subject, new_face_id, utcnow
from app.store.repository import embedding_of, sealer_of

BATCH_SIZE = 1000


@dataclass(frozen=True)
class StoredFace:
    face_id: str
    embedding: FloatArray
    detection_score: float
    box: list[float]
    landmarks: list[list[float]]
    image_sha256: str
    created_at: datetime


@dataclass(frozen=True)
class StoredSubject:
    subject: str
    name: str | None
    metadata: dict[str, Any]
    faces: list[StoredFace]


def subjects_with_faces(session: Session, gallery: str, model: str, model_version: str) -> Iterator[StoredSubject]:
    """Every subject of the gallery that has faces of this pipeline version, with those faces (opened if
    sealed), in subject order; streamed (a server-side cursor on PostgreSQL)."""
    query = (select(Subject.id, Subject.external_id, Subject.name, Subject.metadata_, Face.id, Face.embedding,
                    Face.embedding_sealed, Face.detection_score, Face.box, Face.landmarks, Face.image_sha256,
                    Face.created_at)
             .join(Face, Face.subject_id == Subject.id)
             .where(Subject.gallery == gallery, Face.model == model, Face.model_version == model_version)
             .order_by(Subject.id, Face.created_at, Face.id)
             .execution_options(yield_per=BATCH_SIZE))
    current: StoredSubject | None = None
    current_id = None
    for (subject_id, external_id, name, metadata, face_id, clear, sealed, score, box, landmarks, digest,
         created_at) in session.execute(query):
        if subject_id != current_id:
            if current is not None:
                yield current
            current, current_id = StoredSubject(external_id, name, dict(metadata or {}), []), subject_id
        assert current is not None
        current.faces.append(StoredFace(face_id, embedding_of(session, face_id, clear, sealed), float(score),
                                        list(box), [list(p) for p in landmarks], digest, created_at))
    if current is not None:
        yield current


def existing_subjects(session: Session, gallery: str, external_ids: Sequence[str]) -> set[str]:
    return set(session.scalars(select(Subject.external_id).where(
        Subject.gallery == gallery, Subject.external_id.in_(list(external_ids)))))


@dataclass(frozen=True)
class Added:
    ids: dict[str, int]
    """Database id of each subject inserted, by external id."""
    faces: int


def add_subjects(session: Session, gallery: str, model: str, model_version: str,
                 subjects: Sequence[StoredSubject]) -> Added:
    """Insert new subjects with their faces in two statements (new face ids: an import never collides with what
    is there). A subject that another writer created after the caller looked (an enroll of the same name, on
    PostgreSQL, where writers do not queue) is left as that writer made it, not failed on: only the subjects
    inserted here are returned, with the faces inserted."""
    if not subjects:
        return Added({}, 0)
    inserted = session.execute(
        upsert(session, Subject).values([
            {"gallery": gallery, "external_id": item.subject, "name": item.name, "metadata_": item.metadata}
            for item in subjects])
        .on_conflict_do_nothing(index_elements=[Subject.gallery, Subject.external_id])
        .returning(Subject.external_id, Subject.id))
    ids: dict[str, int] = dict(inserted.all())
    sealer = sealer_of(session)
    rows = []
    filled: set[str] = set()
    for item in subjects:
        if item.subject not in ids or item.subject in filled:  # a name twice in one batch: the first one counts
            continue
        filled.add(item.subject)
        for face in item.faces:
            face_id = new_face_id()
            rows.append({
                "id": face_id, "subject_id": ids[item.subject], "gallery": gallery, "model": model,
                "model_version": model_version, "embedding": None if sealer else face.embedding,
                "embedding_sealed": sealer.seal(face.embedding, face_id) if sealer else None,
                "detection_score": face.detection_score, "box": face.box, "landmarks": face.landmarks,
                "image_sha256": face.image_sha256, "created_at": face.created_at, "updated_at": utcnow()})
    if rows:
        session.execute(insert(Face), rows)
    return Added(ids, len(rows))
