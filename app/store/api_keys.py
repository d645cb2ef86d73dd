"""Queries on API keys. The caller owns the transaction; a missing key is `None`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.store.orm import ApiKey


def add_key(session: Session, key: ApiKey) -> ApiKey:
    session.add(key)
    session.flush()
    return key


def get_key(session: Session, key_id: str) -> ApiKey | None:
    return session.get(ApiKey, key_id)


def list_keys(session: Session, *, include_revoked: bool) -> list[ApiKey]:
    query = select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    return list(session.scalars(query))


def count_keys(session: Session) -> int:
    """Every key ever made, revoked ones included: bootstrap only runs on a database that never had one."""
    return session.scalar(select(func.count()).select_from(ApiKey)) or 0


def touch_key(session: Session, key_id: str, at: datetime) -> None:
    """Record use without loading the row (and without conflicting with a concurrent revocation)."""
    session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=at))
