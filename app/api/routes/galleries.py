"""Galleries: list them with their counts, delete one whole, export and import their faces (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from app import errors
from app.api import schemas
from app.api.auth import AdminCaller, ReadCaller, WriteCaller
from app.api.deps import LimitsDep, ServicesDep
from app.api.openapi import problems
from app.services import subjects, transfer

router = APIRouter(prefix="/v1", tags=["galleries"])


@router.get("/galleries", response_model=schemas.GalleryList, responses=problems())
async def list_galleries(services: ServicesDep, caller: ReadCaller) -> schemas.GalleryList:
    """The galleries this key may touch, with their subject and face counts."""
    views = await run_in_threadpool(subjects.list_galleries, services, caller.principal.may_touch)
    return schemas.GalleryList(items=[schemas.GalleryOut.model_validate(view) for view in views])


@router.delete("/galleries/{gallery}", response_model=schemas.GalleryDeletion,
                responses=problems(errors.GalleryNotFound))
async def delete_gallery(gallery: str, services: ServicesDep, caller: WriteCaller) -> schemas.GalleryDeletion:
    """Delete a whole gallery: every subject, face and template in it."""
    deletion = await run_in_threadpool(subjects.delete_gallery, services, caller.actor, caller.gallery(gallery))
    return schemas.GalleryDeletion.model_validate(deletion)


NDJSON = "application/x-ndjson"


class JSONLines(StreamingResponse):
    """An export's answer: the one media type of its 200 in the document (a generated client must not take it
    for JSON and parse it whole)."""

    media_type = NDJSON


_EXPORT_ERRORS = problems(errors.GalleryNotFound, errors.ModelNotFound, "SEALING_ERROR")


@router.get("/galleries/{gallery}/export", response_class=JSONLines, responses={
    200: {"content": {NDJSON: {"schema": {"type": "string"}}}, "description": "JSON lines: a header, then one "
          "line per subject with its faces (embeddings in clear: biometric data)."}, **_EXPORT_ERRORS})
async def export_gallery(gallery: str, services: ServicesDep, caller: AdminCaller,
                         model: Annotated[str | None, Query(max_length=64)] = None) -> JSONLines:
    """A gallery's subjects and faces of one pipeline version (the default unless `model` says), for a move
    to another server or a backup; `import_gallery` reads it back."""
    lines = await run_in_threadpool(transfer.export_lines, transfer.Transfer.of(services), caller.actor,
                                    caller.gallery(gallery), model)
    return JSONLines(lines, headers={"Content-Disposition": f'attachment; filename="{gallery}.ndjson"'})


@router.post("/galleries/{gallery}/import", response_model=schemas.ImportResult,
             openapi_extra={"requestBody": {"required": True, "content": {
                 NDJSON: {"schema": {"type": "string", "format": "binary", "description": "An export, as is."}}}}},
             responses=problems(errors.GalleryNotFound, errors.InvalidImport, errors.InvalidMetadata,
                                errors.InvalidSubjectId, errors.ModelMismatch, errors.ModelNotFound, "SEALING_ERROR"))
async def import_gallery(gallery: str, request: Request, services: ServicesDep, limits: LimitsDep,
                         caller: AdminCaller) -> schemas.ImportResult:
    """Add the subjects of an export (same pipeline version, else 409) to a gallery; subjects already there
    are skipped, so running an interrupted import again completes it."""
    body = await request.body()
    result = await run_in_threadpool(transfer.import_lines, transfer.Transfer.of(services), caller.actor,
                                     caller.gallery(gallery), body.splitlines(), limits)
    return schemas.ImportResult.model_validate(result)
