"""The one migration history, on both databases: up, down, up again; matching the models; safe to run at once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, inspect, text

from app.store.db import create_engine
from app.store.migrate import ADVISORY_LOCK_KEY, upgrade
from app.store.orm import Base
from tests.postgres import create_database

ROOT = Path(__file__).resolve().parents[2]
TABLES = {"subjects", "faces", "api_keys", "audit_log", "templates", "changes", "template_counts",
          "deployment_pins"}
HEAD = "0005_deployment_pins"


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # the config parser's own escaping
    config.attributes["configure_logger"] = False
    return config


def schema(engine: Engine) -> dict[str, object]:
    inspector = inspect(engine)
    tables = set(inspector.get_table_names()) - {"alembic_version"}
    return {
        "tables": tables,
        # PostgreSQL also reports the unique constraint's own index; only indexes created as such count here.
        "indexes": {
            table: sorted(i["name"] for i in inspector.get_indexes(table) if not i.get("duplicates_constraint"))
            for table in tables
        },
        "unique": {table: [u["column_names"] for u in inspector.get_unique_constraints(table)] for table in tables},
        "foreign_keys": {
            table: [(fk["constrained_columns"], fk["referred_table"], fk["options"].get("ondelete")) for fk in
                    inspector.get_foreign_keys(table)]
            for table in tables
        },
    }


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    config = alembic_config(database_url)
    engine = create_engine(database_url)
    try:
        command.upgrade(config, "head")
        first = schema(engine)
        assert first == {
            "tables": TABLES,
            "indexes": {"subjects": [], "faces": ["ix_faces_gallery_model", "ix_faces_subject_id"], "api_keys": [],
                        "audit_log": ["ix_audit_log_at", "ix_audit_log_gallery_subject", "ix_audit_log_key_id"],
                        "templates": ["ix_templates_gallery_model_model_version"], "changes": ["ix_changes_at"],
                        "template_counts": [], "deployment_pins": []},
            "unique": {"subjects": [["gallery", "external_id"]], "faces": [], "api_keys": [], "audit_log": [],
                       "templates": [["subject_id", "model", "model_version"]], "changes": [],
                       "template_counts": [], "deployment_pins": []},
            "foreign_keys": {"subjects": [], "faces": [(["subject_id"], "subjects", "CASCADE")], "api_keys": [],
                             "audit_log": [], "templates": [(["subject_id"], "subjects", "CASCADE")],
                             "changes": [], "template_counts": [], "deployment_pins": []},
        }
        assert current_revision(engine) == HEAD

        command.downgrade(config, "base")
        assert schema(engine)["tables"] == set()
        assert current_revision(engine) is None
        if engine.dialect.name == "postgresql":
            with engine.connect() as connection:
                extensions = connection.scalars(text("SELECT extname FROM pg_extension")).all()
            assert "vector" in extensions  # left in place on purpose

        command.upgrade(config, "head")
        assert schema(engine) == first
        assert current_revision(engine) == HEAD
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_the_counts_migration_counts_the_templates_already_stored(database_url: str) -> None:
    """Templates written before template_counts existed are counted by the migration that makes it."""
    config = alembic_config(database_url)
    engine = create_engine(database_url)
    try:
        command.upgrade(config, "0003_templates_changes")
        with engine.begin() as connection:
            _store_templates(connection, ((1, "a", "fusion", 2), (2, "a", "fusion", 3), (3, "b", "sface", 1),
                                          (4, "a", "sface", 4)))
        command.upgrade(config, "head")
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT gallery, model, model_version, subjects, faces "
                                           "FROM template_counts ORDER BY gallery, model")).all()
        assert [tuple(row) for row in rows] == [("a", "fusion", "v1", 2, 5), ("a", "sface", "v1", 1, 4),
                                                 ("b", "sface", "v1", 1, 1)]
    finally:
        engine.dispose()


def _store_templates(connection: Connection, stored: tuple[tuple[int, str, str, int], ...]) -> None:
    """Subjects with one template each, (subject id, gallery, model, faces), written as an older release did."""
    for subject_id, gallery, model, faces in stored:
        connection.execute(text("INSERT INTO subjects (id, gallery, external_id, metadata, created_at, "
                                "updated_at) VALUES (:i, :g, :e, '{}', :t, :t)"),
                           {"i": subject_id, "g": gallery, "e": f"s{subject_id}", "t": "2026-01-01"})
        connection.execute(text("INSERT INTO templates (subject_id, gallery, model, model_version, face_count, "
                                "norm, updated_at) VALUES (:i, :g, :m, 'v1', :f, 1.0, :t)"),
                           {"i": subject_id, "g": gallery, "m": model, "f": faces, "t": "2026-01-01"})


@pytest.mark.parametrize(("stored", "pins"), [
    ((), []),
    (((1, "a", "sface", 1),), []),
    (((1, "a", "sface", 1), (2, "b", "fusion", 2)), [("default_model", "fusion")]),
])
def test_a_database_enrolled_under_fusion_stays_on_it(database_url: str, stored: tuple[tuple[int, str, str, int], ...],
                                                      pins: list[tuple[str, str]]) -> None:
    """The release that made fusion_int8 the default pins `fusion` on a database holding fusion templates, and
    only there: the galleries were enrolled under it and cannot be searched with fusion_int8 vectors."""
    config = alembic_config(database_url)
    engine = create_engine(database_url)
    try:
        command.upgrade(config, "0004_template_counts")
        with engine.begin() as connection:
            _store_templates(connection, stored)
        command.upgrade(config, "head")
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT name, value FROM deployment_pins")).all()
        assert [tuple(row) for row in rows] == pins
    finally:
        engine.dispose()


def test_upgrade_is_idempotent(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        assert current_revision(engine) == HEAD
        assert schema(engine)["tables"] == TABLES
    finally:
        engine.dispose()


def test_concurrent_upgrades_from_two_threads_on_postgresql(postgres_url: str) -> None:
    url = create_database(postgres_url)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        start.wait()
        try:
            upgrade(url)
        except BaseException as exc:  # collected and asserted on below, so the failure is not lost in a thread
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    engine = create_engine(url)
    try:
        assert current_revision(engine) == HEAD
        assert schema(engine)["tables"] == TABLES
        with engine.connect() as connection:
            held = connection.scalar(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"))
        assert held == 0
    finally:
        engine.dispose()


def test_replicas_wait_for_the_migration_lock_on_postgresql(postgres_url: str) -> None:
    """Two processes (as two replicas would) queue on the advisory lock, which the test holds until both wait;
    then they migrate one after the other. Without the lock, two such processes failed in 3 of 4 tries."""
    url = create_database(postgres_url)
    engine = create_engine(url)
    script = "import sys; from app.store.migrate import upgrade; upgrade(sys.argv[1])"
    try:
        with engine.connect() as holder:
            holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            replicas = [
                subprocess.Popen([sys.executable, "-c", script, url], cwd=ROOT, stderr=subprocess.PIPE, text=True)
                for _ in range(2)
            ]
            waiting_query = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            deadline = time.monotonic() + 60
            while holder.scalar(waiting_query) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert holder.scalar(waiting_query) == 2
            holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
            holder.commit()
        results = [(replica.wait(timeout=60), replica.stderr.read()) for replica in replicas]
        assert [code for code, _ in results] == [0, 0], results
        assert current_revision(engine) == HEAD
        assert schema(engine)["tables"] == TABLES
    finally:
        engine.dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_command_line_reads_the_url_from_settings(database_url: str) -> None:
    environment = {**os.environ, "FACEGATE_DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ROOT / "alembic.ini"), "upgrade", "head"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    engine = create_engine(database_url)
    try:
        assert current_revision(engine) == HEAD
    finally:
        engine.dispose()
