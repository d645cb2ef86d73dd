"""Plain value types passed between the vision stages."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np


class FaceSelection(StrEnum):
    """Which detected faces a request wants (app/vision/detection.py's `select_faces` says how each rule picks)."""

    PRIMARY = "primary"
    LARGEST = "largest"
    CENTER = "center"
    ALL = "all"
    REQUIRE_SINGLE = "require_single"


@dataclass(frozen=True, slots=True)
class Face:
    """A detected face in original-image pixels.

    `box` is (x, y, width, height); `landmarks` is 5x2: right eye, left eye, nose tip, right and left mouth
    corners (the subject's right and left).
    """

    box: np.ndarray
    landmarks: np.ndarray
    score: float

    @property
    def area(self) -> float:
        return float(self.box[2] * self.box[3])

    @property
    def center(self) -> np.ndarray:
        return self.box[:2] + self.box[2:] / 2


@dataclass(frozen=True, slots=True)
class Quality:
    """A face's quality figures (app/vision/quality.py measures them and says what each one means)."""

    interocular_px: float
    sharpness: float
    yaw: float
    roll_deg: float
    brightness: float
    detection_score: float

    def as_dict(self) -> dict[str, float]:
        return {name: round(float(getattr(self, name)), 4) for name in self.__dataclass_fields__}


@dataclass(frozen=True, slots=True)
class EmbeddedFace:
    """A face with its L2-normalised embedding from one pipeline, its quality figures, and how it was chosen:
    the number of faces the detector found in its image and the selection rule that kept it."""

    face: Face
    embedding: np.ndarray
    model: str
    quality: Quality
    faces_found: int
    selection: FaceSelection
