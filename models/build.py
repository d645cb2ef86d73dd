"""`make models`: fetch the pinned source files, convert them, check them, and write one network card each.

    python -m models.build [--out build/models] [--cache build]

Outputs are reproducible: a rebuild writes byte-identical ONNX files (the card records their sha256). Measured
accuracy and calibration live in `models/measured/<name>.json` (committed, written by `bench/accuracy.py`) and
are merged into the card, so a fresh build carries the figures the runtime's default thresholds come from.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from models import dlib_resnet, dlib_shape5, int8, sface, sources, yunet

HERE = Path(__file__).resolve().parent
MEASURED = HERE / "measured"


@dataclass(frozen=True)
class ModelSpec:
    name: str
    version: str
    task: str
    source: sources.SourceFile
    convert: Callable[[Path, Path], dict[str, Any]]
    card: dict[str, Any] = field(default_factory=dict)
    suffix: str = ".onnx"


DLIB_ALIGNMENT = {
    "method": "dlib's 5-point shape predictor (numpy port) on a box placed from YuNet's landmarks, then "
              "dlib's get_face_chip geometry (padding 0.25), bit-exact with dlib. Chosen by accuracy on "
              "lfw-dev over a fitted landmark template: see studies/dlib_alignment_study.py",
    "template": "dlib_chip_150",
    "landmark_model": "dlib_shape5",
    "size": [150, 150],
}

SPECS = (
    ModelSpec("yunet", "2023mar", "detection", sources.YUNET, yunet.convert, {
        "description": "YuNet face detector (libfacedetection), int8 block-quantized weights folded to float32.",
    }),
    ModelSpec("sface", "2021dec", "embedding", sources.SFACE, sface.convert, {
        "description": "SFace (MobileFaceNet trained with sigmoid-constrained hypersphere loss).",
        "published": {"lfw_accuracy": 0.9940, "reference": "Zhong et al., SFace, IEEE TIP 2021; OpenCV Zoo"},
    }),
    ModelSpec("dlib_resnet_v1", "v1", "embedding", sources.DLIB_RESNET, dlib_resnet.convert, {
        "description": "dlib's ResNet-29 face recognition network (metric loss), by Davis King.",
        "published": {"lfw_accuracy": 0.9938, "reference": "dlib.net, dlib_face_recognition_resnet_model_v1"},
        "alignment": DLIB_ALIGNMENT,
    }),
    ModelSpec(int8.NAME, "v1", "embedding", sources.DLIB_RESNET, int8.convert, {
        "description": "dlib_resnet_v1 quantized to int8 (ONNX Runtime static quantization, ranges measured on "
                       "lfw-dev and committed): the same embeddings to a cosine of 0.997, a third of the time on "
                       "CPUs with VNNI. See models/int8.py.",
        "alignment": DLIB_ALIGNMENT,
    }),
    ModelSpec("dlib_shape5", "v1", "landmarks", sources.DLIB_SHAPE5, dlib_shape5.convert, {
        "description": "dlib's 5-point face landmark predictor (ensemble of regression trees, Kazemi & Sullivan "
                       "2014), by Davis King; used only to align faces for dlib_resnet_v1.",
    }, suffix=".npz"),
)


def _check(path: Path, task: str, facts: dict[str, Any]) -> dict[str, Any]:
    """Load the output in ONNX Runtime and check it answers a batch of 2 with the promised shapes."""
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    shape = [2 if isinstance(dim, str) and dim == "N" else dim for dim in facts["input"]["shape"]]
    shape = [64 if isinstance(dim, str) else dim for dim in shape]
    batch = np.random.default_rng(0).uniform(0, 255, shape).astype(np.float32)
    outputs = dict(zip([o.name for o in session.get_outputs()], session.run(None, {"input": batch}), strict=True))
    if task == "embedding":
        embedding = outputs["embedding"]
        if embedding.shape != (2, facts["embedding_size"]):
            raise RuntimeError(f"{path.name}: embedding shape {embedding.shape}")
        if not np.allclose(np.linalg.norm(embedding, axis=1), 1.0, atol=1e-5):
            raise RuntimeError(f"{path.name}: embeddings are not unit length")
        single = session.run(["embedding"], {"input": batch[:1]})[0]
        if np.abs(single - embedding[:1]).max() > 1e-5:
            raise RuntimeError(f"{path.name}: batched and single runs disagree")
    return {"onnxruntime": ort.__version__, "batch_check": "passed"}


def build_one(spec: ModelSpec, out: Path, cache: Path) -> dict[str, Any]:
    source_path = sources.fetch(spec.source, cache)
    output = out / f"{spec.name}{spec.suffix}"
    facts = spec.convert(source_path, output)
    card: dict[str, Any] = {
        "name": spec.name,
        "version": spec.version,
        "task": spec.task,
        "file": output.name,
        "sha256": sources.sha256_file(output),
        "source": {
            "package": spec.source.package,
            "version": spec.source.version,
            "path": spec.source.member,
            "sha256": spec.source.sha256,
            "license": spec.source.license,
        },
        **facts,
        **spec.card,
    }
    if spec.suffix == ".onnx":
        card["validation"] = _check(output, spec.task, facts)
    measured = MEASURED / f"{spec.name}.json"
    if measured.exists():
        card.update(json.loads(measured.read_text()))
    (out / f"{spec.name}.json").write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
    return card


def write_pipelines(out: Path, built: set[str]) -> None:
    """Copy the measured pipeline definitions next to the models, keeping those whose embedders were built."""
    source = MEASURED / "pipelines.json"
    records = json.loads(source.read_text()) if source.exists() else {}
    usable = {name: record for name, record in records.items() if set(record["parts"]) <= built}
    if not usable:
        raise RuntimeError(f"{source} defines no pipeline over the built embedders {sorted(built)}")
    (out / "pipelines.json").write_text(json.dumps(usable, indent=2, sort_keys=True) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("build/models"))
    parser.add_argument("--cache", type=Path, default=Path("build"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for spec in SPECS:
        card = build_one(spec, args.out, args.cache)
        print(f"{card['name']:16} {card['sha256']}  from {spec.source.requirement} ({card['source']['license']})")
    write_pipelines(args.out, {spec.name for spec in SPECS if spec.task == "embedding"})


if __name__ == "__main__":
    main()
