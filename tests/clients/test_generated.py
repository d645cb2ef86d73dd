"""The SDKs in clients/ are exactly what the generators make of the document the code serves, and compile.

CI fails here when a change to the API is not followed by `make clients`, or when someone edits generated code.
"""

from __future__ import annotations

import filecmp
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tests.clients.node import CLIENTS, TYPESCRIPT, needs_node, tsc


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate", CLIENTS / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_SKIPPED = {"__pycache__", ".ruff_cache", "node_modules", "dist"}


def _differences(made: Path, committed: Path) -> list[str]:
    """Files that differ, or are on one side only, between two trees (caches and installs left out)."""
    found: list[str] = []

    def walk(compared: filecmp.dircmp, prefix: str) -> None:
        found.extend(f"{prefix}{name} (only in one)" for name in compared.left_only + compared.right_only
                     if name not in _SKIPPED)
        _, mismatch, errors = filecmp.cmpfiles(compared.left, compared.right, compared.common_files, shallow=False)
        found.extend(f"{prefix}{name}" for name in mismatch + errors)
        for name, sub in compared.subdirs.items():
            if name not in _SKIPPED:
                walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(made, committed), "")
    return found


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[ModuleType, Path, Path]:
    generator = _generator()
    out = tmp_path_factory.mktemp("clients")
    return generator, out, generator.document(out)


def test_the_document_is_the_one_the_code_serves(generated: tuple[ModuleType, Path, Path]) -> None:
    _, _, spec = generated
    assert spec.read_text() == (CLIENTS / "openapi.json").read_text(), "run `make clients`"


def test_the_python_client_is_as_generated(generated: tuple[ModuleType, Path, Path]) -> None:
    generator, out, spec = generated
    generator.python_client(spec, out)
    assert _differences(out / "python", CLIENTS / "python") == [], "run `make clients`"


@needs_node
def test_the_typescript_clients_are_as_generated(generated: tuple[ModuleType, Path, Path]) -> None:
    generator, out, spec = generated
    generator.typescript_clients(spec, out)
    assert _differences(out / "typescript" / "src" / "client", TYPESCRIPT / "src" / "client") == []
    schema = "examples/openapi-fetch/schema.d.ts"
    assert (out / "typescript" / schema).read_text() == (TYPESCRIPT / schema).read_text(), "run `make clients`"


@needs_node
def test_the_typescript_package_and_examples_compile_under_strict(tmp_path: Path) -> None:
    tsc("-p", "tsconfig.json", "--strict", "--outDir", str(tmp_path))
    assert (tmp_path / "src" / "client" / "sdk.gen.js").is_file()
    assert (tmp_path / "examples" / "quickstart.js").is_file()
