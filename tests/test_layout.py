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


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """app module -> the app modules it imports (`from app.x import y` counts as app.x.y when y is a module),
    TYPE_CHECKING imports included: a cycle hidden behind one is still a cycle to a reader."""
    paths = {_module_name(path): path for path in APP.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = package.rsplit(".", node.level - 1)[0] if node.level else ""
                source = ".".join(part for part in (base, node.module) if part)
                targets.update(f"{source}.{alias.name}" if f"{source}.{alias.name}" in paths else source
                               for alias in node.names)
        graph[module] = {target for target in targets if target in paths and target != module}
    return graph


def test_app_modules_import_one_way() -> None:
    """No import cycle among app modules: each can be read (and loaded) after the ones it imports."""
    graph = _import_graph()
    assert "app.vision.types" in graph["app.vision.quality"]  # the graph sees `from app.vision.types import ...`
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = [*path[path.index(module):], module]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if module in done:
            return
        for target in sorted(graph[module]):
            visit(target, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
