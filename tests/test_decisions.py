"""Decisions: an identification-rate operating point turns into a per-comparison threshold for the gallery's size."""

from __future__ import annotations

import numpy as np
import pytest

from app.errors import ConfigurationError
from app.services.decisions import decide, per_comparison_fmr
from app.vision.pipelines import Calibration

# A calibration shaped like a real one: FMR falls tenfold every 0.05 of score from 0.5 (FMR 1e-1) to 0.75 (1e-6).
CALIBRATION = Calibration(
    dataset="test", score_at_fmr={"fmr_1e-4": 0.65, "fmr_1e-6": 0.75},
    score_to_fmr=[(0.5 + 0.05 * k, 10.0 ** -(k + 1)) for k in range(6)])


def _fpir(fmr: float, subjects: int) -> float:
    return 1 - (1 - fmr) ** subjects


@pytest.mark.parametrize("subjects", [1, 10, 150, 1_869, 9_999])
def test_fpir_point_meets_its_rate_for_the_gallery(subjects: int) -> None:
    decision = decide(CALIBRATION, None, None, "fpir_1e-2", subjects)
    assert decision.operating_point == "fpir_1e-2"
    assert decision.fmr == pytest.approx(per_comparison_fmr(1e-2, subjects), rel=1e-6)
    assert _fpir(decision.fmr, subjects) == pytest.approx(1e-2, rel=1e-6)
    # Interpolated in log(FMR): 1,869 subjects → FMR 5.38e-6, between the 1e-5 (0.70) and 1e-6 (0.75) points.
    expected = np.interp(np.log10(decision.fmr), [-6, -5, -4, -3, -2, -1], [0.75, 0.70, 0.65, 0.60, 0.55, 0.50])
    assert decision.threshold == pytest.approx(expected)


def test_the_threshold_tightens_as_the_gallery_grows() -> None:
    thresholds = [decide(CALIBRATION, None, "fpir_1e-2", "fmr_1e-6", n).threshold for n in (1, 100, 1_000, 5_000)]
    assert thresholds == sorted(thresholds)
    assert len(set(thresholds)) == 4


def test_beyond_the_calibration_the_threshold_stops_and_says_so() -> None:
    decision = decide(CALIBRATION, None, None, "fpir_1e-2", 1_000_000)
    assert decision.threshold == pytest.approx(0.75)
    assert decision.fmr == pytest.approx(1e-6)
    assert _fpir(decision.fmr, 1_000_000) > 0.6  # what the answer's expected_fpir then reports


def test_explicit_choices_still_win() -> None:
    assert decide(CALIBRATION, 0.6, None, "fpir_1e-2", 100).threshold == 0.6
    assert decide(CALIBRATION, None, "fmr_1e-4", "fpir_1e-2", 100).threshold == 0.65
    with pytest.raises(ConfigurationError, match="identify only"):
        decide(CALIBRATION, None, "fpir_1e-2", "fmr_1e-4")
