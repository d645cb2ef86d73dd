"""Subjects, faces and galleries: list, read, update, delete (deletes also leave the search index).

Deletions answer with a receipt: what was removed, when, and the audit entry written in the same transaction,
so a person's erasure can be shown. A subject whose last face is deleted is deleted with it: a name and metadata
with no face left are personal data kept for nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.errors import FaceNotFound, GalleryNotFound, SubjectNotFound
from app.services import audit
from app.services.audit import Actor
from app.services.container import Services
from app.services.views import FaceView, SubjectView
from app.store import changes, repository, templates
from app.store.db import begin_write
from app.store.orm import Subject


@dataclass(frozen=True)
class DeletionReceipt:
    gallery: str
    subjects: list[str]
    face_ids: list[str]
    deleted_at: datetime
    audit_id: int


@dataclass(frozen=True)
class GalleryDeletion:
    """A whole gallery's erasure: counts rather than ids, which could run to millions."""

    gallery: str
    subject_count: int
    face_count: int
    deleted_at: datetime
    audit_id: int


@dataclass(frozen=True)
class GalleryView:
    gallery: str
    subject_count: int
    face_count: int


def _subject(session: Session, gallery: str, subject: str, *, lock: bool = False) -> Subject:
    record = repository.get_subject(session, gallery, subject, lock=lock)
    if record is not None:
        return record
    if not repository.gallery_exists(session, gallery):
        raise GalleryNotFound.named(gallery)
    raise SubjectNotFound(f"no subject {subject!r} in gallery {gallery!r}")


def list_subjects(services: Services, gallery: str, limit: int, cursor: int | None
                  ) -> tuple[list[SubjectView], int | None]:
    with services.sessions() as session:
        rows = repository.list_subjects(session, gallery, limit + 1, cursor)
        if not rows and not repository.gallery_exists(session, gallery):
            raise GalleryNotFound.named(gallery)
        views = [SubjectView.of(row, repository.count_faces(session, row)) for row in rows[:limit]]
        next_cursor = rows[limit - 1].id if len(rows) > limit else None
    return views, next_cursor


def get_subject(services: Services, gallery: str, subject: str) -> SubjectView:
    with services.sessions() as session:
        record = _subject(session, gallery, subject)
        return SubjectView.of(record, repository.count_faces(session, record))


def update_subject(services: Services, actor: Actor, gallery: str, subject: str, changes: dict[str, Any]
                   ) -> SubjectView:
    try:
        with services.sessions.begin() as session:
            begin_write(session)
            record = _subject(session, gallery, subject, lock=True)
            if "name" in changes:
                record.name = changes["name"]
            if "metadata" in changes:
                record.metadata_ = changes["metadata"] or {}
            session.flush()
            audit.record(session, actor, "subject.update", gallery=gallery, subject=subject,
                         details={"fields": sorted(changes)})
            return SubjectView.of(record, repository.count_faces(session, record))
    except StaleDataError:  # deleted by a concurrent request between our read and our write
        raise SubjectNotFound(f"no subject {subject!r} in gallery {gallery!r}") from None


def delete_subject(services: Services, actor: Actor, gallery: str, subject: str) -> DeletionReceipt:
    with services.sessions() as session:
        begin_write(session)
        record = _subject(session, gallery, subject, lock=True)
        keys = templates.remove_subject(session, record.id)
        face_ids = repository.delete_subject(session, record)
        entry = audit.record(session, actor, "subject.delete", gallery=gallery, subject=subject, face_ids=face_ids)
        changes.template_changed(session, keys)
        session.commit()
    return DeletionReceipt(gallery, [subject], face_ids, entry.at, entry.id)


def list_faces(services: Services, gallery: str, subject: str) -> list[FaceView]:
    with services.sessions() as session:
        record = _subject(session, gallery, subject)
        return [FaceView.of(face, record) for face in repository.list_faces(session, record)]


def delete_face(services: Services, actor: Actor, gallery: str, face_id: str) -> DeletionReceipt:
    """Delete one face of `gallery`; its subject too when no face is left."""
    with services.sessions() as session:
        begin_write(session)
        face = repository.get_face(session, face_id)
        # Lock the subject (as every write to it does, first), then read the face again: a delete of the subject
        # that committed meanwhile took the face with it.
        if face is not None and face.gallery == gallery:
            locked = repository.lock_subject(session, face.subject_id)
            face = repository.get_face(session, face_id, reread=True) if locked else None
        if face is None or face.gallery != gallery:
            if not repository.gallery_exists(session, gallery):
                raise GalleryNotFound.named(gallery)
            raise FaceNotFound(f"no face {face_id!r} in gallery {gallery!r}")
        subject, template_key = face.subject, (face.subject_id, gallery, face.model, face.model_version)
        repository.delete_face(session, face)
        emptied = repository.count_faces(session, subject) == 0
        if emptied:
            templates.remove_subject(session, subject.id)
            repository.delete_subject(session, subject)
        else:
            templates.refresh(session, subject.id, gallery, face.model, face.model_version)
        entry = audit.record(session, actor, "face.delete", gallery=gallery, subject=subject.external_id,
                             face_ids=[face_id], details={"subject_deleted": emptied})
        changes.template_changed(session, [template_key])
        session.commit()
    return DeletionReceipt(gallery, [subject.external_id] if emptied else [], [face_id], entry.at, entry.id)


def list_galleries(services: Services, visible: Callable[[str], bool]) -> list[GalleryView]:
    """Galleries with their counts, those for which `visible(name)` holds."""
    with services.sessions() as session:
        return [GalleryView(name, subjects, faces) for name, subjects, faces in repository.list_galleries(session)
                if visible(name)]


def delete_gallery(services: Services, actor: Actor, gallery: str) -> GalleryDeletion:
    with services.sessions() as session:
        begin_write(session)
        if not repository.gallery_exists(session, gallery):
            raise GalleryNotFound.named(gallery)
        templates.remove_gallery(session, gallery)
        subjects, face_ids = repository.delete_gallery(session, gallery)
        entry = audit.record(session, actor, "gallery.delete", gallery=gallery,
                             details={"subjects": subjects, "faces": len(face_ids)})
        changes.gallery_deleted(session, gallery)
        session.commit()
    return GalleryDeletion(gallery, subjects, len(face_ids), entry.at, entry.id)
