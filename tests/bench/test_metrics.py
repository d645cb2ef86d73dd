"""The accuracy measures on small hand-checked score sets."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bench import metrics


def test_threshold_at_far_accepts_at_most_that_share() -> None:
    impostor = np.arange(1000, dtype=np.float64) / 1000  # 0.000 .. 0.999
    threshold = metrics.threshold_at_far(impostor, 0.01)
    assert np.mean(impostor >= threshold) == pytest.approx(0.01)
    assert 0.989 < threshold <= 0.990 + 1e-9


def test_tar_at_far() -> None:
    impostor = np.linspace(0, 0.5, 10_000)
    genuine = np.array([0.2, 0.45, 0.499, 0.6, 0.9])
    tar, threshold = metrics.tar_at_far(genuine, impostor, 1e-3)
    assert threshold == pytest.approx(0.4995, abs=1e-4)
    assert tar == pytest.approx(0.4)


def test_auc_counts_ties_as_half() -> None:
    assert metrics.roc_auc(np.array([1.0, 2.0]), np.array([0.0, 0.5])) == 1.0
    assert metrics.roc_auc(np.array([0.5]), np.array([0.5])) == 0.5
    assert metrics.roc_auc(np.array([0.0]), np.array([1.0])) == 0.0


def test_eer_of_overlapping_uniforms() -> None:
    rng = np.random.default_rng(0)
    genuine = rng.uniform(0.5, 1.5, 20_000)
    impostor = rng.uniform(0.0, 1.0, 20_000)
    # The curves cross at 0.75 where both error rates are 25 %.
    assert metrics.equal_error_rate(metrics.det_curve(genuine, impostor)) == pytest.approx(0.25, abs=0.01)


def test_fold_accuracy_uses_the_other_folds_threshold() -> None:
    scores = np.array([0.1, 0.9, 0.2, 0.8, 0.45, 0.55])
    labels = np.array([0, 1, 0, 1, 1, 0])
    folds = np.array([0, 0, 1, 1, 2, 2])
    # Folds 0 and 1 are separable; fold 2 is inverted around any threshold learned from the others.
    assert metrics.fold_accuracy(scores, labels, folds) == [1.0, 1.0, 0.0]


def test_open_set_search() -> None:
    probe_scores = np.array([[0.9, 0.1], [0.3, 0.4], [0.2, 0.7]])
    mates = np.array([[True, False], [True, False], [False, True]])
    unknown_scores = np.array([[0.5, 0.2], [0.1, 0.35]] * 50)
    result = metrics.open_set_search(probe_scores, mates, unknown_scores, fpir=0.01)
    assert result.rank1 == pytest.approx(2 / 3)
    assert result.threshold > 0.5
    # Probe 0 (0.9) and probe 2 (0.7) are found above the threshold; probe 1 is ranked wrong.
    assert result.fnir_at_fpir == pytest.approx(1 / 3)


def test_single_fold_fits_its_own_threshold() -> None:
    scores = np.array([0.1, 0.2, 0.8, 0.9, 0.3])
    labels = np.array([0, 0, 1, 1, 1])
    assert metrics.fold_accuracy(scores, labels, np.zeros(5, int)) == [1.0]


def test_balanced_calibration_weighs_people_not_photos() -> None:
    from bench import calibration

    # Person a has 3 photos, b and c one each: pairs a-b (x3), a-c (x3), b-c (x1).
    scores = np.array([0.9, 0.9, 0.9, 0.1, 0.1, 0.1, 0.5])
    weights = np.array([1 / 3] * 6 + [1.0])
    ranked = calibration.Ranked(scores, weights)
    # Balanced, the a-b pair of people is a third of the impostor mass, not 3/7 of it.
    assert calibration.weighted_fmr(scores, weights, 0.8) == pytest.approx(1 / 3)
    assert ranked.threshold(0.34) <= 0.9
    assert ranked.threshold(0.33) > 0.9


def test_no_match_chance_is_the_exact_count_of_galleries() -> None:
    """A stranger who reaches K of M people is missed by C(M - K, N) / C(M, N) of the galleries of N of them."""
    from bench import calibration

    reached = [0, 1, 3, 7]
    shares = np.array([[1.0] * k + [0.0] * (10 - k) for k in reached])
    chances = calibration._chance_of_no_match(shares, 4)
    np.testing.assert_allclose(chances, [math.comb(10 - k, 4) / math.comb(10, 4) for k in reached], rtol=1e-9)
    assert chances[-1] == 0.0  # 7 of 10 reached: every gallery of 4 holds one


def test_fpir_is_measured_over_every_gallery_of_the_size() -> None:
    """Galleries of 2 of 4 people. Stranger s1 reaches only p1 (in half of the galleries), s2 reaches one of
    p2's two photos (p2 counts half: a quarter of the galleries), s3 nobody; each stranger is one person."""
    from bench import calibration

    def unit(degrees: float) -> np.ndarray:
        return np.array([np.cos(np.radians(degrees)), np.sin(np.radians(degrees))], np.float32)

    gallery = np.stack([unit(0), unit(90), unit(180), unit(200), unit(270)])  # p1, p2 (two photos), p3, p4
    gallery_people = np.array(["p1", "p2", "p2", "p3", "p4"])
    strangers = np.stack([unit(10), unit(175), unit(135)])
    fpir = calibration.measured_fpir(strangers, gallery, np.array(["s1", "s2", "s3"]), gallery_people,
                                     threshold=0.95, size=2)
    assert fpir == pytest.approx((1 / 2 + 1 / 4 + 0) / 3)
