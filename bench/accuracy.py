"""Accuracy of every embedding pipeline on a photo set in the `../shared/faces` layout.

    python -m bench.accuracy [--faces ../shared/faces] [--set lfw-dev] [--write-cards]

Pipelines: each embedder alone, each with flip-test (embedding of the crop plus its mirror), and the fusion of
both embedders (z-normalised scores, averaged). For each: accuracy per held-out fold of `pairs.csv`
(threshold chosen on the other folds), ROC AUC, EER and TAR at FAR 1e-2/1e-3/1e-4 over every comparison the
set offers (the protocol's genuine pairs against every cross-identity image pair), open-set identification from
`identification.csv` (rank-1, FNIR at FPIR 1e-2), and the detection failure rate. Prints a table, writes a JSON
report and a DET-curve PNG to `bench/out/`, and with `--write-cards` records each embedder's calibration
(score → false-match rate from the impostor scores) in `models/measured/`, which `make models` merges into the
model cards.
"""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from app.config import Settings
from app.errors import NoFace
from app.vision.cards import list_cards
from app.vision.pipeline import FacePipeline, load_pipeline
from app.vision.types import FaceSelection
from bench import calibration, metrics
from bench.facesets import ROOT, FaceSet, add_set_arguments

FARS = (1e-2, 1e-3, 1e-4)
OUT = ROOT / "bench" / "out"
_pipeline: FacePipeline | None = None


def _init_worker(models_dir: str) -> None:
    global _pipeline
    settings = Settings(runtime={"models_dir": models_dir, "intra_op_threads": 1})
    _pipeline = load_pipeline(settings.runtime, settings.detection, settings.limits)


def _embed_image(path: str) -> dict[str, np.ndarray] | None:
    """Embeddings of the centre-most face (LFW photos often show bystanders), plain and mirrored."""
    assert _pipeline is not None
    try:
        image = _pipeline.decode(Path(path).read_bytes())
        faces = _pipeline.detect(image, FaceSelection.CENTER)
    except NoFace:
        return None
    result = {}
    for name, embedder in _pipeline.embedders.items():
        crops = embedder.align(image, faces)
        plain, mirrored = embedder.embed_crops(np.concatenate([crops, crops[:, :, ::-1]]))
        result[name] = plain
        result[f"{name}_flip"] = (plain + mirrored) / np.linalg.norm(plain + mirrored)
    return result


def embed_set(faces: FaceSet, models_dir: Path, workers: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """(pipeline → N x D unit embeddings, found mask), cached per set and model files."""
    cards = sorted(card.sha256[:12] for card in list_cards(models_dir))
    cache = ROOT / "build" / "bench" / f"{faces.name}-{'-'.join(cards)}.npz"
    if cache.exists():
        stored = np.load(cache)
        return {k: stored[k] for k in stored.files if k != "found"}, stored["found"]
    paths = [str(faces.image(path)) for path in faces.paths]
    results: list[dict[str, np.ndarray] | None] = []
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(str(models_dir),)) as pool:
        for result in pool.map(_embed_image, paths, chunksize=16):
            results.append(result)
            if len(results) % 1000 == 0:
                print(f"  embedded {len(results)}/{len(paths)} images", flush=True)
    found = np.array([r is not None for r in results])
    names = next(r for r in results if r is not None).keys()
    embeddings = {
        name: np.stack([r[name] if r is not None else np.zeros_like(results[found.argmax()][name])
                        for r in results]).astype(np.float32)
        for name in names
    }
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, found=found, **embeddings)
    return embeddings, found


def impostor_scores(embeddings: np.ndarray, identities: np.ndarray, found: np.ndarray) -> np.ndarray:
    """Scores of every pair of images of different people (both with a detected face): millions on LFW."""
    index = np.flatnonzero(found)
    matrix = embeddings[index] @ embeddings[index].T
    different = identities[index][:, None] != identities[index][None, :]
    return matrix[np.triu(different, k=1)]


def evaluate(name: str, embeddings: np.ndarray, faces: FaceSet, found: np.ndarray) -> dict[str, Any]:
    index = faces.index()
    first = np.array([index[p["path1"]] for p in faces.pairs])
    second = np.array([index[p["path2"]] for p in faces.pairs])
    labels = np.array([int(p["label"]) for p in faces.pairs])
    folds = np.array([int(p["fold"]) for p in faces.pairs])
    # A photo without a detected face cannot match: its pairs count as rejected.
    pair_scores = np.where(found[first] & found[second],
                           np.einsum("ij,ij->i", embeddings[first], embeddings[second]), -np.inf)
    accuracy = metrics.fold_accuracy(pair_scores, labels, folds)
    # Genuine: the protocol's same-person pairs, balanced over people. All same-person image pairs would be
    # dominated by the few people with hundreds of photos (one has 530: 140,000 pairs).
    genuine = pair_scores[labels == 1]
    impostor = impostor_scores(embeddings, faces.identities, found)
    curve = metrics.det_curve(genuine, impostor)
    balanced = calibration.Impostors(embeddings[found], faces.identities[found],
                                     calibration.identity_folds(faces.identities, faces.pairs)[found])
    report: dict[str, Any] = {
        "pipeline": name,
        "accuracy": float(np.mean(accuracy)),
        "accuracy_std": float(np.std(accuracy)),
        "accuracy_folds": accuracy,
        "accuracy_protocol": "threshold from the other folds" if len(accuracy) > 1
        else "one fold: threshold fitted on the same pairs",
        "auc": metrics.roc_auc(genuine, impostor),
        "eer": metrics.equal_error_rate(curve),
        "genuine_comparisons": len(genuine),
        "impostor_comparisons": len(impostor),
        "tar_at_far": {f"{far:g}": metrics.tar_at_far(genuine, impostor, far)[0] for far in FARS},
        "detection_failures": int((~found).sum()),
        "detection_failure_rate": float((~found).mean()),
        "calibration": {
            "dataset": faces.name,
            "method": "impostor comparisons balanced by identity (each pair of people weighs the same)",
            **calibration.calibrate(balanced),
            "cross_validation": calibration.cross_validate(
                balanced, {k: v for k, v in calibration.OPERATING_POINTS.items() if v >= 1e-4}),
        },
    }
    if faces.roles:
        report.update(_identification(embeddings, faces, found))
    report["_curve"] = curve
    return report


def _identification(embeddings: np.ndarray, faces: FaceSet, found: np.ndarray) -> dict[str, Any]:
    index = faces.index()
    by_role: dict[str, list[int]] = {}
    for path, role in faces.roles.items():
        by_role.setdefault(role, []).append(index[path])
    gallery = np.array([i for i in by_role["gallery"] + by_role.get("gallery_distractor", []) if found[i]])
    probes = np.array(by_role["probe"])
    unknown = np.array(by_role.get("unknown_probe", []))
    probe_scores = np.where(found[probes][:, None], embeddings[probes] @ embeddings[gallery].T, -np.inf)
    unknown_scores = np.where(found[unknown][:, None], embeddings[unknown] @ embeddings[gallery].T, -np.inf)
    mates = faces.identities[probes][:, None] == faces.identities[gallery][None, :]
    result = metrics.open_set_search(probe_scores, mates, unknown_scores, fpir=1e-2)
    return {"rank1": result.rank1, "fnir_at_fpir_1e-2": result.fnir_at_fpir, "gallery_size": len(gallery),
            "probes": len(probes), "unknown_probes": len(unknown)}


def _plot(reports: list[dict[str, Any]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 5))
    for report in reports:
        curve = report["_curve"]
        keep = (curve.far > 0) & (curve.frr > 0)
        ax.loglog(curve.far[keep], curve.frr[keep], label=f"{report['pipeline']} (EER {report['eer']:.2%})")
    ax.set(xlabel="false match rate (FMR)", ylabel="false non-match rate (FNMR)", title=title,
           xlim=(1e-6, 1), ylim=(1e-4, 1))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _table(reports: list[dict[str, Any]]) -> str:
    head = (f"{'pipeline':22} {'accuracy':>15} {'AUC':>8} {'EER':>7} {'TAR@1e-2':>9} {'TAR@1e-3':>9} "
            f"{'TAR@1e-4':>9} {'rank-1':>7} {'FNIR@1e-2':>10} {'no face':>8}")
    lines = [head, "-" * len(head)]
    for r in reports:
        tar = r["tar_at_far"]
        lines.append(
            f"{r['pipeline']:22} {r['accuracy']:>8.2%} ±{r['accuracy_std']:.2%} {r['auc']:>8.5f} {r['eer']:>7.2%} "
            f"{tar['0.01']:>9.2%} {tar['0.001']:>9.2%} {tar['0.0001']:>9.2%} {r.get('rank1', float('nan')):>7.2%} "
            f"{r.get('fnir_at_fpir_1e-2', float('nan')):>10.2%} {r['detection_failures']:>8}"
        )
    return "\n".join(lines)


def fused(parts: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """The fused embedding `app.vision.pipelines` computes: weighted concatenation, normalised."""
    block = np.concatenate([np.sqrt(weights[name]) * parts[name] for name in weights], axis=1)
    norms = np.linalg.norm(block, axis=1, keepdims=True)
    return (block / np.where(norms > 0, norms, 1)).astype(np.float32)


def pipelines(embeddings: dict[str, np.ndarray], faces: FaceSet, found: np.ndarray
              ) -> dict[str, tuple[dict[str, Any], np.ndarray]]:
    """name → (definition for pipelines.json, N x D embeddings): each model, with flip, and their fusion.

    Fusion weights are 1 / sd of each model's impostor scores (normalised to sum 1): the same ranking as
    averaging z-normalised scores.
    """
    models = sorted(name for name in embeddings if not name.endswith("_flip"))
    result = {}
    for flip in (False, True):
        suffix = "_flip" if flip else ""
        for model in models:
            result[model + suffix] = ({"parts": {model: 1.0}, "flip": flip}, embeddings[model + suffix])
        if len(models) >= 2:
            spread = {m: float(impostor_scores(embeddings[m + suffix], faces.identities, found).std()) for m in models}
            total = sum(1 / sd for sd in spread.values())
            weights = {m: (1 / spread[m]) / total for m in models}
            parts = {m: embeddings[m + suffix] for m in models}
            result["fusion" + suffix] = ({"parts": weights, "flip": flip}, fused(parts, weights))
    return result


def run(faces: FaceSet, models_dir: Path, workers: int, write_cards: bool) -> list[dict[str, Any]]:
    embeddings, found = embed_set(faces, models_dir, workers)
    defined = pipelines(embeddings, faces, found)
    reports = [evaluate(name, vectors, faces, found) for name, (_, vectors) in defined.items()]
    print(f"\n{faces.name}: {len(faces.paths)} images; accuracy on {len(faces.pairs)} pairs in "
          f"{len({p['fold'] for p in faces.pairs})} folds (threshold from the other folds); AUC, EER and TAR from "
          f"{reports[0]['genuine_comparisons']} genuine pairs against {reports[0]['impostor_comparisons']} impostor "
          f"comparisons (all cross-identity image pairs)\n")
    print(_table(reports))
    print("\n" + _calibration_table(reports))
    OUT.mkdir(parents=True, exist_ok=True)
    _plot(reports, OUT / f"det-{faces.name}.png", f"DET on {faces.name}")
    clean = [{k: v for k, v in r.items() if not k.startswith("_")} for r in reports]
    (OUT / f"accuracy-{faces.name}.json").write_text(json.dumps(clean, indent=2) + "\n")
    print(f"\nwrote {OUT / f'accuracy-{faces.name}.json'} and {OUT / f'det-{faces.name}.png'}")
    if write_cards:
        _write_measured(clean, {name: definition for name, (definition, _) in defined.items()}, faces.name)
    return clean


def _calibration_table(reports: list[dict[str, Any]]) -> str:
    """Claimed FMR vs the FMR measured on held-out folds of people, per operating point."""
    points = list(reports[0]["calibration"]["cross_validation"])
    lines = ["calibration check: FMR measured on held-out folds / claimed (min..max over folds)",
             f"{'pipeline':22} " + " ".join(f"{p:>16}" for p in points)]
    for r in reports:
        cv = r["calibration"]["cross_validation"]
        lines.append(f"{r['pipeline']:22} " + " ".join(
            f"{cv[p]['ratio_min']:>7.2f}..{cv[p]['ratio_max']:<7.2f}" for p in points))
    return "\n".join(lines)


def _write_measured(reports: list[dict[str, Any]], definitions: dict[str, dict[str, Any]], set_name: str) -> None:
    """Record every pipeline's definition, accuracy and calibration (models/measured/pipelines.json), and each
    single model's figures for its model card (models/measured/<model>.json)."""
    measured = ROOT / "models" / "measured"
    measured.mkdir(exist_ok=True)
    records = {}
    for report in reports:
        name = report["pipeline"]
        accuracy = {k: v for k, v in report.items() if k not in {"pipeline", "calibration"}}
        record = {
            "accuracy": {"dataset": set_name, "command": "python -m bench.accuracy --write-cards", **accuracy},
            "calibration": report["calibration"],
        }
        records[name] = {**definitions[name], **record}
        if definitions[name]["parts"] == {name: 1.0}:
            (measured / f"{name}.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    (measured / "pipelines.json").write_text(json.dumps(records, indent=2, sort_keys=True) + "\n")
    print(f"wrote {measured / 'pipelines.json'} and the model cards' figures")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_set_arguments(parser)
    parser.add_argument("--write-cards", action="store_true")
    args = parser.parse_args(argv)
    faces = FaceSet.load(args.faces / args.set)
    if not faces.pairs:
        parser.error(f"{faces.root} has no pairs.csv: accuracy needs labelled pairs")
    run(faces, args.models, args.workers, args.write_cards)


if __name__ == "__main__":
    main()
