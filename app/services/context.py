"""What every use case needs, built once at start-up and shared: models, database sessions, search index.

Writes (enroll, delete) hold `write_lock` from their database commit until the index reflects it, so that the
index applies changes in commit order and always equals the database; inference happens before, unlocked.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from app.config import DecisionSettings, QualitySettings
from app.services.audit import AuditLog
from app.services.keys import KeyService
from app.services.ratelimit import RateLimiter
from app.services.workqueue import ModelQueue
from app.store.index import SearchIndex
from app.store.orm import Face, Subject
from app.telemetry.metrics import Metrics
from app.vision.pipeline import FacePipeline
from app.vision.quality import QualityPolicy
from app.vision.types import EmbeddedFace, FaceSelection


@dataclass
class Services:
    pipeline: FacePipeline
    sessions: sessionmaker[Session]
    index: SearchIndex
    decisions: DecisionSettings
    default_model: str
    quality: QualitySettings
    metrics: Metrics
    keys: KeyService
    audit: AuditLog
    limiter: RateLimiter
    queue: ModelQueue
    auth_enabled: bool = True
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    enroll_gate: QualityPolicy = field(init=False)
    probe_gate: QualityPolicy = field(init=False)

    def __post_init__(self) -> None:
        """The quality gates, built once from settings rather than on every request."""
        self.enroll_gate = QualityPolicy(**self.quality.enroll.model_dump())
        self.probe_gate = QualityPolicy(**self.quality.probe.model_dump())

    def process(self, data: bytes, model: str, selection: FaceSelection) -> list[EmbeddedFace]:
        """The vision pipeline, with its stage timings and face count recorded."""
        timings: dict[str, float] = {}
        faces = self.pipeline.process(data, model, selection, timings)
        self.metrics.observe_stages(timings)
        self.metrics.faces.observe(len(faces))
        return faces

    def model(self, name: str | None) -> str:
        """The embedding pipeline a request asked for, or the default; unknown names raise ModelNotFound."""
        chosen = name or self.default_model
        self.pipeline.pipeline(chosen)
        return chosen

    def decision(self, model: str, threshold: float | None, operating_point: str | None, default_point: str
                 ) -> Decision:
        """The threshold a request uses: explicit, or a named operating point of the pipeline's calibration."""
        calibration = self.pipeline.pipeline(model).calibration
        if threshold is not None:
            return Decision(threshold, None, calibration.estimated_fmr(threshold))
        point = operating_point or default_point
        value = calibration.threshold(point)
        return Decision(value, point, calibration.estimated_fmr(value))

    def estimated_fmr(self, model: str, score: float) -> float:
        return self.pipeline.pipeline(model).calibration.estimated_fmr(score)


@dataclass(frozen=True)
class Decision:
    """A threshold and what it means: the operating point it came from and its false-match rate."""

    threshold: float
    operating_point: str | None
    fmr: float


@dataclass(frozen=True)
class SubjectView:
    subject: str
    gallery: str
    name: str | None
    metadata: dict
    face_count: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, subject: Subject, face_count: int) -> SubjectView:
        return cls(subject.external_id, subject.gallery, subject.name, dict(subject.metadata_ or {}), face_count,
                   subject.created_at, subject.updated_at)


@dataclass(frozen=True)
class FaceView:
    face_id: str
    subject: str
    gallery: str
    model: str
    model_version: str
    box: list[float]
    landmarks: list[list[float]]
    detection_score: float
    image_sha256: str
    created_at: datetime

    @classmethod
    def of(cls, face: Face, subject: Subject) -> FaceView:
        return cls(face.id, subject.external_id, subject.gallery, face.model, face.model_version, list(face.box),
                   [list(point) for point in face.landmarks], face.detection_score, face.image_sha256,
                   face.created_at)


def geometry(embedded: EmbeddedFace) -> dict:
    """A face's box, landmarks, score and quality figures as plain JSON-ready values."""
    face = embedded.face
    return {
        "box": [float(v) for v in face.box],
        "landmarks": [[float(x), float(y)] for x, y in np.asarray(face.landmarks)],
        "detection_score": float(face.score),
        "quality": embedded.quality.as_dict(),
    }
