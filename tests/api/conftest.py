"""The API under test, on a real SQLite file and a real PostgreSQL server, with the real models.

Each test module gets a fresh database of each kind (module-scoped `client`, parametrised), so tests in a module
share enrolled subjects; they use their own gallery names to stay independent.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from PIL import Image

from app.config import Settings
from app.main import create_app
from app.store.migrate import upgrade
from tests.postgres import create_database


def assert_problem(response: Response, status: int, code: str) -> dict:
    """The response is an RFC 9457 problem with this status and code; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["title"]
    assert body["detail"]
    assert body["type"].startswith("https://")
    return body


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'facegate.db'}"
    return create_database(request.getfixturevalue("postgres_url"), "api")


# The admin key the test servers accept (FACEGATE_ADMIN_KEY); `client` sends it unless a test says otherwise.
ADMIN_KEY = "test-admin-key-7d1f0c9a4be24a53a0e1b5c8d2f6e934"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


@pytest.fixture(scope="module")
def app_settings(database_url: str, models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    upgrade(database_url)
    return Settings(database_url=database_url, runtime={"models_dir": models_dir}, admin_key=ADMIN_KEY,
                    data_dir=tmp_path_factory.mktemp("data"), abuse={"rate_per_second": 1000, "burst": 1000})


@pytest.fixture(scope="module")
def client(app_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings), headers=ADMIN) as test_client:
        yield test_client


def studio_photo(faces_dir: Path, identity: str, index: int = 1) -> bytes:
    return (faces_dir / "studio" / "images" / identity / f"{identity}_{index:04d}.jpg").read_bytes()


@pytest.fixture(scope="session")
def portrait(faces_dir: Path) -> bytes:
    return studio_photo(faces_dir, "london_003")


@pytest.fixture(scope="session")
def group_photo(faces_dir: Path) -> bytes:
    """Two real portraits side by side: two faces."""
    images = [Image.open(io.BytesIO(studio_photo(faces_dir, name))).convert("RGB")
              for name in ("london_010", "london_020")]
    canvas = Image.new("RGB", (sum(i.width for i in images), max(i.height for i in images)), "white")
    canvas.paste(images[0], (0, 0))
    canvas.paste(images[1], (images[0].width, 0))
    buffer = io.BytesIO()
    canvas.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()
