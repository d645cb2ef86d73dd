"""Face embedding: align each face for its model, run the batch, return L2-normalised float32 rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from app.vision.alignment import arcface_crop
from app.vision.cards import NetworkCard
from app.vision.dlib_chip import ShapePredictor5, dlib_chip
from app.vision.runtime import InferenceModel
from app.vision.types import Face

Aligner = Callable[[np.ndarray, Face], np.ndarray]


def make_aligner(card: NetworkCard, models_dir: Path) -> Aligner:
    """The crop function the card's `alignment.template` names, with any landmark model it needs loaded."""
    alignment = card.alignment or {}
    template = alignment.get("template")
    if template == "arcface_112":
        return lambda image, face: arcface_crop(image, face.landmarks)
    if template == "dlib_chip_150":
        predictor = ShapePredictor5(models_dir / f"{alignment['landmark_model']}.npz")
        return lambda image, face: dlib_chip(image, face.landmarks, predictor=predictor)
    raise ValueError(f"model card {card.name} names no known alignment template ({template!r})")


class Embedder:
    """One embedding model: its card, its shared session, and the alignment its card asks for."""

    def __init__(self, card: NetworkCard, model: InferenceModel, aligner: Aligner) -> None:
        self.card = card
        self.model = model
        self.name = card.name
        self._align = aligner

    def align(self, image: np.ndarray, faces: Sequence[Face]) -> np.ndarray:
        """NxHxWx3 RGB uint8 crops, one per face."""
        return np.stack([self._align(image, face) for face in faces])

    def embed_crops(self, crops: np.ndarray) -> np.ndarray:
        """Embeddings of aligned crops, one batched run; rows are unit-length float32."""
        batch = np.ascontiguousarray(crops.transpose(0, 3, 1, 2), dtype=np.float32)
        (embedding,) = self.model.run(batch, ["embedding"])
        return embedding.astype(np.float32, copy=False)
