"""Verification accuracy from pairwise scores: error rates at a threshold, the threshold for a target false-match
rate, the DET curve and its PNG. Pure numpy (and matplotlib for the picture), no server: `evaluate` feeds it.

A decision is "match" when score >= threshold, as the server decides (app/services/matching.py). A measured rate
is a count over a number of pairs, and a small number cannot show a small rate: with N impostor pairs and no
false match, FMR below 3/N is all one can claim at 95 % confidence (the rule of three), so a target FMR is
"supported" only with at least 3/target impostor pairs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Thresholds are shown and recommended with 4 decimals; rounding goes up, so a rounded threshold never lets in
# more impostors than the exact one.
DECIMALS = 4


@dataclass(frozen=True)
class Scores:
    genuine: np.ndarray  # scores of pairs of photos of the same person
    impostor: np.ndarray  # scores of pairs of photos of different people


@dataclass(frozen=True)
class Rates:
    threshold: float
    false_matches: int
    impostor_pairs: int
    false_non_matches: int
    genuine_pairs: int

    @property
    def fmr(self) -> float:
        return self.false_matches / self.impostor_pairs if self.impostor_pairs else math.nan

    @property
    def fnmr(self) -> float:
        return self.false_non_matches / self.genuine_pairs if self.genuine_pairs else math.nan


def pair_scores(embeddings: np.ndarray, people: list[str]) -> Scores:
    """Cosine similarity of every pair of (unit-length) embeddings, split by whether the people are the same.
    The product is taken in float32, as the server takes it, so the scores are the server's to the last digits."""
    vectors = np.asarray(embeddings, dtype=np.float32)
    similarity = vectors @ vectors.T
    first, second = np.triu_indices(len(people), k=1)
    labels = np.asarray(people)
    same = labels[first] == labels[second]
    scores = similarity[first, second].astype(np.float64)
    return Scores(genuine=scores[same], impostor=scores[~same])


def rates_at(scores: Scores, threshold: float) -> Rates:
    return Rates(threshold, int(np.count_nonzero(scores.impostor >= threshold)), scores.impostor.size,
                 int(np.count_nonzero(scores.genuine < threshold)), scores.genuine.size)


def supports(impostor_pairs: int, target_fmr: float) -> bool:
    """Whether this many impostor pairs can show an FMR as low as the target (rule of three)."""
    return impostor_pairs >= needed_pairs(target_fmr)


def needed_pairs(target_fmr: float) -> int:
    return math.ceil(3 / target_fmr)


def round_up(value: float) -> float:
    scale = 10**DECIMALS
    return math.ceil(value * scale - 1e-9) / scale


def threshold_for_fmr(scores: Scores, target_fmr: float) -> float:
    """The lowest threshold (with DECIMALS decimals) whose measured FMR is at most the target: just above the
    impostor score that would be one false match too many."""
    ranked = np.sort(scores.impostor)[::-1]
    allowed = math.floor(target_fmr * ranked.size + 1e-9)
    if allowed >= ranked.size:
        return round(float(min(scores.impostor.min(), scores.genuine.min(initial=1.0))), DECIMALS)
    exact = float(np.nextafter(ranked[allowed], np.inf))
    threshold = round_up(exact)
    while np.count_nonzero(scores.impostor >= threshold) > allowed:  # float rounding at the 4th decimal
        threshold = round(threshold + 10**-DECIMALS, DECIMALS)
    return threshold


def det_points(scores: Scores) -> tuple[np.ndarray, np.ndarray]:
    """(FMR, FNMR) at every distinct score as the threshold, FMR falling as the threshold rises."""
    thresholds = np.unique(np.concatenate([scores.genuine, scores.impostor]))
    impostor, genuine = np.sort(scores.impostor), np.sort(scores.genuine)
    fmr = (impostor.size - np.searchsorted(impostor, thresholds, side="left")) / max(impostor.size, 1)
    fnmr = np.searchsorted(genuine, thresholds, side="left") / max(genuine.size, 1)
    return fmr, fnmr


def equal_error_rate(scores: Scores) -> float:
    """Where FMR and FNMR cross (their mean at the threshold where they are closest)."""
    fmr, fnmr = det_points(scores)
    nearest = int(np.argmin(np.abs(fmr - fnmr)))
    return float((fmr[nearest] + fnmr[nearest]) / 2)


def plot_det(scores: Scores, marks: list[tuple[str, Rates]], path: Path, title: str) -> None:
    """The DET curve (FNMR against FMR, both on log axes) as a PNG, with `marks` (named thresholds) on it.
    Rates of zero cannot sit on a log axis: they are drawn at half a pair (0.5/N), the floor of what N can show."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fmr_floor = 0.5 / max(scores.impostor.size, 1)
    fnmr_floor = 0.5 / max(scores.genuine.size, 1)
    fmr, fnmr = det_points(scores)
    figure, axes = plt.subplots(figsize=(6.4, 5.2), dpi=120)
    try:
        axes.step(np.maximum(fmr, fmr_floor), np.maximum(fnmr, fnmr_floor), where="post", color="tab:blue",
                  label=f"your photos ({scores.genuine.size:,} genuine, {scores.impostor.size:,} impostor pairs)")
        for (name, rates), colour in zip(marks, ["tab:red", "tab:orange", "tab:green", "tab:purple", "tab:brown",
                                                   "tab:pink", "tab:olive"], strict=False):
            axes.plot(max(rates.fmr, fmr_floor), max(rates.fnmr, fnmr_floor), "o", color=colour,
                      label=f"{name} (threshold {rates.threshold:.4f})")
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xlim(fmr_floor / 2, 1.0)
        axes.set_ylim(fnmr_floor / 2, 1.0)
        axes.set_xlabel("false match rate (impostor pairs at or above the threshold)")
        axes.set_ylabel("false non-match rate (genuine pairs below it)")
        axes.set_title(title, fontsize=10)
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize=7, loc="upper right")
        figure.text(0.01, 0.01, "rates of 0 are drawn at 0.5/pairs", fontsize=6, color="grey")
        figure.tight_layout()
        figure.savefig(path, format="png")
    finally:
        plt.close(figure)
