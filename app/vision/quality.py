"""Face quality figures and the gate that turns them into reasons, before a face is enrolled or searched.

Figures, all cheap (a 112x112 grey crop and the 5 landmarks; well under a millisecond):
- `interocular_px`: distance between the eye centres in original pixels (how much detail the face has);
- `sharpness`: variance of the Laplacian of the aligned crop (low = blurred or out of focus);
- `yaw`: nose offset from the eye midline over the inter-ocular distance (0 = frontal, ~±0.5 = half profile);
- `roll_deg`: angle of the eye line, full circle (-180..180: an upside-down face is ~180, not ~0, because the
  landmarks keep their meaning once app/vision/orientation.py has found which way up the face is); the crop
  is rotated upright anyway, but strong roll often comes with pose, and 90 or 180 means a mis-rotated photo;
- `brightness`: mean grey level of the crop, 0..255 (under- or over-exposed faces lose their features);
- `detection_score`: the detector's confidence.

The figures are a `Quality` (app/vision/types.py); the gate's limits are a `QualityLimits` (app/config.py), one
set for enrollment and one for probes.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from app.config import QualityLimits
from app.errors import QualityFailure
from app.vision.alignment import arcface_crop
from app.vision.types import Face, Quality


def measure(image: np.ndarray, face: Face) -> Quality:
    right_eye, left_eye, nose = (np.asarray(point, np.float64) for point in face.landmarks[:3])
    eyes = left_eye - right_eye
    interocular = float(np.hypot(*eyes))
    # Nose offset along the eye line from the eyes' midpoint, in inter-ocular distances.
    yaw = float(np.dot(nose - (right_eye + left_eye) / 2, eyes) / max(interocular, 1e-6) ** 2)
    gray = cv2.cvtColor(arcface_crop(image, face.landmarks), cv2.COLOR_RGB2GRAY)
    return Quality(
        interocular_px=interocular,
        sharpness=float(cv2.Laplacian(gray, cv2.CV_64F).var()),
        yaw=yaw,
        roll_deg=math.degrees(math.atan2(eyes[1], eyes[0])),
        brightness=float(gray.mean()),
        detection_score=float(face.score),
    )


class QualityPolicy:
    """A quality gate: the `QualityLimits` a face must meet; each limit it misses is one `QualityFailure`."""

    def __init__(self, limits: QualityLimits) -> None:
        self.limits = limits

    def failures(self, quality: Quality) -> list[QualityFailure]:
        limits = self.limits
        checks = [  # (code, figure, value, limit, failed)
            ("FACE_TOO_SMALL", "interocular_px", quality.interocular_px, limits.min_interocular_px,
             quality.interocular_px < limits.min_interocular_px),
            ("BLURRY", "sharpness", quality.sharpness, limits.min_sharpness, quality.sharpness < limits.min_sharpness),
            ("POSE_TOO_FAR", "yaw", quality.yaw, limits.max_abs_yaw, abs(quality.yaw) > limits.max_abs_yaw),
            ("TILTED", "roll_deg", quality.roll_deg, limits.max_abs_roll_deg,
             abs(quality.roll_deg) > limits.max_abs_roll_deg),
            ("TOO_DARK", "brightness", quality.brightness, limits.min_brightness,
             quality.brightness < limits.min_brightness),
            ("TOO_BRIGHT", "brightness", quality.brightness, limits.max_brightness,
             quality.brightness > limits.max_brightness),
            ("LOW_DETECTION_SCORE", "detection_score", quality.detection_score, limits.min_detection_score,
             quality.detection_score < limits.min_detection_score),
        ]
        return [QualityFailure(code, figure, round(float(value), 4), float(limit))
                for code, figure, value, limit, failed in checks if failed]
