"""Alembic environment: where the database is and what the models look like.

The URL is `sqlalchemy.url` from the Alembic config when set (tests point it at a temporary database), otherwise
facegate's settings. `app.store.migrate` passes an open connection instead (in `config.attributes`), because it
holds a lock on that connection while migrating.
"""

from __future__ import annotations

import logging.config

from alembic import context
from sqlalchemy import Connection

from app.config import Settings
from app.store.db import create_engine
from app.store.orm import Base

config = context.config
target_metadata = Base.metadata

# Only the command line configures logging: from the app (which passes no config file) or tests (which say
# so), fileConfig would replace their logging handlers.
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    return config.get_main_option("sqlalchemy.url") or Settings().database_url


def run_migrations_offline() -> None:
    """`alembic upgrade --sql`: print the SQL instead of running it."""
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=database_url().startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode changes a SQLite table by copying it and dropping the original; with foreign keys on, that
        # DROP would cascade into the rows that reference it (a subject's faces). Must run before the
        # transaction starts, or SQLite ignores it; the connection is discarded afterwards.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=sqlite)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    engine = create_engine(database_url())
    try:
        with engine.begin() as connection:
            run_migrations(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
