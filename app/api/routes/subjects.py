"""Subjects and faces: list, read, update, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from fastapi.concurrency import run_in_threadpool

from app.api import schemas
from app.api.deps import ServicesDep
from app.api.openapi import problems
from app.services import subjects
from app.services.context import FaceView

router = APIRouter(prefix="/v1", tags=["subjects"])
GalleryQuery = Annotated[schemas.Gallery, Query()]


def _face(view: FaceView) -> schemas.FaceOut:
    x, y, width, height = view.box
    return schemas.FaceOut.model_validate(
        {**vars(view), "box": {"x": x, "y": y, "width": width, "height": height}})


@router.get("/subjects", response_model=schemas.SubjectList, responses=problems(422, 503))
async def list_subjects(services: ServicesDep, gallery: GalleryQuery = "default",
                        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                        cursor: Annotated[str | None, Query(max_length=32)] = None) -> schemas.SubjectList:
    """Subjects of a gallery in creation order, a page at a time."""
    items, next_cursor = await run_in_threadpool(subjects.list_subjects, services, gallery, limit, cursor)
    return schemas.SubjectList(items=[schemas.SubjectOut.model_validate(vars(i)) for i in items],
                               next_cursor=next_cursor)


@router.get("/subjects/{subject}", response_model=schemas.SubjectOut, responses=problems(404, 422, 503))
async def get_subject(subject: str, services: ServicesDep, gallery: GalleryQuery = "default") -> schemas.SubjectOut:
    view = await run_in_threadpool(subjects.get_subject, services, gallery, subject)
    return schemas.SubjectOut.model_validate(vars(view))


@router.patch("/subjects/{subject}", response_model=schemas.SubjectOut, responses=problems(404, 422, 503))
async def update_subject(subject: str, changes: schemas.SubjectUpdate, services: ServicesDep,
                         gallery: GalleryQuery = "default") -> schemas.SubjectOut:
    """Change the display name or replace the metadata; fields left out stay as they are."""
    view = await run_in_threadpool(subjects.update_subject, services, gallery, subject,
                                   changes.model_dump(exclude_unset=True))
    return schemas.SubjectOut.model_validate(vars(view))


@router.delete("/subjects/{subject}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(404, 422, 503))
async def delete_subject(subject: str, services: ServicesDep, gallery: GalleryQuery = "default") -> Response:
    """Delete a subject and every face enrolled for it (embeddings are biometric data: nothing is kept)."""
    await run_in_threadpool(subjects.delete_subject, services, gallery, subject)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/subjects/{subject}/faces", response_model=schemas.FaceList, responses=problems(404, 422, 503))
async def list_subject_faces(subject: str, services: ServicesDep,
                             gallery: GalleryQuery = "default") -> schemas.FaceList:
    views = await run_in_threadpool(subjects.list_faces, services, gallery, subject)
    return schemas.FaceList(items=[_face(view) for view in views])


@router.delete("/faces/{face_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(404, 422, 503))
async def delete_face(face_id: str, services: ServicesDep) -> Response:
    await run_in_threadpool(subjects.delete_face, services, face_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
