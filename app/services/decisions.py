"""Match decisions: a threshold and what it means, from an explicit value or a calibrated operating point.

Operating points come in two kinds. `fmr_1e-4` names a false-match rate per comparison: right for verify, one
comparison. `fpir_1e-2` names a false-positive identification rate: the chance that a stranger searched in the
gallery is matched to someone, which is what an operator of identify answers for. A search makes one comparison
per subject, so for N subjects the per-comparison rate is f = 1 - (1 - fpir)^(1/N) (about fpir / N), and the
threshold follows from the calibration; it tightens as the gallery grows. Below the calibrated range (FMR 1e-6:
fpir_1e-2 beyond 10,000 subjects) the threshold stops at the calibration's last point, and the answer's
`expected_fpir` says honestly that the gallery is then above the target.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.errors import ConfigurationError
from app.vision.pipelines import Calibration


@dataclass(frozen=True)
class Decision:
    """A threshold and what it means: the operating point it came from and its false-match rate."""

    threshold: float
    operating_point: str | None
    fmr: float


FPIR_PREFIX = "fpir_"


def per_comparison_fmr(fpir: float, subjects: int) -> float:
    """The FMR per comparison at which a search over `subjects` subjects matches a stranger with chance `fpir`."""
    return float(-np.expm1(np.log1p(-fpir) / max(subjects, 1)))


def expected_fpir(fmr: float, subjects: int) -> float:
    """The chance that a stranger matches one of `subjects` subjects at a per-comparison FMR: 1 - (1 - fmr)^N."""
    return float(-np.expm1(subjects * np.log1p(-min(fmr, 1 - 1e-12))))


def decide(calibration: Calibration, threshold: float | None, operating_point: str | None, default_point: str,
           subjects: int | None = None) -> Decision:
    """The threshold a request uses: explicit, or a named operating point of the pipeline's calibration (an
    `fpir_` point needs the number of subjects searched)."""
    if threshold is not None:
        return Decision(threshold, None, calibration.estimated_fmr(threshold))
    point = operating_point or default_point
    if point.startswith(FPIR_PREFIX):
        if subjects is None:
            raise ConfigurationError(f"{point} is an identification rate: it applies to identify only")
        value = calibration.threshold_at_fmr(per_comparison_fmr(float(point.removeprefix(FPIR_PREFIX)), subjects))
    else:
        value = calibration.threshold(point)
    return Decision(value, point, calibration.estimated_fmr(value))
