"""The audit trail: who did what to whose biometric data, and how it ended. Never images or embeddings.

Writes record their entry in the same transaction as the change (`record`), so an entry exists exactly when the
change does, and a deletion's receipt can name it. Reads (verify, identify) and failures are recorded on their
own (`AuditLog.record_now`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from app.store import audit as store
from app.store.audit import AuditFilter
from app.store.orm import AuditEntry, utcnow


@dataclass(frozen=True)
class Actor:
    """Who asks: the API key's id (None for the command line or with authentication off) and the request id."""

    key_id: str | None
    request_id: str | None = None


COMMAND_LINE = Actor(None, None)


@dataclass(frozen=True)
class AuditView:
    id: int
    at: datetime
    key_id: str | None
    operation: str
    gallery: str | None
    subject: str | None
    face_ids: list[str]
    outcome: str
    request_id: str | None
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditView:
        return cls(entry.id, entry.at, entry.key_id, entry.operation, entry.gallery, entry.subject,
                   list(entry.face_ids or []), entry.outcome, entry.request_id, dict(entry.details or {}))


def record(session: Session, actor: Actor, operation: str, *, outcome: str = "ok", gallery: str | None = None,
           subject: str | None = None, face_ids: Sequence[str] = (), details: dict[str, Any] | None = None
           ) -> AuditEntry:
    """Add an entry inside the caller's transaction; flushed, so its id is known."""
    return store.add_entry(session, AuditEntry(
        at=utcnow(), key_id=actor.key_id, operation=operation, gallery=gallery, subject=subject,
        face_ids=list(face_ids), outcome=outcome, request_id=actor.request_id, details=details or {}))


class AuditLog:
    """Entries written in a transaction of their own, listing and retention."""

    def __init__(self, sessions: sessionmaker[Session], retention_days: int) -> None:
        self._sessions = sessions
        self._retention = timedelta(days=retention_days)

    def record_now(self, actor: Actor, operation: str, **fields: Any) -> AuditView:
        with self._sessions.begin() as session:
            return AuditView.of(record(session, actor, operation, **fields))

    def list(self, where: AuditFilter, limit: int, cursor: int | None) -> tuple[list[AuditView], int | None]:
        with self._sessions() as session:
            rows = store.list_entries(session, where, limit + 1, cursor)
        views = [AuditView.of(row) for row in rows[:limit]]
        return views, (views[-1].id if len(rows) > limit else None)

    def prune(self) -> int:
        """Delete what is older than the retention period; returns how many entries went."""
        with self._sessions.begin() as session:
            return store.prune(session, utcnow() - self._retention)
