"""Architecture rules that a reviewer would otherwise have to remember (see STYLE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_only_the_runtime_module_imports_onnxruntime() -> None:
    importers = sorted(
        str(path.relative_to(APP)) for path in APP.rglob("*.py")
        if any(name.split(".")[0] == "onnxruntime" for name in _imports(path))
    )
    assert importers == ["vision/runtime.py"]


# Imports run one way: api → services → {vision, store} → errors; vision and store never import each other.
FORBIDDEN = {
    "vision": ("app.api", "app.services", "app.store", "app.main", "fastapi"),
    "store": ("app.api", "app.services", "app.vision", "app.main", "fastapi"),
    "services": ("app.api", "app.main", "fastapi"),
}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layers_import_nothing_above_them(layer: str) -> None:
    modules = sorted((APP / layer).glob("*.py"))
    assert len(modules) > 2
    for path in modules:
        forbidden = {name for name in _imports(path) if name.startswith(FORBIDDEN[layer])}
        assert not forbidden, f"{layer}/{path.name} imports {forbidden}"


def test_nothing_below_the_api_raises_http_errors() -> None:
    for layer in FORBIDDEN:
        for path in (APP / layer).glob("*.py"):
            assert "HTTPException" not in path.read_text(), path


def test_only_config_reads_the_environment() -> None:
    for path in APP.rglob("*.py"):
        if path.name != "config.py":
            assert "os.environ" not in path.read_text(), path
            assert "getenv" not in path.read_text(), path
