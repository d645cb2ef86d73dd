"""A short program in each language, through the generated clients, against a live server with a real key.

Each program (clients/examples/quickstart.py, clients/typescript/examples/quickstart.ts and its openapi-fetch
twin) enrolls two people from a photo each, verifies a second photo of one against both, identifies it, lists
the gallery, gets the typed NO_FACE problem for a photo with no face, and deletes both, asserting each answer.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clients.node import CLIENTS, TYPESCRIPT, build, needs_node, run
from tests.servers import new_key, sqlite_server


@pytest.fixture(scope="module")
def server(models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with sqlite_server(tmp_path_factory.mktemp("programs"), models_dir) as base:
        yield base


@pytest.fixture(scope="module")
def key(server: str) -> str:
    """A key with just the scopes the programs use."""
    return new_key(server, "quickstart", ["enroll", "verify", "identify", "subjects:read", "subjects:write"])


@pytest.fixture(scope="module")
def photos(faces_dir: Path) -> list[str]:
    studio = faces_dir / "studio" / "images"
    return [str(studio / "london_001" / "london_001_0001.jpg"), str(studio / "london_001" / "london_001_0002.jpg"),
            str(studio / "london_002" / "london_002_0001.jpg"),
            str(next((faces_dir / "nonface" / "images").glob("*.jpg")))]


@pytest.fixture(scope="module")
def compiled() -> Path:
    return build()


def _check(output: str) -> None:
    """What each program prints (it has asserted the values themselves on the way)."""
    lines = output.replace("match true", "match True").replace("match false", "match False").splitlines()
    assert lines[0].startswith("verify against alice: score ")
    assert "match True" in lines[0]
    assert lines[1].startswith("verify against bob: score ")
    assert "match False" in lines[1]
    assert any(line.startswith("a photo without a face: 422 NO_FACE") for line in lines)
    assert lines[-1] == "deleted: alice, bob"


def test_python_program(server: str, key: str, photos: list[str]) -> None:
    output = run([sys.executable, str(CLIENTS / "examples" / "quickstart.py"), server, key, *photos], CLIENTS)
    _check(output)
    assert "identify: alice (score " in output


@needs_node
def test_typescript_program(server: str, key: str, photos: list[str], compiled: Path) -> None:
    output = run(["node", str(compiled / "examples" / "quickstart.js"), server, key, *photos], TYPESCRIPT)
    _check(output)
    assert "identify: alice (score " in output


@needs_node
def test_openapi_fetch_program(server: str, key: str, photos: list[str], compiled: Path) -> None:
    _check(run(["node", str(compiled / "examples" / "openapi-fetch" / "quickstart.js"), server, key, *photos],
                TYPESCRIPT))
