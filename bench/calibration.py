"""Score → false-match rate from impostor comparisons, balanced by identity, with a cross-validated check.

Balanced: every pair of different people weighs the same, whatever their number of photos (each comparison
of identities a and b weighs 1 / (n_a * n_b)). Otherwise a few people with hundreds of photos would set the
thresholds, and a relative or look-alike of one of them would count hundreds of times.
Cross-validated: thresholds fitted on the impostors of four folds of people are applied to the fifth, and the
FMR measured there is reported beside the one claimed.
"""

from __future__ import annotations

import zlib

import numpy as np

OPERATING_POINTS = {"fmr_1e-2": 1e-2, "fmr_1e-3": 1e-3, "fmr_1e-4": 1e-4, "fmr_1e-5": 1e-5, "fmr_1e-6": 1e-6}
TABLE_FMRS = [10 ** (-k / 4) for k in range(25)]  # four points a decade, 1 to 1e-6


class Impostors:
    """Every cross-identity image pair of a set: scores, identity-balance weights and the pair's folds."""

    def __init__(self, embeddings: np.ndarray, identities: np.ndarray, folds: np.ndarray) -> None:
        _, codes, counts = np.unique(identities, return_inverse=True, return_counts=True)
        rows, cols = np.triu_indices(len(codes), k=1)
        different = codes[rows] != codes[cols]
        rows, cols = rows[different], cols[different]
        self.scores = _pair_scores(embeddings, rows, cols)
        self.weights = 1.0 / (counts[codes[rows]].astype(np.float64) * counts[codes[cols]])
        self.folds = np.stack([folds[rows], folds[cols]])

    def __len__(self) -> int:
        return len(self.scores)


def _pair_scores(embeddings: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Cosine of each (row, col) pair, a million at a time (millions of pairs would not fit at once)."""
    out = np.empty(len(rows), np.float32)
    for start in range(0, len(rows), 1_000_000):
        stop = start + 1_000_000
        out[start:stop] = np.einsum("ij,ij->i", embeddings[rows[start:stop]], embeddings[cols[start:stop]])
    return out


class Ranked:
    """Impostor scores sorted once, best first, with their cumulative weighted share: thresholds by lookup."""

    def __init__(self, scores: np.ndarray, weights: np.ndarray) -> None:
        order = np.argsort(-scores, kind="stable")
        self.scores = scores[order]
        self.share = np.cumsum(weights[order]) / weights.sum()

    def threshold(self, fmr: float) -> float:
        """The lowest threshold whose weighted share of accepted impostors is at most `fmr`."""
        accepted = int(np.searchsorted(self.share, fmr, side="right"))
        if accepted >= len(self.scores):
            return float(self.scores[-1])
        return float(np.nextafter(self.scores[accepted], np.float32(np.inf)))


def weighted_fmr(scores: np.ndarray, weights: np.ndarray, threshold: float) -> float:
    return float(weights[scores >= threshold].sum() / weights.sum())


def calibrate(impostors: Impostors) -> dict:
    """Thresholds at the named operating points and the score → FMR table, from all impostors."""
    ranked = Ranked(impostors.scores, impostors.weights)
    return {
        "score_at_fmr": {name: ranked.threshold(fmr) for name, fmr in OPERATING_POINTS.items()},
        "score_to_fmr": [[ranked.threshold(fmr), fmr] for fmr in TABLE_FMRS],
        "impostor_comparisons": len(impostors),
    }


def cross_validate(impostors: Impostors, points: dict[str, float]) -> dict[str, dict[str, float]]:
    """Per operating point: the FMR claimed, and the FMR measured on each held-out fold of people."""
    measured: dict[str, list[float]] = {name: [] for name in points}
    smallest = len(impostors)
    for fold in np.unique(impostors.folds):
        held_out = (impostors.folds[0] == fold) & (impostors.folds[1] == fold)
        train = (impostors.folds[0] != fold) & (impostors.folds[1] != fold)
        ranked = Ranked(impostors.scores[train], impostors.weights[train])
        smallest = min(smallest, int(held_out.sum()))
        for name, fmr in points.items():
            measured[name].append(weighted_fmr(impostors.scores[held_out], impostors.weights[held_out],
                                               ranked.threshold(fmr)))
    result = {}
    for name, fmr in points.items():
        ratios = np.array(measured[name]) / fmr
        result[name] = {"claimed": fmr, "measured_mean": float(np.mean(measured[name])),
                        "ratio_min": float(ratios.min()), "ratio_max": float(ratios.max()),
                        "held_out_comparisons_min": smallest}
    return result


def identity_folds(identities: np.ndarray, pairs: list[dict[str, str]], count: int = 5) -> np.ndarray:
    """Each image's fold: its person's fold in pairs.csv, else a stable hash of the name (people never split)."""
    known = {}
    for pair in pairs:
        known[pair["identity1"]] = int(pair["fold"])
        known[pair["identity2"]] = int(pair["fold"])
    count = max(count, len(set(known.values())))
    return np.array([known.get(name, zlib.crc32(name.encode()) % count) for name in identities])
