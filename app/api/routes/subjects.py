"""Subjects and faces: list, read, update, delete. Deletions answer with a receipt."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from app import errors
from app.api import schemas
from app.api.auth import ReadCaller, WriteCaller
from app.api.deps import LimitsDep, ServicesDep
from app.api.openapi import problems
from app.services import subject_rules, subjects

router = APIRouter(prefix="/v1", tags=["subjects"])
GalleryQuery = Annotated[schemas.Gallery, Query()]
# A decimal within int64 (the ids are database integers): anything else is a 422, never a failed conversion.
_SUBJECT = problems(errors.GalleryNotFound, errors.SubjectNotFound)
_SUBJECT_CHANGE = problems(errors.GalleryNotFound, errors.SubjectNotFound, errors.InvalidMetadata)
Cursor = Annotated[str | None, Query(pattern=r"^[0-9]{1,18}$", description="`next_cursor` of the previous page.")]


@router.get("/subjects", response_model=schemas.SubjectList, responses=problems(errors.GalleryNotFound))
async def list_subjects(services: ServicesDep, caller: ReadCaller, gallery: GalleryQuery = "default",
                        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                        cursor: Cursor = None) -> schemas.SubjectList:
    """Subjects of a gallery in creation order, a page at a time."""
    items, next_cursor = await run_in_threadpool(
        subjects.list_subjects, services, caller.gallery(gallery), limit, int(cursor) if cursor else None)
    return schemas.SubjectList(items=[schemas.SubjectOut.model_validate(item) for item in items],
                               next_cursor=None if next_cursor is None else str(next_cursor))


@router.get("/subjects/{subject}", response_model=schemas.SubjectOut, responses=_SUBJECT)
async def get_subject(subject: str, services: ServicesDep, caller: ReadCaller,
                      gallery: GalleryQuery = "default") -> schemas.SubjectOut:
    view = await run_in_threadpool(subjects.get_subject, services, caller.gallery(gallery), subject)
    return schemas.SubjectOut.model_validate(view)


@router.patch("/subjects/{subject}", response_model=schemas.SubjectOut, responses=_SUBJECT_CHANGE)
async def update_subject(subject: str, changes: schemas.SubjectUpdate, services: ServicesDep, caller: WriteCaller,
                         limits: LimitsDep, gallery: GalleryQuery = "default") -> schemas.SubjectOut:
    """Change the display name or replace the metadata; fields left out stay as they are."""
    subject_rules.check_metadata(changes.metadata, limits)
    view = await run_in_threadpool(subjects.update_subject, services, caller.actor, caller.gallery(gallery), subject,
                                   changes.model_dump(exclude_unset=True))
    return schemas.SubjectOut.model_validate(view)


@router.delete("/subjects/{subject}", response_model=schemas.DeletionReceipt, responses=_SUBJECT)
async def delete_subject(subject: str, services: ServicesDep, caller: WriteCaller,
                         gallery: GalleryQuery = "default") -> schemas.DeletionReceipt:
    """Delete a subject with every face and template enrolled for it (embeddings are biometric data: nothing is
    kept); the receipt names what was removed and the audit entry."""
    receipt = await run_in_threadpool(subjects.delete_subject, services, caller.actor, caller.gallery(gallery),
                                      subject)
    return schemas.DeletionReceipt.model_validate(receipt)


@router.get("/subjects/{subject}/faces", response_model=schemas.FaceList, responses=_SUBJECT)
async def list_subject_faces(subject: str, services: ServicesDep, caller: ReadCaller,
                             gallery: GalleryQuery = "default") -> schemas.FaceList:
    views = await run_in_threadpool(subjects.list_faces, services, caller.gallery(gallery), subject)
    return schemas.FaceList(items=[schemas.FaceOut.model_validate(view) for view in views])


@router.delete("/faces/{face_id}", response_model=schemas.DeletionReceipt,
                responses=problems(errors.GalleryNotFound, errors.FaceNotFound, "SEALING_ERROR"))
async def delete_face(face_id: str, services: ServicesDep, caller: WriteCaller,
                      gallery: GalleryQuery = "default") -> schemas.DeletionReceipt:
    """Delete one face of a gallery; the subject goes with its last face."""
    receipt = await run_in_threadpool(subjects.delete_face, services, caller.actor, caller.gallery(gallery), face_id)
    return schemas.DeletionReceipt.model_validate(receipt)
