"""Shared fixtures: the built models and the real photo sets.

The photo sets live outside the repository (`FACEGATE_FACES`, which `.ci/run` points at `../shared/faces`).
Tests that need them skip, with the reason shown, on a machine without them; the models are built by
`make models` and their absence is an error, not a skip, because every machine can build them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
from pathlib import Path

import pytest

from models.sources import SourceFile, fetch
from tests.postgres import start_postgres

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def models_dir() -> Path:
    path = Path(os.environ.get("FACEGATE_MODELS_DIR", ROOT / "build" / "models"))
    if not (path / "sface.onnx").exists():
        pytest.fail(f"no built models in {path}: run `make models` first")
    return path


@pytest.fixture(scope="session")
def faces_dir() -> Path:
    value = os.environ.get("FACEGATE_FACES")
    path = Path(value) if value else ROOT.parent / "shared" / "faces"
    if not (path / "studio" / "manifest.csv").exists():
        pytest.skip(f"face photo sets not found at {path} (set FACEGATE_FACES)")
    return path


def sample_photos(faces_dir: Path, subset: str, count: int, step: int = 1) -> list[Path]:
    """Every `step`-th photo of a set, in a fixed order, so runs compare the same images."""
    return sorted((faces_dir / subset / "images").glob("*/*.jpg"))[: count * step : step]


@pytest.fixture(scope="session")
def reference_photos(faces_dir: Path) -> list[Path]:
    """30 real photos: 12 studio portraits (one large face) and 18 LFW photos (small, often several faces)."""
    return sample_photos(faces_dir, "studio", 12, step=5) + sample_photos(faces_dir, "lfw-dev", 18, step=97)


def fetched(source: SourceFile) -> Path:
    """A model's original file, as `make models` fetched it (fetching again if the cache was cleaned)."""
    return fetch(source, ROOT / "build")


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One throwaway PostgreSQL server (with pgvector) for the whole session; tests create databases on it."""
    url, stop = start_postgres(tmp_path_factory.mktemp("postgres"))
    yield url
    stop()
