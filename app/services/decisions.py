"""Match decisions: a threshold and what it means, from an explicit value or a calibrated operating point."""

from __future__ import annotations

from dataclasses import dataclass

from app.vision.pipelines import Calibration


@dataclass(frozen=True)
class Decision:
    """A threshold and what it means: the operating point it came from and its false-match rate."""

    threshold: float
    operating_point: str | None
    fmr: float


def decide(calibration: Calibration, threshold: float | None, operating_point: str | None, default_point: str
           ) -> Decision:
    """The threshold a request uses: explicit, or a named operating point of the pipeline's calibration."""
    if threshold is not None:
        return Decision(threshold, None, calibration.estimated_fmr(threshold))
    point = operating_point or default_point
    value = calibration.threshold(point)
    return Decision(value, point, calibration.estimated_fmr(value))
