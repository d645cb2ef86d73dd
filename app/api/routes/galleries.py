"""Galleries: list them with their counts, delete one whole."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from app.api import schemas
from app.api.auth import ReadCaller, WriteCaller
from app.api.deps import ServicesDep
from app.api.openapi import problems
from app.services import subjects

router = APIRouter(prefix="/v1", tags=["galleries"])


@router.get("/galleries", response_model=schemas.GalleryList, responses=problems(422, 503))
async def list_galleries(services: ServicesDep, caller: ReadCaller) -> schemas.GalleryList:
    """The galleries this key may touch, with their subject and face counts."""
    views = await run_in_threadpool(subjects.list_galleries, services, caller.principal.may_touch)
    return schemas.GalleryList(items=[schemas.GalleryOut.model_validate(view) for view in views])


@router.delete("/galleries/{gallery}", response_model=schemas.GalleryDeletion, responses=problems(404, 422, 503))
async def delete_gallery(gallery: str, services: ServicesDep, caller: WriteCaller) -> schemas.GalleryDeletion:
    """Delete a whole gallery: every subject, face and template in it."""
    deletion = await run_in_threadpool(subjects.delete_gallery, services, caller.actor, caller.gallery(gallery))
    return schemas.GalleryDeletion.model_validate(deletion)
