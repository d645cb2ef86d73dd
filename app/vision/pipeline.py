"""bytes → faces → aligned crops → embeddings: the path every endpoint takes.

`load_pipeline` builds it once from settings (the models are shared by every request); `FacePipeline.process`
is synchronous and CPU-bound, so the service calls it from a worker thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import cv2
import numpy as np

from app.config import DetectionSettings, LimitSettings, RuntimeSettings
from app.errors import ModelNotFound
from app.vision.cards import NetworkCard, list_cards, load_card
from app.vision.decode import DecodeLimits, decode_image
from app.vision.detection import FaceDetector, select_faces
from app.vision.embedding import Embedder, make_aligner
from app.vision.orientation import upright
from app.vision.pipelines import EmbeddingPipeline, load_records, pipeline_version
from app.vision.quality import measure
from app.vision.runtime import InferenceModel
from app.vision.types import EmbeddedFace, Face, FaceSelection

log = logging.getLogger(__name__)

DETECTOR = "yunet"


@contextmanager
def _timed(timings: dict[str, float] | None, stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
            timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


class FacePipeline:
    """Decoder, detector, the embedders, and the embedding pipelines built from them."""

    def __init__(self, limits: DecodeLimits, detector: FaceDetector, embedders: Mapping[str, Embedder],
                 pipelines: Mapping[str, EmbeddingPipeline] | None = None) -> None:
        self.limits = limits
        self.detector = detector
        self.embedders = dict(embedders)
        self.pipelines = dict(pipelines or {})

    def embedder(self, model: str) -> Embedder:
        try:
            return self.embedders[model]
        except KeyError:
            raise ModelNotFound(f"model {model!r} is not loaded; loaded: {sorted(self.embedders)}") from None

    def pipeline(self, name: str) -> EmbeddingPipeline:
        try:
            return self.pipelines[name]
        except KeyError:
            raise ModelNotFound(f"model {name!r} is not loaded; loaded: {sorted(self.pipelines)}") from None

    @property
    def cards(self) -> list[NetworkCard]:
        return [self.detector.card, *(embedder.card for embedder in self.embedders.values())]

    def decode(self, data: bytes, timings: dict[str, float] | None = None) -> np.ndarray:
        with _timed(timings, "decode"):
            return decode_image(data, self.limits)

    def detect(self, image: np.ndarray, selection: FaceSelection,
               timings: dict[str, float] | None = None) -> tuple[list[Face], int]:
        """(the faces `selection` keeps, turned upright; how many faces the detector found)."""
        with _timed(timings, "detect"):
            found = self.detector.detect(image)
            return upright(self.detector, image, select_faces(found, selection, image.shape)), len(found)

    def embed(self, image: np.ndarray, faces: list[Face], model: str,
              timings: dict[str, float] | None = None) -> np.ndarray:
        """Embeddings of `faces` by the pipeline `model` (alignment included)."""
        pipeline = self.pipeline(model)
        with _timed(timings, "embed"):
            return pipeline.embed(image, faces)

    def process(self, data: bytes, model: str, selection: FaceSelection = FaceSelection.PRIMARY,
                timings: dict[str, float] | None = None) -> list[EmbeddedFace]:
        """Decode, detect, select and embed; raises the `InvalidImage` / `FaceError` family on bad input."""
        self.pipeline(model)
        image = self.decode(data, timings)
        faces, found = self.detect(image, selection, timings)
        embeddings = self.embed(image, faces, model, timings)
        return [EmbeddedFace(face, vector, model, measure(image, face), found, selection)
                for face, vector in zip(faces, embeddings, strict=True)]

    def warm_up(self) -> None:
        """Run every model once so the first request does not pay for ONNX Runtime's lazy initialisation."""
        image = np.full((256, 256, 3), 128, np.uint8)
        self.detector.detect(image)
        face = Face(np.array([64, 64, 128, 128], np.float32),
                    np.array([[100, 110], [156, 110], [128, 140], [106, 170], [150, 170]], np.float32), 1.0)
        upright(self.detector, image, [face])
        for name in self.pipelines:
            self.embed(image, [face], name)


def load_pipeline(runtime: RuntimeSettings, detection: DetectionSettings, limits: LimitSettings,
                  models: list[str] | None = None) -> FacePipeline:
    """Load the detector, every built embedder, and the pipelines named in `models` (default: all)."""
    # OpenCV's own thread pool fights ONNX Runtime's on small machines (measured: 2 threads slower than 1).
    cv2.setNumThreads(1)

    def session(card: NetworkCard) -> InferenceModel:
        return InferenceModel(runtime.models_dir / card.file, runtime.providers, runtime.intra_op_threads,
                              required=runtime.require_providers)

    detector_card = load_card(runtime.models_dir, DETECTOR)
    detector = FaceDetector(detector_card, session(detector_card), detection, limits.max_faces)
    by_name = {card.name: card for card in list_cards(runtime.models_dir)}
    cards = [card for card in by_name.values() if card.task == "embedding"]
    embedders = {card.name: Embedder(card, session(card), make_aligner(card, runtime.models_dir)) for card in cards}
    records = load_records(runtime.models_dir)
    if models is not None:
        missing = set(models) - set(records)
        if missing:
            raise ModelNotFound(f"model(s) {sorted(missing)} not built in {runtime.models_dir}")
        records = {name: record for name, record in records.items() if name in models}
    pipelines = {name: EmbeddingPipeline(name, record, embedders, pipeline_version(name, record, by_name))
                 for name, record in records.items()}
    return FacePipeline(DecodeLimits.from_settings(limits), detector, embedders, pipelines)
