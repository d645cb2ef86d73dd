"""Face embedding: align each face for its model, run the batch, return L2-normalised float32 rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from app.vision.alignment import arcface_crop
from app.vision.cards import ModelCard
from app.vision.dlib_chip import dlib_chip
from app.vision.runtime import InferenceModel
from app.vision.types import Face

Aligner = Callable[[np.ndarray, Face], np.ndarray]

ALIGNERS: dict[str, Aligner] = {
    "arcface_112": lambda image, face: arcface_crop(image, face.landmarks),
    "dlib_chip_150": lambda image, face: dlib_chip(image, face.landmarks, face.box),
}


class Embedder:
    """One embedding model: its card, its shared session, and the alignment its card asks for."""

    def __init__(self, card: ModelCard, model: InferenceModel) -> None:
        if card.alignment is None or card.alignment.get("template") not in ALIGNERS:
            raise ValueError(f"model card {card.name} names no known alignment template")
        self.card = card
        self.model = model
        self.name = card.name
        self._align = ALIGNERS[card.alignment["template"]]

    def align(self, image: np.ndarray, faces: Sequence[Face]) -> np.ndarray:
        """NxHxWx3 RGB uint8 crops, one per face."""
        return np.stack([self._align(image, face) for face in faces])

    def embed_crops(self, crops: np.ndarray) -> np.ndarray:
        """Embeddings of aligned crops, one batched run; rows are unit-length float32."""
        batch = np.ascontiguousarray(crops.transpose(0, 3, 1, 2), dtype=np.float32)
        (embedding,) = self.model.run(batch, ["embedding"])
        return embedding.astype(np.float32, copy=False)
