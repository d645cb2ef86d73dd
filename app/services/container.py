"""What every use case needs, built once at start-up and shared: models, sessions, search, keys, audit, limits."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from app.config import DecisionSettings, QualitySettings
from app.services.audit import AuditLog
from app.services.decisions import Decision, decide
from app.services.keys import KeyService
from app.services.photos import FaceReader
from app.services.ratelimit import RateLimiter
from app.services.search import TemplateSearch
from app.services.workqueue import ModelQueue
from app.telemetry.metrics import Metrics
from app.vision.pipeline import FacePipeline


@dataclass
class Services:
    pipeline: FacePipeline
    sessions: sessionmaker[Session]
    search: TemplateSearch
    decisions: DecisionSettings
    default_model: str
    quality: QualitySettings
    metrics: Metrics
    keys: KeyService
    audit: AuditLog
    limiter: RateLimiter
    queue: ModelQueue
    auth_enabled: bool = True
    photos: FaceReader = field(init=False)

    def __post_init__(self) -> None:
        self.photos = FaceReader(self.pipeline, self.quality, self._observe)

    def _observe(self, timings: dict[str, float], faces: int) -> None:
        self.metrics.observe_stages(timings)
        self.metrics.faces.observe(faces)

    def model(self, name: str | None) -> str:
        """The embedding pipeline a request asked for, or the default; unknown names raise ModelNotFound."""
        chosen = name or self.default_model
        self.pipeline.pipeline(chosen)
        return chosen

    def version(self, model: str) -> str:
        return self.pipeline.pipeline(model).version

    def decision(self, model: str, threshold: float | None, operating_point: str | None, default_point: str,
                 subjects: int | None = None) -> Decision:
        return decide(self.pipeline.pipeline(model).calibration, threshold, operating_point, default_point, subjects)

    def estimated_fmr(self, model: str, score: float) -> float:
        return self.pipeline.pipeline(model).calibration.estimated_fmr(score)
