"""Bring a database's schema up to date, from the app's start-up or the tests, without the Alembic command line.

Several replicas may start at once against one PostgreSQL database; they take turns through an advisory lock, so
the first migrates and the others find the schema already at head (without it, two processes racing to create
the same tables failed in 3 of 4 tries). SQLite is meant for one process on one host and takes no lock: two
processes migrating the same new file at once could both try to create the tables.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from app.store.db import create_engine

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "migrations"

# Any fixed 64-bit number that other users of the same database do not use: b"facegate" read as an integer.
ADVISORY_LOCK_KEY = int.from_bytes(b"facegate", "big", signed=True)

# Alembic keeps the running migration in module-level proxies (`alembic.context`, `alembic.op`), so two
# migrations in one process would overwrite each other's state even on different databases.
_ALEMBIC_IN_USE = threading.Lock()


def upgrade(url: str) -> None:
    """Migrate the database at `url` to the newest revision; a no-op when it is already there."""
    engine = create_engine(url)
    try:
        with _ALEMBIC_IN_USE, engine.connect() as connection, _migration_lock(connection):
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS_DIR))
            # The connection is handed over rather than the URL: the lock lives on this connection, and URLs
            # containing '%' would need escaping for Alembic's config parser.
            config.attributes["connection"] = connection
            with connection.begin():
                command.upgrade(config, "head")
    finally:
        # Also closes the migration connection, whose SQLite foreign-key setting env.py switched off.
        engine.dispose()


@contextmanager
def _migration_lock(connection: Connection) -> Iterator[None]:
    """Hold PostgreSQL's session-level advisory lock for the duration; nothing on other databases.

    Session-level rather than transaction-level so that the lock outlives the migration's own transaction and is
    only released once its commit is visible to the next replica.
    """
    if connection.dialect.name != "postgresql":
        yield
        return
    logger.info("waiting for the migration lock")
    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
    connection.commit()
    try:
        yield
    finally:
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
        connection.commit()
