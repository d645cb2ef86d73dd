"""Reading a photo set in the `../shared/faces` layout (see its README): manifest, pairs, identification."""

from __future__ import annotations

import argparse
import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def default_faces_dir() -> Path:
    value = os.environ.get("FACEGATE_FACES")
    return Path(value) if value else ROOT.parent / "shared" / "faces"


def add_set_arguments(parser: argparse.ArgumentParser, workers: int | None = None) -> None:
    """The options every bench over a photo set shares: where the sets are, which one, which models."""
    parser.add_argument("--faces", type=Path, default=default_faces_dir())
    parser.add_argument("--set", default="lfw-dev")
    parser.add_argument("--models", type=Path, default=ROOT / "build" / "models")
    parser.add_argument("--workers", type=int, default=workers or os.cpu_count() or 1)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


@dataclass(frozen=True)
class FaceSet:
    """One set: its images (paths relative to `images/`) with identities, pairs and 1:N roles."""

    root: Path
    paths: list[str]
    identities: np.ndarray
    pairs: list[dict[str, str]]
    roles: dict[str, str]

    @classmethod
    def load(cls, root: Path) -> FaceSet:
        manifest = _rows(root / "manifest.csv")
        pairs_file, roles_file = root / "pairs.csv", root / "identification.csv"
        return cls(
            root=root,
            paths=[row["path"] for row in manifest],
            identities=np.array([row["identity"] for row in manifest]),
            pairs=_rows(pairs_file) if pairs_file.exists() else [],
            roles={row["path"]: row["role"] for row in _rows(roles_file)} if roles_file.exists() else {},
        )

    @property
    def name(self) -> str:
        return self.root.name

    def image(self, path: str) -> Path:
        return self.root / "images" / path

    def index(self) -> dict[str, int]:
        return {path: i for i, path in enumerate(self.paths)}
