"""Engines and sessions for the two databases facegate supports: a SQLite file (development, single host) and
PostgreSQL with pgvector (production, several replicas).

Built on demand from a URL rather than at import time, so tests and the app each get the engine they ask for.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.store.sealing import Sealer

logger = logging.getLogger(__name__)

# How long a SQLite writer waits for another writer's lock before failing with "database is locked". Writes here
# are single-row inserts taking milliseconds, so five seconds only runs out if something is badly wrong.
SQLITE_BUSY_TIMEOUT_MS = 5000


def create_engine(url: str) -> Engine:
    """An engine configured for `url`'s backend (SQLite or PostgreSQL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    # Connections idle in the pool die when PostgreSQL restarts or a proxy times them out; a ping on checkout
    # turns that into a reconnect instead of a failed request.
    return sa.create_engine(parsed, pool_pre_ping=True)


def _sqlite_engine(url: URL) -> Engine:
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        _create_private(Path(database))
    # FastAPI runs sync handlers in a thread pool, so one connection may be used by several threads in turn.
    engine = sa.create_engine(url, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _configure_sqlite_connection)
    return engine


def _create_private(path: Path) -> None:
    """Create the database file (and its folder) readable by its owner only, before SQLite does: embeddings are
    biometric data, and SQLite gives its -wal and -shm files the database file's permissions."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    """SQLite forgets these per connection: foreign keys are off by default (so ON DELETE CASCADE would silently
    do nothing), the rollback journal makes readers and the writer block each other (WAL lets them run together),
    and without a busy timeout a second writer fails at once instead of waiting its turn."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def begin_write(session: Session) -> None:
    """Start a transaction that reads and then writes, as its first statement.

    SQLite's driver opens a transaction only at the first INSERT, UPDATE or DELETE, so what a request read before
    (the subject it enrolls into) could be deleted by another writer before it writes: BEGIN IMMEDIATE takes the
    write lock first (waiting for the busy timeout), and the reads that follow see what the writes are checked
    against. PostgreSQL needs nothing here: the rows a write depends on are locked where they are read
    (SELECT ... FOR UPDATE)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sa.text("BEGIN IMMEDIATE"))


def upsert(session: Session, table: type[Any]) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can say ON CONFLICT (both dialects have one, under the same methods)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def session_factory(engine: Engine, sealer: Sealer | None = None) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit: services commit, then shape the response from the
    same objects, and reloading every attribute after commit would cost a query per object for nothing.

    `sealer`, when encryption at rest is on, travels in `Session.info` so the repository seals and opens
    embeddings without every caller handing it down."""
    return sessionmaker(bind=engine, expire_on_commit=False, info={"sealer": sealer})


def ping(engine: Engine) -> bool:
    """Whether the database answers a trivial query now; for the readiness probe, so it never raises."""
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except SQLAlchemyError as exc:
        logger.warning("database ping failed: %s", exc)
        return False
    return True
