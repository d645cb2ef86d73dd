"""Queries on the audit log: append, list newest first with filters, prune by age."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.store.orm import AuditEntry


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to list; `None` matches anything."""

    operation: str | None = None
    gallery: str | None = None
    subject: str | None = None
    key_id: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def add_entry(session: Session, entry: AuditEntry) -> AuditEntry:
    session.add(entry)
    session.flush()
    return entry


def list_entries(session: Session, where: AuditFilter, limit: int, before_id: int | None) -> list[AuditEntry]:
    """Newest first, a page at a time (keyset: `before_id` is the last id of the previous page)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    for column, value in ((AuditEntry.operation, where.operation), (AuditEntry.gallery, where.gallery),
                          (AuditEntry.subject, where.subject), (AuditEntry.key_id, where.key_id),
                          (AuditEntry.outcome, where.outcome)):
        if value is not None:
            query = query.where(column == value)
    if where.since is not None:
        query = query.where(AuditEntry.at >= where.since)
    if where.until is not None:
        query = query.where(AuditEntry.at < where.until)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return list(session.scalars(query))


def prune(session: Session, older_than: datetime) -> int:
    """Delete entries older than `older_than`; returns how many."""
    result = session.execute(delete(AuditEntry).where(AuditEntry.at < older_than))
    return int(getattr(result, "rowcount", 0) or 0)
