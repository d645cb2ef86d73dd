"""Photo bytes → the faces a request uses: the vision pipeline, then the quality gate of the use.

Enroll, verify and identify all read their photos here, and `python -m bench.accuracy` measures through this same
object, so the published accuracy is that of the request path: its decoding, detection, face selection and gate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.config import QualitySettings
from app.errors import LowQuality
from app.vision.pipeline import FacePipeline
from app.vision.quality import QualityPolicy
from app.vision.types import EmbeddedFace, FaceSelection

# Told each photo's stage timings (seconds) and the number of faces kept: the metrics, in the service.
Observer = Callable[[dict[str, float], int], None]


@dataclass
class FaceReader:
    pipeline: FacePipeline
    quality: QualitySettings
    observe: Observer | None = None
    enroll_gate: QualityPolicy = field(init=False)
    probe_gate: QualityPolicy = field(init=False)

    def __post_init__(self) -> None:
        """The quality gates, built once from settings rather than on every request."""
        self.enroll_gate = QualityPolicy(self.quality.enroll)
        self.probe_gate = QualityPolicy(self.quality.probe)

    def faces(self, data: bytes, model: str, selection: FaceSelection) -> list[EmbeddedFace]:
        """The faces `selection` keeps, embedded by `model`, ungated."""
        timings: dict[str, float] = {}
        faces = self.pipeline.process(data, model, selection, timings)
        if self.observe is not None:
            self.observe(timings, len(faces))
        return faces

    def probe(self, data: bytes, model: str, selection: FaceSelection) -> EmbeddedFace:
        """The one face a verify compares; LowQuality if it misses the probe gate."""
        face = self.faces(data, model, selection)[0]
        failures = self.probe_gate.failures(face.quality)
        if failures:
            raise LowQuality("probe", failures)
        return face

    def probes(self, data: bytes, model: str, selection: FaceSelection) -> list[EmbeddedFace]:
        """The faces an identify searches for: those that pass the probe gate; LowQuality if none does (with
        the failures of the first face, the one `primary`, `center` or `largest` chose)."""
        found = self.faces(data, model, selection)
        failures = [self.probe_gate.failures(face.quality) for face in found]
        usable = [face for face, failed in zip(found, failures, strict=True) if not failed]
        if not usable:
            raise LowQuality("probe", failures[0])
        return usable

    def enrollee(self, data: bytes, model: str, selection: FaceSelection) -> EmbeddedFace:
        """The face an enroll stores; LowQuality if it misses the (stricter) enrollment gate."""
        (face,) = self.faces(data, model, selection)
        failures = self.enroll_gate.failures(face.quality)
        if failures:
            raise LowQuality("enrollment", failures)
        return face
