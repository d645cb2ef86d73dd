"""GET /v1/audit: the audit trail, newest first, filtered and a page at a time. Admin scope."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from app.api import schemas
from app.api.auth import AdminCaller
from app.api.deps import ServicesDep
from app.api.openapi import problems
from app.store.audit import AuditFilter

router = APIRouter(prefix="/v1", tags=["audit"])
Text = Annotated[str | None, Query(max_length=256)]


@router.get("/audit", response_model=schemas.AuditList, responses=problems())
async def list_audit(services: ServicesDep, _caller: AdminCaller, operation: Text = None, gallery: Text = None,
                     subject: Text = None, key_id: Text = None, outcome: Text = None,
                     since: Annotated[schemas.DateTimeText | None, Query()] = None,
                     until: Annotated[schemas.DateTimeText | None, Query()] = None,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                     cursor: Annotated[str | None, Query(pattern=r"^[0-9]{1,18}$")] = None) -> schemas.AuditList:
    """Who did what, to which gallery, subject and faces, and how it ended; `since` inclusive, `until` not."""
    where = AuditFilter(operation, gallery, subject, key_id, outcome, since, until)
    entries, next_cursor = await run_in_threadpool(services.audit.list, where, limit, int(cursor) if cursor else None)
    return schemas.AuditList(items=[schemas.AuditEntryOut.model_validate(entry) for entry in entries],
                             next_cursor=None if next_cursor is None else str(next_cursor))
