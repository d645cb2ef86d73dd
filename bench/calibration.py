"""Score → false-match rate from impostor comparisons, balanced by identity, with a cross-validated check.

Balanced: every pair of different people weighs the same, whatever their number of photos (each comparison
of identities a and b weighs 1 / (n_a * n_b)). Otherwise a few people with hundreds of photos would set the
thresholds, and a relative or look-alike of one of them would count hundreds of times.
Cross-validated: thresholds fitted on the impostors of four folds of people are applied to the fifth, and the
FMR measured there is reported beside the one claimed.
"""

from __future__ import annotations

import math
import zlib

import numpy as np

from app.services.decisions import decide
from app.vision.pipelines import Calibration

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


def identity_folds(identities: np.ndarray, pairs: list[dict[str, str]], count: int = 5) -> np.ndarray:
    """Each image's fold: its person's fold in pairs.csv, else a stable hash of the name (people never split)."""
    known = {}
    for pair in pairs:
        known[pair["identity1"]] = int(pair["fold"])
        known[pair["identity2"]] = int(pair["fold"])
    count = max(count, len(set(known.values())))
    return np.array([known.get(name, zlib.crc32(name.encode()) % count) for name in identities])


# Identify's default names a false-positive identification rate (`fpir_1e-2`): the service turns it into a
# per-comparison FMR for the gallery's number of subjects, f = 1 - (1 - fpir)^(1/N), and a threshold from the FMR
# table. That step assumes a stranger's comparisons with different people are independent; whether the FPIR it
# promises holds is measured here on people the table never saw.
FPIR_CHECKS = {"fpir_1e-2": 1e-2}
GALLERY_SIZES = (100, 1000)


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def _chance_of_no_match(shares: np.ndarray, size: int) -> np.ndarray:
    """Per stranger (a row: for each of M people, the share of their photos the stranger reaches): the chance
    that a gallery of `size` of the people, drawn at random, each enrolled with one of their photos at random,
    holds nobody the stranger reaches. With y_j = 1 - share_j over the R people reached and U = M - R the
    others, that is sum_i e_i(y) C(U, size - i) / C(M, size), e_i the elementary symmetric sums: exact, and
    cheap because a stranger reaches few people at the thresholds that matter."""
    people = shares.shape[1]
    out = np.empty(len(shares))
    for row, stranger in enumerate(shares):
        misses = 1.0 - stranger[stranger > 0]
        sums = np.zeros(len(misses) + 1)
        sums[0] = 1.0
        for miss in misses:  # e_i of the first j values, for every i, one value at a time
            sums[1:] = sums[1:] + miss * sums[:-1]
        unreached = people - len(misses)
        out[row] = sum(sums[i] * math.exp(_log_choose(unreached, size - i) - _log_choose(people, size))
                       for i in range(len(sums)) if 0 <= size - i <= unreached)
    return out


def measured_fpir(strangers: np.ndarray, gallery: np.ndarray, stranger_codes: np.ndarray,
                  gallery_codes: np.ndarray, threshold: float, size: int) -> float:
    """The FPIR of searching each stranger (rows of `strangers`, unit embeddings) in galleries of `size` people
    drawn at random from those of `gallery`, each enrolled with one of their photos at random: the expectation
    over every such gallery, computed rather than sampled. Strangers are balanced by person."""
    people, person = np.unique(gallery_codes, return_inverse=True)
    of_person = np.zeros((len(gallery_codes), len(people)))
    of_person[np.arange(len(gallery_codes)), person] = 1.0
    of_person /= of_person.sum(axis=0)  # each photo: its share of its person
    no_match = _chance_of_no_match((strangers @ gallery.T >= threshold) @ of_person, size)
    _, stranger_index, stranger_counts = np.unique(stranger_codes, return_inverse=True, return_counts=True)
    weights = 1.0 / stranger_counts[stranger_index]
    return float(np.sum(weights * (1 - no_match)) / weights.sum())


def cross_validate(impostors: Impostors, points: dict[str, float], embeddings: np.ndarray, identities: np.ndarray,
                   folds: np.ndarray) -> dict[str, dict[str, float]]:
    """Tables fitted on the impostors of four folds of people, checked on the fifth. Per FMR point: the FMR
    claimed and the FMR measured on the held-out fold's impostors. Per FPIR point and gallery size: the threshold
    the service would use (`decide`, from the four folds' table) and the FPIR measured with the held-out fold's
    photos as strangers searched in galleries of the four folds' people (`measured_fpir`)."""
    measured: dict[str, list[float]] = {}
    smallest = len(impostors)
    for fold in np.unique(impostors.folds):
        held_out = (impostors.folds[0] == fold) & (impostors.folds[1] == fold)
        train = (impostors.folds[0] != fold) & (impostors.folds[1] != fold)
        ranked = Ranked(impostors.scores[train], impostors.weights[train])
        smallest = min(smallest, int(held_out.sum()))
        for name, fmr in points.items():
            measured.setdefault(name, []).append(weighted_fmr(impostors.scores[held_out], impostors.weights[held_out],
                                                              ranked.threshold(fmr)))
        table = Calibration(dataset="four folds", score_at_fmr={}, score_to_fmr=[
            (ranked.threshold(fmr), fmr) for fmr in TABLE_FMRS])
        strangers, known = folds == fold, folds != fold
        for name in FPIR_CHECKS:
            for size in GALLERY_SIZES:
                threshold = decide(table, None, name, name, size).threshold
                measured.setdefault(f"{name}@{size}", []).append(measured_fpir(
                    embeddings[strangers], embeddings[known], identities[strangers], identities[known], threshold,
                    size))
    result = {}
    for key, values in measured.items():
        name, _, size = key.partition("@")
        claimed = points[name] if name in points else FPIR_CHECKS[name]
        ratios = np.array(values) / claimed
        result[key] = {"claimed": claimed, "measured_mean": float(np.mean(values)),
                       "ratio_min": float(ratios.min()), "ratio_max": float(ratios.max())}
        result[key].update({"gallery_size": int(size)} if size else {"held_out_comparisons_min": smallest})
    return result
