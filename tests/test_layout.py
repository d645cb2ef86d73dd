"""Architecture rules that a reviewer would otherwise have to remember (see STYLE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

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


def test_vision_imports_nothing_above_it() -> None:
    for path in (APP / "vision").rglob("*.py"):
        forbidden = {name for name in _imports(path) if name.startswith(("app.api", "app.services", "app.store"))}
        assert not forbidden, f"{path.name} imports {forbidden}"


def test_only_config_reads_the_environment() -> None:
    for path in APP.rglob("*.py"):
        if path.name != "config.py":
            assert "os.environ" not in path.read_text(), path
            assert "getenv" not in path.read_text(), path
