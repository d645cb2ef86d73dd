"""Upgrading a deployment enrolled under `fusion`, the default before `fusion_int8`: its galleries keep answering.

The data is made as the older release made it (faces enrolled under `fusion`, no `deployment_pins` table: the
database is taken back to migration 0004), then the new release starts on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from fastapi.testclient import TestClient

from app.config import DEFAULT_MODEL, Settings
from app.main import create_app
from app.store.migrate import upgrade
from tests.api.conftest import ADMIN, ADMIN_KEY
from tests.store.test_migrations import alembic_config

GALLERY = "enrolled-before"


@pytest.fixture
def old_database(tmp_path: Path, models_dir: Path, portrait: bytes) -> str:
    """A SQLite file as the release before fusion_int8 left it: one subject enrolled under `fusion`."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    settings = Settings(database_url=url, runtime={"models_dir": models_dir}, data_dir=tmp_path,
                        admin_key=ADMIN_KEY, default_model="fusion")
    upgrade(url)
    with TestClient(create_app(settings), headers=ADMIN) as client:
        enrolled = client.post("/v1/enroll", data={"subject": "ann", "gallery": GALLERY},
                               files={"images": ("p.jpg", portrait)})
        assert enrolled.status_code == 201, enrolled.text
    command.downgrade(alembic_config(url), "0004_template_counts")
    return url


def _identify(url: str, models_dir: Path, data_dir: Path, portrait: bytes, **settings: str) -> tuple[dict, dict]:
    """(the default model's entry in /v1/models, identify's answer), from the new release started on `url`."""
    app = create_app(Settings(database_url=url, runtime={"models_dir": models_dir}, data_dir=data_dir,
                              admin_key=ADMIN_KEY, **settings))
    upgrade(url)
    with TestClient(app, headers=ADMIN) as client:
        default = next(m for m in client.get("/v1/models").json()["models"] if m["default"])
        found = client.post("/v1/identify", data={"gallery": GALLERY}, files={"image": ("p.jpg", portrait)})
        assert found.status_code == 200, found.text
        return default, found.json()


def test_the_new_release_keeps_fusion_on_a_database_enrolled_under_it(old_database: str, models_dir: Path,
                                                                        tmp_path: Path, portrait: bytes) -> None:
    default, found = _identify(old_database, models_dir, tmp_path, portrait)
    assert default["name"] == found["model"] == "fusion"
    assert (found["gallery_size"], found["faces"][0]["match"]["subject"]) == (1, "ann")


def test_an_explicit_default_model_wins_over_the_pin(old_database: str, models_dir: Path, tmp_path: Path,
                                                     portrait: bytes) -> None:
    """What FACEGATE_DEFAULT_MODEL=fusion_int8 does before the galleries are enrolled again under it: nothing to
    compare with, which is why the pin exists."""
    default, found = _identify(old_database, models_dir, tmp_path, portrait, default_model=DEFAULT_MODEL)
    assert default["name"] == found["model"] == DEFAULT_MODEL == "fusion_int8"
    assert (found["gallery_size"], found["faces"][0]["match"]) == (0, None)


def test_a_new_database_gets_fusion_int8(tmp_path: Path, models_dir: Path, portrait: bytes) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    upgrade(url)
    app = create_app(Settings(database_url=url, runtime={"models_dir": models_dir}, data_dir=tmp_path,
                              admin_key=ADMIN_KEY))
    with TestClient(app, headers=ADMIN) as client:
        enrolled = client.post("/v1/enroll", data={"subject": "ann", "gallery": GALLERY},
                               files={"images": ("p.jpg", portrait)})
        assert enrolled.status_code == 201, enrolled.text
    default, found = _identify(url, models_dir, tmp_path, portrait)
    assert default["name"] == found["model"] == "fusion_int8"
    assert (found["gallery_size"], found["faces"][0]["match"]["subject"]) == (1, "ann")
