"""The error-rate arithmetic of `facegate evaluate`, on scores small enough to count by hand (no server)."""

from __future__ import annotations

import numpy as np
from facegate_cli.det import Scores, pair_scores, rates_at, supports, threshold_for_fmr


def test_pairs_split_by_person_and_score_as_cosines() -> None:
    vectors = np.eye(3, dtype=np.float32)[[0, 0, 1, 2]]  # photos 0 and 1 are the same vector
    scores = pair_scores(vectors, ["ann", "ann", "ben", "cat"])
    assert scores.genuine.tolist() == [1.0]
    assert sorted(scores.impostor.tolist()) == [0.0] * 5


def test_threshold_for_a_target_lets_in_no_more_impostors_than_it_allows() -> None:
    scores = Scores(genuine=np.array([0.995, 0.97, 0.5]), impostor=np.linspace(0.0, 0.99, 100))
    threshold = threshold_for_fmr(scores, 0.05)
    rates = rates_at(scores, threshold)
    assert rates.false_matches == 5  # the 5 highest of 100 impostors
    assert rates_at(scores, threshold - 1e-4).false_matches == 6  # the lowest such threshold, to 4 decimals
    assert rates.threshold == 0.9401  # just above the 6th highest impostor, 0.94
    assert rates.false_non_matches == 1
    assert rates_at(scores, 0.98).false_non_matches == 2


def test_a_match_is_a_score_at_or_above_the_threshold() -> None:
    scores = Scores(genuine=np.array([0.7]), impostor=np.array([0.7]))
    assert (rates_at(scores, 0.7).false_matches, rates_at(scores, 0.7).false_non_matches) == (1, 0)


def test_a_small_rate_needs_enough_impostor_pairs_to_show() -> None:
    assert supports(300, 1e-2)
    assert not supports(299, 1e-2)
