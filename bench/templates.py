"""How to score a probe against a subject with several enrolled faces: max, mean of scores, or centroid.

    python -m bench.templates [--faces ../shared/faces] [--set lfw-dev]

For every person with at least 3 photos: each photo in turn is the probe and the others the subject's faces
(genuine), and every other person's photos probe that subject too (impostor, sampled). Reports TAR at FAR 1e-3
and 1e-4 and the equal error rate per rule and pipeline; the service uses the best rule.
"""

from __future__ import annotations

import argparse

import numpy as np

from bench import metrics
from bench.accuracy import embed_set
from bench.facesets import FaceSet, add_set_arguments

RULES = ("max", "mean", "centroid")


def score(rule: str, enrolled: np.ndarray, probes: np.ndarray) -> np.ndarray:
    if rule == "centroid":
        centre = enrolled.mean(axis=0)
        return probes @ (centre / np.linalg.norm(centre))
    scores = probes @ enrolled.T
    return scores.max(axis=1) if rule == "max" else scores.mean(axis=1)


def measure(vectors: np.ndarray, identities: np.ndarray, seed: int = 0) -> dict[str, dict[str, float]]:
    rng = np.random.default_rng(seed)
    people, codes = np.unique(identities, return_inverse=True)
    members = [np.flatnonzero(codes == k) for k in range(len(people))]
    subjects = [m for m in members if len(m) >= 3]
    genuine: dict[str, list[float]] = {rule: [] for rule in RULES}
    impostor: dict[str, list[np.ndarray]] = {rule: [] for rule in RULES}
    for photos in subjects:
        others = rng.choice(np.flatnonzero(~np.isin(np.arange(len(vectors)), photos)), 300, replace=False)
        for held in range(len(photos)):
            enrolled = vectors[np.delete(photos, held)]
            for rule in RULES:
                genuine[rule].append(float(score(rule, enrolled, vectors[photos[held:held + 1]])[0]))
        for rule in RULES:
            impostor[rule].append(score(rule, vectors[photos], vectors[others]))
    result = {}
    for rule in RULES:
        g, i = np.array(genuine[rule]), np.concatenate(impostor[rule])
        result[rule] = {
            "tar_at_far_1e-3": metrics.tar_at_far(g, i, 1e-3)[0],
            "tar_at_far_1e-4": metrics.tar_at_far(g, i, 1e-4)[0],
            "eer": metrics.equal_error_rate(metrics.det_curve(g, i)),
            "genuine": len(g), "impostor": len(i), "subjects": len(subjects),
        }
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_set_arguments(parser)
    args = parser.parse_args(argv)
    faces = FaceSet.load(args.faces / args.set)
    embedded = embed_set(faces, args.models, args.workers)
    print(f"{'pipeline':14} {'rule':9} {'TAR@1e-3':>9} {'TAR@1e-4':>9} {'EER':>7}  (subjects with 3+ photos)")
    for name, vectors in embedded.vectors.items():
        if name.endswith("_flip"):
            continue
        found = embedded.found[name]
        for rule, row in measure(vectors[found], faces.identities[found]).items():
            print(f"{name:14} {rule:9} {row['tar_at_far_1e-3']:9.2%} {row['tar_at_far_1e-4']:9.2%} "
                  f"{row['eer']:7.2%}  ({row['subjects']} subjects, {row['genuine']} genuine, "
                  f"{row['impostor']} impostor)")


if __name__ == "__main__":
    main()
