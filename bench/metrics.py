"""Biometric accuracy measures, in numpy: ROC/DET, EER, TAR at FAR, fold-held-out accuracy, 1:N search.

Conventions: a score is a similarity (higher = more alike); a comparison is accepted when score >= threshold.
FAR (= FMR) is the share of impostor comparisons accepted, TAR the share of genuine ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# The score of a comparison that could not be made (a photo refused, no face): below every cosine, so it is
# rejected at any threshold, and finite, so that curves can span it.
REFUSED = -2.0


def threshold_at_far(impostor: np.ndarray, far: float) -> float:
    """The smallest threshold whose false-accept rate over `impostor` scores is at most `far`."""
    ordered = np.sort(impostor)[::-1]
    allowed = int(np.floor(far * len(ordered)))
    if allowed >= len(ordered):
        return float(ordered[-1])
    # Accepting the `allowed` highest impostors at most: cut just above the next one.
    return float(np.nextafter(ordered[allowed], np.inf))


def tar_at_far(genuine: np.ndarray, impostor: np.ndarray, far: float) -> tuple[float, float]:
    """(TAR, threshold) at the given FAR."""
    threshold = threshold_at_far(impostor, far)
    return float(np.mean(genuine >= threshold)), threshold


def far_at(impostor_sorted: np.ndarray, threshold: float | np.ndarray) -> np.ndarray:
    """FAR at threshold(s), from impostor scores sorted ascending."""
    accepted = len(impostor_sorted) - np.searchsorted(impostor_sorted, threshold, side="left")
    return accepted / len(impostor_sorted)


def roc_auc(genuine: np.ndarray, impostor: np.ndarray) -> float:
    """P(genuine score > impostor score), ties counted half (Mann-Whitney U)."""
    impostor_sorted = np.sort(impostor)
    below = np.searchsorted(impostor_sorted, genuine, side="left")
    tied = np.searchsorted(impostor_sorted, genuine, side="right") - below
    return float((below.sum() + 0.5 * tied.sum()) / (len(genuine) * len(impostor)))


@dataclass(frozen=True)
class Curve:
    thresholds: np.ndarray
    far: np.ndarray
    frr: np.ndarray


def det_curve(genuine: np.ndarray, impostor: np.ndarray, points: int = 400) -> Curve:
    """FAR and FRR over thresholds spanning the genuine and the top impostor scores."""
    impostor_sorted = np.sort(impostor)
    genuine_sorted = np.sort(genuine)
    low = min(genuine_sorted[0], impostor_sorted[0])
    high = max(genuine_sorted[-1], impostor_sorted[-1])
    thresholds = np.unique(np.concatenate([
        np.linspace(low, high, points),
        genuine_sorted[:: max(1, len(genuine_sorted) // points)],
        impostor_sorted[-min(len(impostor_sorted), 5 * points):],
    ]))
    far = far_at(impostor_sorted, thresholds)
    frr = np.searchsorted(genuine_sorted, thresholds, side="left") / len(genuine_sorted)
    return Curve(thresholds, far, frr)


def equal_error_rate(curve: Curve) -> float:
    index = int(np.argmin(np.abs(curve.far - curve.frr)))
    return float((curve.far[index] + curve.frr[index]) / 2)


def best_threshold(scores: np.ndarray, labels: np.ndarray) -> float:
    """The threshold maximising accuracy on labelled pairs (midpoint between neighbouring scores)."""
    order = np.argsort(scores)
    sorted_scores, sorted_labels = scores[order], labels[order].astype(bool)
    # Accuracy when the cut sits below index i: impostors below are right, genuines at or above are right.
    impostors_below = np.concatenate([[0], np.cumsum(~sorted_labels)])
    genuines_above = sorted_labels.sum() - np.concatenate([[0], np.cumsum(sorted_labels)])
    correct = impostors_below + genuines_above
    best = int(np.argmax(correct))
    if best == 0:
        return float(sorted_scores[0] - 1e-6)
    if best == len(sorted_scores):
        return float(sorted_scores[-1] + 1e-6)
    return float((sorted_scores[best - 1] + sorted_scores[best]) / 2)


def fold_accuracy(scores: np.ndarray, labels: np.ndarray, folds: np.ndarray) -> list[float]:
    """Accuracy on each fold with the threshold chosen on all the other folds (LFW's protocol).

    A set with a single fold has no other folds: its one figure uses the threshold fitted on itself.
    """
    if len(np.unique(folds)) == 1:
        threshold = best_threshold(scores, labels)
        return [float(np.mean((scores >= threshold) == labels.astype(bool)))]
    result = []
    for fold in np.unique(folds):
        held_out = folds == fold
        threshold = best_threshold(scores[~held_out], labels[~held_out])
        result.append(float(np.mean((scores[held_out] >= threshold) == labels[held_out].astype(bool))))
    return result


@dataclass(frozen=True)
class SearchResult:
    rank1: float
    fnir_at_fpir: float
    threshold: float


def open_set_search(probe_scores: np.ndarray, probe_is_mate: np.ndarray, unknown_scores: np.ndarray,
                    fpir: float) -> SearchResult:
    """1:N identification from score matrices against one gallery.

    `probe_scores` (P x G) are known probes' scores, `probe_is_mate` (P x G) marks each probe's own gallery
    entries, `unknown_scores` (U x G) are probes whose person is not enrolled. Rank-1 ignores thresholds; FNIR
    is the share of known probes whose best mate is not the top candidate above the threshold that lets
    through a share `fpir` of the unknown probes.
    """
    top = probe_scores.argmax(axis=1)
    rank1_hit = probe_is_mate[np.arange(len(top)), top]
    threshold = threshold_at_far(unknown_scores.max(axis=1), fpir)
    top_score = probe_scores[np.arange(len(top)), top]
    found = rank1_hit & (top_score >= threshold)
    return SearchResult(float(rank1_hit.mean()), float(1 - found.mean()), threshold)
