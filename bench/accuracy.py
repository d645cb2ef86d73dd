"""Accuracy of every served embedding pipeline on a photo set, measured through the request path.

    python -m bench.accuracy [--faces ../shared/faces] [--set lfw-dev] [--pipelines fusion] [--selection primary]
                             [--write-cards]
    python -m bench.accuracy --url http://127.0.0.1:8000 --key KEY      (a running server, over HTTP)

Each photo is read by `FaceReader` (app/services/photos.py), the object enroll, verify and identify read their
photos with, with the API's defaults: decoding, detection, the default face selection (`--selection` measures
another rule), the probe quality gate, and each pipeline as the service loads it (flip-test and fusion included).
A photo the probe gate refuses, or with no face, fails every pair and search it is in, as it would for a user; a
gallery photo the enrollment gate refuses is not enrolled. `--url` measures a running server the same way over
HTTP (bench/accuracy_http.py); tests/bench/test_accuracy.py shows that both paths give the same embeddings.

For each pipeline: accuracy per held-out fold of `pairs.csv` (threshold chosen on the other folds), ROC AUC, EER
and TAR at FAR 1e-2/1e-3/1e-4 over every comparison the set offers (the protocol's genuine pairs against every
cross-identity image pair), open-set identification from `identification.csv` (rank-1, FNIR at FPIR 1e-2), and
the photos refused (with the figures and limits they missed). Prints a table, writes a JSON report and a DET-curve
PNG to `bench/out/`, and with `--write-cards` records each pipeline's calibration (score → false-match rate from
the impostor scores) in `models/measured/`, which `make models` merges into the model cards.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.api.requests import VerifyRequest
from app.config import Settings
from app.errors import FaceError, InvalidImage
from app.services.photos import FaceReader
from app.vision.cards import list_cards
from app.vision.pipeline import load_pipeline
from app.vision.types import FaceSelection
from bench import calibration, metrics
from bench.facesets import ROOT, FaceSet, add_set_arguments

FARS = (1e-2, 1e-3, 1e-4)
OUT = ROOT / "bench" / "out"
# What the API takes when a request does not say: the figures are those of a request that does not.
DEFAULT_SELECTION = FaceSelection(VerifyRequest.model_fields["face_selection"].default)
_reader: FaceReader | None = None


def reader(models_dir: Path) -> FaceReader:
    """The service's photo reader, from default settings (one inference thread: the bench runs one per core)."""
    settings = Settings(runtime={"models_dir": models_dir, "intra_op_threads": 1})
    return FaceReader(load_pipeline(settings.runtime, settings.detection, settings.limits), settings.quality)


def _init_worker(models_dir: str) -> None:
    global _reader
    _reader = reader(Path(models_dir))


@dataclass(frozen=True)
class Read:
    """One photo as the service reads it: each pipeline's embedding of the selected face (None: no usable face),
    why the probe gate refused it (or the error, e.g. NO_FACE), and whether the enrollment gate would take it."""

    vectors: dict[str, np.ndarray | None]
    refused: list[str]
    enrollable: bool


def read_photo(photo: FaceReader, data: bytes, pipelines: list[str], selection: FaceSelection) -> Read:
    """`FaceReader.probe` and `.enrollee` in one pass: the same face, embedding and gates, decoded once per
    pipeline as a request would."""
    vectors: dict[str, np.ndarray | None] = {}
    refused: list[str] = []
    enrollable = False
    for name in pipelines:
        try:
            face = photo.faces(data, name, selection)[0]
        except (InvalidImage, FaceError) as error:
            return Read(dict.fromkeys(pipelines), [error.code], False)
        failures = photo.probe_gate.failures(face.quality)
        refused = [str(failure) for failure in failures]
        enrollable = not photo.enroll_gate.failures(face.quality)
        vectors[name] = None if failures else face.embedding
    return Read(vectors, refused, enrollable)


def _read(job: tuple[str, list[str], str]) -> Read:
    assert _reader is not None
    path, pipelines, selection = job
    return read_photo(_reader, Path(path).read_bytes(), pipelines, FaceSelection(selection))


@dataclass(frozen=True)
class Embedded:
    """A set read by the service: per pipeline, N x D unit embeddings (zeros where `found` is False)."""

    vectors: dict[str, np.ndarray]
    found: dict[str, np.ndarray]
    enrollable: np.ndarray
    refused: dict[str, list[str]]


def _cache_key(faces: FaceSet, models_dir: Path, pipelines: list[str], selection: FaceSelection) -> str:
    """Everything the reading depends on: model files, pipeline definitions, settings, selection, the code."""
    digest = hashlib.sha256()
    for card in sorted(list_cards(models_dir), key=lambda card: card.name):
        digest.update(card.sha256.encode())
    digest.update((models_dir / "pipelines.json").read_bytes())
    settings = Settings(runtime={"models_dir": models_dir})
    digest.update(settings.model_dump_json(include={"detection", "quality", "limits"}).encode())
    digest.update(f"{pipelines}{selection}".encode())
    for source in sorted([*(ROOT / "app" / "vision").glob("*.py"), ROOT / "app" / "services" / "photos.py"]):
        digest.update(source.read_bytes())
    return f"{faces.name}-{digest.hexdigest()[:16]}"


def embed_set(faces: FaceSet, models_dir: Path, workers: int, pipelines: list[str] | None = None,
              selection: FaceSelection = DEFAULT_SELECTION) -> Embedded:
    """Every photo of the set read by the service (cached under build/bench by everything that changes it)."""
    if pipelines is None:
        pipelines = sorted(json.loads((models_dir / "pipelines.json").read_text()))
    cache = ROOT / "build" / "bench" / f"{_cache_key(faces, models_dir, pipelines, selection)}.npz"
    if cache.exists():
        stored = np.load(cache, allow_pickle=False)
        refused = json.loads(str(stored["refused"]))
        return Embedded({name: stored[f"v_{name}"] for name in pipelines},
                        {name: stored[f"f_{name}"] for name in pipelines}, stored["enrollable"], refused)
    jobs = [(str(faces.image(path)), pipelines, str(selection)) for path in faces.paths]
    reads: list[Read] = []
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(str(models_dir),)) as pool:
        for read in pool.map(_read, jobs, chunksize=16):
            reads.append(read)
            if len(reads) % 1000 == 0:
                print(f"  read {len(reads)}/{len(jobs)} photos", flush=True)
    vectors, found = {}, {}
    for name in pipelines:
        dim = next(len(v) for r in reads if (v := r.vectors[name]) is not None)
        found[name] = np.array([r.vectors[name] is not None for r in reads])
        vectors[name] = np.stack([r.vectors[name] if r.vectors[name] is not None else np.zeros(dim, np.float32)
                                  for r in reads]).astype(np.float32)
    enrollable = np.array([r.enrollable for r in reads])
    refused = {path: r.refused for path, r in zip(faces.paths, reads, strict=True) if r.refused}
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, enrollable=enrollable, refused=np.array(json.dumps(refused)),
             **{f"v_{n}": v for n, v in vectors.items()}, **{f"f_{n}": f for n, f in found.items()})
    return Embedded(vectors, found, enrollable, refused)


def impostor_scores(embeddings: np.ndarray, identities: np.ndarray, found: np.ndarray) -> np.ndarray:
    """Scores of every pair of images of different people (both with a detected face): millions on LFW."""
    index = np.flatnonzero(found)
    matrix = embeddings[index] @ embeddings[index].T
    different = identities[index][:, None] != identities[index][None, :]
    return matrix[np.triu(different, k=1)]


def evaluate(name: str, embeddings: np.ndarray, faces: FaceSet, found: np.ndarray, enrollable: np.ndarray
             ) -> dict[str, Any]:
    index = faces.index()
    first = np.array([index[p["path1"]] for p in faces.pairs])
    second = np.array([index[p["path2"]] for p in faces.pairs])
    labels = np.array([int(p["label"]) for p in faces.pairs])
    folds = np.array([int(p["fold"]) for p in faces.pairs])
    # A photo without a usable face cannot match: its pairs count as rejected.
    pair_scores = np.where(found[first] & found[second],
                           np.einsum("ij,ij->i", embeddings[first], embeddings[second]), metrics.REFUSED)
    accuracy = metrics.fold_accuracy(pair_scores, labels, folds)
    # Genuine: the protocol's same-person pairs, balanced over people. All same-person image pairs would be
    # dominated by the few people with hundreds of photos (one has 530: 140,000 pairs).
    genuine = pair_scores[labels == 1]
    impostor = impostor_scores(embeddings, faces.identities, found)
    curve = metrics.det_curve(genuine, impostor)
    folds_of_people = calibration.identity_folds(faces.identities, faces.pairs)[found]
    balanced = calibration.Impostors(embeddings[found], faces.identities[found], folds_of_people)
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
        "refused_photos": int((~found).sum()),
        "refused_rate": float((~found).mean()),
        "calibration": {
            "dataset": faces.name,
            "method": "impostor comparisons balanced by identity (each pair of people weighs the same)",
            **calibration.calibrate(balanced),
            "cross_validation": calibration.cross_validate(
                balanced, {k: v for k, v in calibration.OPERATING_POINTS.items() if v >= 1e-4}, embeddings[found],
                faces.identities[found], folds_of_people),
        },
    }
    if faces.roles:
        report.update(_identification(embeddings, faces, found, enrollable))
    report["_curve"] = curve
    return report


def _identification(embeddings: np.ndarray, faces: FaceSet, found: np.ndarray, enrollable: np.ndarray
                    ) -> dict[str, Any]:
    """Open-set search as identify does it: gallery photos the enrollment gate takes, probes the probe gate takes
    (a refused probe is a miss, or for an unknown person a correct "no match")."""
    index = faces.index()
    by_role: dict[str, list[int]] = {}
    for path, role in faces.roles.items():
        by_role.setdefault(role, []).append(index[path])
    gallery = np.array([i for i in by_role["gallery"] + by_role.get("gallery_distractor", [])
                        if found[i] and enrollable[i]])
    probes = np.array(by_role["probe"])
    unknown = np.array(by_role.get("unknown_probe", []))
    probe_scores = np.where(found[probes][:, None], embeddings[probes] @ embeddings[gallery].T, metrics.REFUSED)
    unknown_scores = np.where(found[unknown][:, None], embeddings[unknown] @ embeddings[gallery].T, metrics.REFUSED)
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
            f"{'TAR@1e-4':>9} {'rank-1':>7} {'FNIR@1e-2':>10} {'refused':>8}")
    lines = [head, "-" * len(head)]
    for r in reports:
        tar = r["tar_at_far"]
        lines.append(
            f"{r['pipeline']:22} {r['accuracy']:>8.2%} ±{r['accuracy_std']:.2%} {r['auc']:>8.5f} {r['eer']:>7.2%} "
            f"{tar['0.01']:>9.2%} {tar['0.001']:>9.2%} {tar['0.0001']:>9.2%} {r.get('rank1', float('nan')):>7.2%} "
            f"{r.get('fnir_at_fpir_1e-2', float('nan')):>10.2%} {r['refused_photos']:>8}"
        )
    return "\n".join(lines)


def run(faces: FaceSet, models_dir: Path, workers: int, write_cards: bool, pipelines: list[str] | None = None,
        selection: FaceSelection = DEFAULT_SELECTION) -> list[dict[str, Any]]:
    embedded = embed_set(faces, models_dir, workers, pipelines, selection)
    reports = [evaluate(name, vectors, faces, embedded.found[name], embedded.enrollable)
               for name, vectors in embedded.vectors.items()]
    print(f"\n{faces.name}: {len(faces.paths)} images read as a request with face_selection={selection} reads them; "
          f"accuracy on {len(faces.pairs)} pairs in {len({p['fold'] for p in faces.pairs})} folds (threshold from "
          f"the other folds); AUC, EER and TAR from {reports[0]['genuine_comparisons']} genuine pairs against "
          f"{reports[0]['impostor_comparisons']} impostor comparisons (all cross-identity image pairs)\n")
    print(_table(reports))
    print("\n" + _calibration_table(reports))
    print(f"\nthe probe gate refused {len(embedded.refused)} of {len(faces.paths)} photos; "
          f"the enrollment gate would refuse {int((~embedded.enrollable).sum())}")
    for path, why in sorted(embedded.refused.items()):
        print(f"  {path}: {', '.join(why)}")
    OUT.mkdir(parents=True, exist_ok=True)
    _plot(reports, OUT / f"det-{faces.name}.png", f"DET on {faces.name}")
    clean = [{k: v for k, v in r.items() if not k.startswith("_")} for r in reports]
    for report in clean:
        report["face_selection"] = str(selection)
    (OUT / f"accuracy-{faces.name}.json").write_text(json.dumps(clean, indent=2) + "\n")
    print(f"\nwrote {OUT / f'accuracy-{faces.name}.json'} and {OUT / f'det-{faces.name}.png'}")
    if write_cards:
        _write_measured(clean, faces.name, embedded.refused)
    return clean


def _calibration_table(reports: list[dict[str, Any]]) -> str:
    """Claimed FMR vs the FMR measured on held-out folds of people, per operating point; the same for identify's
    FPIR points in galleries of N people (`fpir_1e-2@N`)."""
    points = list(reports[0]["calibration"]["cross_validation"])
    lines = ["calibration check: FMR (FPIR@N: in galleries of N people) measured on held-out folds of people / "
             "claimed (min..max over folds)",
             f"{'pipeline':22} " + " ".join(f"{p:>16}" for p in points)]
    for r in reports:
        cv = r["calibration"]["cross_validation"]
        lines.append(f"{r['pipeline']:22} " + " ".join(
            f"{cv[p]['ratio_min']:>7.2f}..{cv[p]['ratio_max']:<7.2f}" for p in points))
    return "\n".join(lines)


def _write_measured(reports: list[dict[str, Any]], set_name: str, refused: dict[str, list[str]]) -> None:
    """Record every pipeline's accuracy and calibration beside its definition (models/measured/pipelines.json:
    its parts, fusion weights and flip-test, which this bench measures and never changes), and each single
    model's figures for its model card (models/measured/<model>.json). Pipelines this run did not measure
    (`--pipelines`) keep their recorded figures."""
    measured = ROOT / "models" / "measured"
    records = json.loads((measured / "pipelines.json").read_text())
    definitions = {name: {"parts": record["parts"], "flip": record.get("flip", False)}
                   for name, record in records.items()}
    for report in reports:
        name = report["pipeline"]
        accuracy = {k: v for k, v in report.items() if k not in {"pipeline", "calibration"}}
        record = {
            "accuracy": {"dataset": set_name, "command": "python -m bench.accuracy --write-cards",
                         "probe_gate_refused": refused, **accuracy},
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
    parser.add_argument("--pipelines", nargs="+", help="the pipelines to measure (default: every one served)")
    parser.add_argument("--selection", default=str(DEFAULT_SELECTION),
                        choices=[rule.value for rule in FaceSelection if rule is not FaceSelection.ALL])
    parser.add_argument("--url", help="measure a running server over HTTP instead (bench/accuracy_http.py)")
    parser.add_argument("--key", help="with --url: an admin API key (or FACEGATE_KEY)")
    args = parser.parse_args(argv)
    faces = FaceSet.load(args.faces / args.set)
    if not faces.pairs:
        parser.error(f"{faces.root} has no pairs.csv: accuracy needs labelled pairs")
    if args.url:
        from bench import accuracy_http

        accuracy_http.run(faces, args.url, args.key, args.workers)
        return
    if args.write_cards and args.selection != str(DEFAULT_SELECTION):
        parser.error("--write-cards records what the service serves: the default face selection")
    run(faces, args.models, args.workers, args.write_cards, args.pipelines, FaceSelection(args.selection))


if __name__ == "__main__":
    main()
