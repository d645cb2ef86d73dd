"""The README's code, run as printed: each block after a `<!-- tested as printed: tests/test_readme.py -->` line.

The Python and TypeScript snippets run against a live server with a real key, in a folder holding the photos
they name (`alice.jpg`, `alice2.jpg`: two photos of one person), and must print who is in the second photo.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import ADMIN, ADMIN_KEY
from tests.clients.node import TYPESCRIPT, build, needs_node, run, tsc
from tests.servers import new_key, sqlite_server

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"<!-- tested as printed: tests/test_readme.py -->\n```(\w+)\n(.*?)```", re.DOTALL)


def blocks(language: str) -> list[str]:
    return [code for lang, code in _BLOCK.findall(README.read_text()) if lang == language]


def test_the_readme_marks_its_snippets() -> None:
    assert len(blocks("python")) == 1
    assert len(blocks("ts")) == 1
    assert len(blocks("sh")) == 1


@pytest.fixture(scope="module")
def server(models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with sqlite_server(tmp_path_factory.mktemp("readme"), models_dir) as base:
        yield base


@pytest.fixture
def env(server: str) -> dict[str, str]:
    """FACEGATE_URL and FACEGATE_KEY, as the README's snippets read them, with a fresh gallery each time."""
    secret = new_key(server, "readme", ["enroll", "identify"])
    httpx.delete(f"{server}/v1/galleries/default", headers=ADMIN)
    return {"PATH": "/usr/bin:/bin", "FACEGATE_URL": server, "FACEGATE_KEY": secret}


@pytest.fixture
def photos(faces_dir: Path, tmp_path: Path) -> Path:
    person = faces_dir / "studio" / "images" / "london_001"
    shutil.copy(person / "london_001_0001.jpg", tmp_path / "alice.jpg")
    shutil.copy(person / "london_001_0002.jpg", tmp_path / "alice2.jpg")
    return tmp_path


def test_python_snippet(env: dict[str, str], photos: Path) -> None:
    (photos / "snippet.py").write_text(blocks("python")[0])
    assert run([sys.executable, "snippet.py"], photos, env).splitlines() == ["alice"]


@needs_node
def test_typescript_snippet(env: dict[str, str], photos: Path) -> None:
    """Compiled under --strict inside the package (so `@facegate/client` resolves to it, as for a user who
    installed it), after the package itself is built, then run with Node from the photos' folder."""
    build()
    folder = TYPESCRIPT / ".readme"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    (folder / "snippet.ts").write_text(blocks("ts")[0])
    tsc("--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022",
        "--lib", "es2022,dom,dom.iterable", "--types", "node", "--rootDir", str(folder), "--outDir", str(folder),
        str(folder / "snippet.ts"))
    node = shutil.which("node")
    assert node is not None
    assert run([node, str(folder / "snippet.js")], photos, env).splitlines() == ["alice"]


def test_command_line_block(server: str, faces_dir: Path, tmp_path: Path) -> None:
    """The block runs under `bash -e` in a folder like the one it describes: `people/` with two photos each of
    two people, and `data/admin.key`."""
    studio = faces_dir / "studio" / "images"
    for person, identity in (("alice", "london_001"), ("bob", "london_002")):
        (tmp_path / "people" / person).mkdir(parents=True)
        for index in (1, 2):
            shutil.copy(studio / identity / f"{identity}_000{index}.jpg", tmp_path / "people" / person / f"{index}.jpg")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "admin.key").write_text(ADMIN_KEY)
    httpx.delete(f"{server}/v1/galleries/default", headers=ADMIN)
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "FACEGATE_URL": server, "COLUMNS": "200"}
    output = run(["bash", "-e", "-c", blocks("sh")[0]], tmp_path, env)
    assert "match: score" in output
    assert "bob (score" in output
    assert (tmp_path / "report" / "det.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "imported 2 subjects (4 faces) into copy" in output
    listed = httpx.get(f"{server}/v1/galleries", headers=ADMIN).json()["items"]
    assert {(g["gallery"], g["subject_count"], g["face_count"]) for g in listed} >= {("default", 2, 4), ("copy", 2, 4)}


def test_console_section_describes_the_page() -> None:
    """What the README says of /console is on the page: its tabs, the key kept in sessionStorage, the wording of
    a false-match rate (tests/console checks the page itself, in a browser)."""
    section = " ".join(README.read_text().split("## Web console", 1)[1].split("\n## ", 1)[0].split())
    console = README.parent / "app" / "console"
    page = (console / "index.html").read_text()
    for tab in ("Enroll", "Verify", "Identify", "Subjects"):
        assert tab.lower() in section.lower()
        assert f'aria-controls="panel-{tab.lower()}">{tab}</button>' in page
    assert "sessionStorage" in section
    assert "sessionStorage" in (console / "api.js").read_text()
    assert "a different person scores this high about 1 time in" in section
    words = (console / "words.js").read_text()
    assert "scores this high about 1 time in ${" in words
