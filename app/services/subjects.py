"""Subjects and their faces: list, read, update, delete (deletes also leave the search index)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.errors import FaceNotFound, SubjectNotFound
from app.services.context import FaceView, Services, SubjectView
from app.store import repository
from app.store.orm import Subject


def _subject(session: Session, gallery: str, subject: str) -> Subject:
    record = repository.get_subject(session, gallery, subject)
    if record is None:
        raise SubjectNotFound(f"no subject {subject!r} in gallery {gallery!r}")
    return record


def list_subjects(services: Services, gallery: str, limit: int, cursor: str | None
                  ) -> tuple[list[SubjectView], str | None]:
    after = int(cursor) if cursor and cursor.isdigit() else 0
    with services.sessions() as session:
        rows = repository.list_subjects(session, gallery, limit + 1, after)
        views = [SubjectView.of(row, repository.count_faces(session, row)) for row in rows[:limit]]
        next_cursor = str(rows[limit - 1].id) if len(rows) > limit else None
    return views, next_cursor


def get_subject(services: Services, gallery: str, subject: str) -> SubjectView:
    with services.sessions() as session:
        record = _subject(session, gallery, subject)
        return SubjectView.of(record, repository.count_faces(session, record))


def update_subject(services: Services, gallery: str, subject: str, changes: dict[str, Any]) -> SubjectView:
    with services.sessions.begin() as session:
        record = _subject(session, gallery, subject)
        if "name" in changes:
            record.name = changes["name"]
        if "metadata" in changes:
            record.metadata_ = changes["metadata"] or {}
        session.flush()
        return SubjectView.of(record, repository.count_faces(session, record))


def delete_subject(services: Services, gallery: str, subject: str) -> None:
    with services.write_lock, services.sessions() as session:
        face_ids = repository.delete_subject(session, _subject(session, gallery, subject))
        session.commit()
        services.index.remove_faces(face_ids)


def list_faces(services: Services, gallery: str, subject: str) -> list[FaceView]:
    with services.sessions() as session:
        record = _subject(session, gallery, subject)
        return [FaceView.of(face, record) for face in repository.list_faces(session, record)]


def delete_face(services: Services, face_id: str) -> None:
    with services.write_lock, services.sessions() as session:
        face = repository.get_face(session, face_id)
        if face is None:
            raise FaceNotFound(f"no face {face_id!r}")
        repository.delete_face(session, face)
        session.commit()
        services.index.remove_faces([face_id])
