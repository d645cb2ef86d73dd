"""Read models: what the services hand the HTTP layer about subjects and faces, as plain typed values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from app.store.orm import Face, Subject
from app.vision.types import EmbeddedFace


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
