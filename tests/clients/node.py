"""What the client tests share: where the clients are, Node.js (or a skip), the TypeScript compiler, and running
a program that must succeed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

CLIENTS = Path(__file__).resolve().parents[2] / "clients"
TYPESCRIPT = CLIENTS / "typescript"
NODE = shutil.which("node") and shutil.which("npm")
needs_node = pytest.mark.skipif(not NODE, reason="Node.js and npm are not installed (the TypeScript client needs them)")


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """`command`'s standard output; the test fails, with both outputs, if it does not exit 0."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def tsc(*arguments: str) -> str:
    """The package's pinned TypeScript compiler, run in clients/typescript."""
    return run([str(TYPESCRIPT / "node_modules" / ".bin" / "tsc"), *arguments], TYPESCRIPT)


def build() -> Path:
    """`npm run build`: the package and its examples into clients/typescript/dist, beside node_modules."""
    tsc("-p", "tsconfig.json")
    return TYPESCRIPT / "dist"
