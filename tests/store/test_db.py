"""Engine set-up: what SQLite needs on every connection, and a readiness ping that never raises."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import Engine, text

from app.store.db import SQLITE_BUSY_TIMEOUT_MS, create_engine, ping, session_factory


def test_sqlite_engine_creates_the_folder_and_configures_every_connection(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "facegate.db"
    engine = create_engine(f"sqlite:///{path}")
    try:
        assert ping(engine)
        assert path.exists()
        # Biometric data: the folder and the file (and so SQLite's -wal and -shm beside it) are owner-only.
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in path.parent.glob("facegate.db*"))
        with engine.connect() as first, engine.connect() as second:
            for connection in (first, second):
                assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
                assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
                assert connection.execute(text("PRAGMA busy_timeout")).scalar() == SQLITE_BUSY_TIMEOUT_MS
    finally:
        engine.dispose()


def test_sessions_keep_objects_loaded_after_commit(engine: Engine) -> None:
    sessions = session_factory(engine)
    assert sessions.kw["expire_on_commit"] is False
    assert ping(engine)


def test_postgresql_engine_pings_pooled_connections(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    try:
        assert engine.pool._pre_ping
        assert ping(engine)
    finally:
        engine.dispose()


def test_ping_is_false_when_the_database_is_unreachable(tmp_path: Path) -> None:
    engine = create_engine(f"postgresql+psycopg://postgres@/postgres?host={tmp_path}&connect_timeout=2")
    try:
        assert ping(engine) is False
    finally:
        engine.dispose()
