"""Which search backend start-up chooses (app/main.py `choose_search`): the database on PostgreSQL unless the
embeddings are encrypted at rest, the in-process index otherwise, and a clear refusal of what cannot work."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine

from app.config import PrivacySettings, SearchSettings, Settings
from app.errors import ConfigurationError
from app.main import choose_search
from app.services.search import DatabaseSearch, InProcessSearch
from app.store.db import create_engine, session_factory

KEY = SecretStr(base64.b64encode(bytes(32)).decode())


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """An engine that is never connected: the choice depends on the dialect alone."""
    url = "sqlite://" if request.param == "sqlite" else "postgresql+psycopg://facegate@/facegate?host=/nowhere"
    engine = create_engine(url)
    yield engine
    engine.dispose()


def _settings(backend: str, encrypted: bool = False) -> Settings:
    return Settings(search=SearchSettings(backend=backend),
                    privacy=PrivacySettings(embedding_key=KEY if encrypted else None))


@pytest.mark.parametrize("encrypted", [False, True])
@pytest.mark.parametrize("backend", ["auto", "database", "memory"])
def test_the_backend_follows_the_settings_and_the_database(engine: Engine, backend: str, encrypted: bool) -> None:
    postgres = engine.dialect.name == "postgresql"
    settings = _settings(backend, encrypted)
    if backend == "database" and (not postgres or encrypted):
        with pytest.raises(ConfigurationError, match="FACEGATE_SEARCH__BACKEND=database"):
            choose_search(settings, engine, session_factory(engine), [])
        return
    search = choose_search(settings, engine, session_factory(engine), [])
    in_database = postgres and not encrypted and backend != "memory"
    assert isinstance(search, DatabaseSearch if in_database else InProcessSearch)
