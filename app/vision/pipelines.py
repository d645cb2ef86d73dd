"""Models: what a stored embedding is made of, and what its scores mean.

A *model* is what a request chooses (`model`) and what faces and templates are stored under; here each is
served by an `EmbeddingPipeline`. A model is one embedding network or several, each optionally with flip-test
(the crop and its mirror embedded together, their sum normalised). Several networks are fused by concatenating
their unit embeddings with weights w_i (sum 1) and normalising: the cosine of two fused embeddings is then
sum_i w_i * cosine_i, a linear score fusion. With w_i proportional to 1 / sd of network i's impostor scores this
ranks comparisons exactly as averaging z-normalised scores does, and it keeps one vector per face, so fused
embeddings are stored, indexed and searched like any other.

Definitions, measured accuracy and calibration come from `pipelines.json` (written by `bench/accuracy.py`,
copied into the models folder by `make models`). A model's embeddings are only ever compared with embeddings
of the same model version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from app.errors import ConfigurationError
from app.vision.cards import PIPELINES_FILE, NetworkCard
from app.vision.embedding import Embedder
from app.vision.types import Face


class Calibration(BaseModel):
    """Score → estimated false-match rate, from impostor comparisons balanced by identity."""

    model_config = ConfigDict(extra="allow")

    dataset: str
    score_at_fmr: dict[str, float] = Field(description="Named operating points, e.g. fmr_1e-4 → threshold.")
    score_to_fmr: list[tuple[float, float]] = Field(description="(threshold, FMR) pairs, FMR decreasing.")

    def threshold(self, operating_point: str) -> float:
        if operating_point not in self.score_at_fmr:
            raise ConfigurationError(f"no calibrated operating point {operating_point!r}; "
                                     f"known: {sorted(self.score_at_fmr)}")
        return self.score_at_fmr[operating_point]

    def threshold_at_fmr(self, fmr: float) -> float:
        """The threshold whose FMR is `fmr`, interpolated in log(FMR) between calibrated points; beyond the table
        the threshold of its last point (whose FMR, larger than asked, `estimated_fmr` then reports)."""
        thresholds = np.array([point[0] for point in self.score_to_fmr])
        log_fmr = np.log10([point[1] for point in self.score_to_fmr])
        return float(np.interp(np.log10(fmr), log_fmr[::-1], thresholds[::-1]))

    def estimated_fmr(self, score: float) -> float:
        """FMR of a threshold at `score`, interpolated in log(FMR) between calibrated points."""
        thresholds = np.array([point[0] for point in self.score_to_fmr])
        log_fmr = np.log10([point[1] for point in self.score_to_fmr])
        if score <= thresholds[0]:
            return float(10 ** log_fmr[0])
        if score >= thresholds[-1]:
            return float(10 ** log_fmr[-1])
        return float(10 ** np.interp(score, thresholds, log_fmr))


class PipelineRecord(BaseModel):
    model_config = ConfigDict(extra="allow")

    parts: dict[str, float] = Field(description="Embedder name → fusion weight (weights sum to 1).")
    flip: bool = False
    accuracy: dict[str, Any] | None = None
    calibration: Calibration | None = None


def load_records(models_dir: Path) -> dict[str, PipelineRecord]:
    path = models_dir / PIPELINES_FILE
    if not path.exists():
        raise ConfigurationError(f"no {path}; run `make models`")
    return {name: PipelineRecord.model_validate(value) for name, value in json.loads(path.read_text()).items()}


def pipeline_version(name: str, record: PipelineRecord, cards: Mapping[str, NetworkCard]) -> str:
    """`<name>-<16 hex>`: a digest of everything that changes the pipeline's vectors (each embedder's file, its
    alignment and the landmark model that alignment uses, the fusion weights, flip-test). Vectors of two
    versions are never compared; detection settings move landmarks a little but keep vectors comparable, so
    they are left out."""
    parts = {}
    for embedder, weight in sorted(record.parts.items()):
        card = cards[embedder]
        landmarks = (card.alignment or {}).get("landmark_model")
        geometry = {key: value for key, value in (card.alignment or {}).items() if key != "method"}  # not prose
        parts[embedder] = {"sha256": card.sha256, "alignment": geometry, "weight": weight,
                           "landmarks": cards[landmarks].sha256 if landmarks else None}
    payload = json.dumps({"parts": parts, "flip": record.flip}, sort_keys=True)
    return f"{name}-{hashlib.sha256(payload.encode()).hexdigest()[:16]}"


class EmbeddingPipeline:
    """Serves one model: turns faces in an image into its unit embeddings."""

    def __init__(self, name: str, record: PipelineRecord, embedders: Mapping[str, Embedder], version: str) -> None:
        missing = set(record.parts) - set(embedders)
        if missing:
            raise ConfigurationError(f"pipeline {name} needs embedder(s) {sorted(missing)}, which are not loaded")
        self.name = name
        self.record = record
        self.parts = [(embedders[model], float(np.sqrt(weight))) for model, weight in record.parts.items()]
        self.version = version
        # What `version` was before it covered the weights; stored rows written then are renamed at start-up.
        self.legacy_version = "+".join(f"{e.name}:{e.card.version}" for e, _ in self.parts) + (
            ":flip" if record.flip else "")

    @property
    def dim(self) -> int:
        """Length of this pipeline's vectors: the fused embedders' sizes added up."""
        return sum(int(embedder.card.embedding_size or 0) for embedder, _ in self.parts)

    @property
    def calibration(self) -> Calibration:
        if self.record.calibration is None:
            raise ConfigurationError(f"pipeline {self.name} has no calibration; run bench/accuracy.py")
        return self.record.calibration

    def embed(self, image: np.ndarray, faces: Sequence[Face], timings: dict[str, float] | None = None
              ) -> np.ndarray:
        blocks = []
        for embedder, scale in self.parts:
            crops = embedder.align(image, faces)
            if self.record.flip:
                both = embedder.embed_crops(np.concatenate([crops, crops[:, :, ::-1]]))
                vectors = both[: len(faces)] + both[len(faces):]
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            else:
                vectors = embedder.embed_crops(crops)
            blocks.append(scale * vectors)
        fused = np.concatenate(blocks, axis=1)
        return (fused / np.linalg.norm(fused, axis=1, keepdims=True)).astype(np.float32)
