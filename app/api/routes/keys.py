"""API keys: create (the secret is shown once), list, revoke. Admin scope."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.concurrency import run_in_threadpool

from app import errors
from app.api import schemas
from app.api.auth import AdminCaller
from app.api.deps import ServicesDep
from app.api.openapi import problems

router = APIRouter(prefix="/v1", tags=["keys"])


@router.post("/keys", status_code=status.HTTP_201_CREATED, response_model=schemas.KeyCreated,
             responses=problems())
async def create_key(body: schemas.KeyCreate, services: ServicesDep, caller: AdminCaller) -> schemas.KeyCreated:
    """A new key. Its `secret` is in this answer only: store it now."""
    issued = await run_in_threadpool(services.keys.issue, caller.actor, name=body.name,
                                     scopes=body.scopes, galleries=body.galleries,
                                     expires_at=body.expires_at)
    return schemas.KeyCreated(**schemas.KeyOut.model_validate(issued.key).model_dump(), secret=issued.secret)


@router.get("/keys", response_model=schemas.KeyList, responses=problems())
async def list_keys(services: ServicesDep, _caller: AdminCaller,
                    include_revoked: Annotated[bool, Query()] = False) -> schemas.KeyList:
    """Every key (no secrets: they are not stored)."""
    views = await run_in_threadpool(services.keys.list, include_revoked=include_revoked)
    return schemas.KeyList(items=[schemas.KeyOut.model_validate(view) for view in views])


@router.delete("/keys/{key_id}", response_model=schemas.KeyOut, responses=problems(errors.KeyNotFound))
async def revoke_key(key_id: str, services: ServicesDep, caller: AdminCaller) -> schemas.KeyOut:
    """Revoke a key at once, in every process; the row stays, for the audit trail."""
    view = await run_in_threadpool(services.keys.revoke, caller.actor, key_id)
    return schemas.KeyOut.model_validate(view)
