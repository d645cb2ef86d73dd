"""Network cards: the JSON record `make models` writes next to each ONNX file (a network: detector, landmark
model or embedder; a *model* is what a request chooses, one or more embedding networks, see pipelines.py).

The card is the contract between the build and the runtime: which file, from where, how to feed it, and (once
`bench/accuracy.py` has run) how accurate it is and what its scores mean.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from app.errors import ModelNotFound


class SourceRecord(BaseModel):
    package: str
    version: str
    path: str
    sha256: str
    license: str


class NetworkCard(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    name: str
    version: str
    task: str
    file: str
    sha256: str
    source: SourceRecord
    input: dict[str, Any]
    alignment: dict[str, Any] | None = None
    embedding_size: int | None = None
    accuracy: dict[str, Any] | None = None
    calibration: dict[str, Any] | None = None


def load_card(models_dir: Path, name: str) -> NetworkCard:
    path = models_dir / f"{name}.json"
    if not path.exists():
        raise ModelNotFound(f"no network card {path}; run `make models`")
    return NetworkCard.model_validate_json(path.read_text())


PIPELINES_FILE = "pipelines.json"


def list_cards(models_dir: Path) -> list[NetworkCard]:
    """Every network card in the folder (the pipelines file beside them is not a card)."""
    return [NetworkCard.model_validate_json(path.read_text()) for path in sorted(models_dir.glob("*.json"))
            if path.name != PIPELINES_FILE]
