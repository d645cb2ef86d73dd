"""Read models: what the services hand the HTTP layer about subjects and faces, as plain typed values."""

from __future__ import annotations

from collections.abc import Sequence
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
class BoxView:
    x: float
    y: float
    width: float
    height: float

    @classmethod
    def of(cls, box: Sequence[float] | np.ndarray) -> BoxView:
        x, y, width, height = (float(value) for value in box)
        return cls(x, y, width, height)


@dataclass(frozen=True)
class Geometry:
    """Where a face is: box, the five landmarks, the detector's score, and (for a face just seen) its quality."""

    box: BoxView
    landmarks: list[tuple[float, float]]
    detection_score: float
    quality: dict[str, float] | None


@dataclass(frozen=True)
class SeenGeometry(Geometry):
    """A face of the photo a request sent, with how it was chosen: the faces found there and the rule used."""

    faces_found: int
    face_selection: str


def geometry(embedded: EmbeddedFace) -> SeenGeometry:
    face = embedded.face
    return SeenGeometry(BoxView.of(face.box), [(float(x), float(y)) for x, y in np.asarray(face.landmarks)],
                        float(face.score), embedded.quality.as_dict(), embedded.faces_found, str(embedded.selection))


@dataclass(frozen=True)
class FaceView(Geometry):
    face_id: str
    subject: str
    gallery: str
    model: str
    model_version: str
    image_sha256: str
    created_at: datetime

    @classmethod
    def of(cls, face: Face, subject: Subject) -> FaceView:
        return cls(BoxView.of(face.box), [(float(x), float(y)) for x, y in face.landmarks], face.detection_score,
                   None, face.id, subject.external_id, subject.gallery, face.model, face.model_version,
                   face.image_sha256, face.created_at)
