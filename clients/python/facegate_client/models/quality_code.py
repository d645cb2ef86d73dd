from enum import StrEnum


class QualityCode(StrEnum):
    BLURRY = "BLURRY"
    FACE_TOO_SMALL = "FACE_TOO_SMALL"
    LOW_DETECTION_SCORE = "LOW_DETECTION_SCORE"
    POSE_TOO_FAR = "POSE_TOO_FAR"
    TILTED = "TILTED"
    TOO_BRIGHT = "TOO_BRIGHT"
    TOO_DARK = "TOO_DARK"

    def __str__(self) -> str:
        return str(self.value)
