"""int8 variants of the embedders: ONNX Runtime's static quantization from a committed calibration.

    python -m models.int8 calibrate [--faces ../shared/faces]   # once, by a developer: writes the ranges
    (make models builds the int8 network from them; no photos needed)

Static quantization needs the range of every activation, measured by running the float32 network on real
faces. Those ranges are measured once on lfw-dev crops (the service's own detection and alignment) and
committed as ONNX Runtime's calibration cache (`models/measured/<name>.calibration.json`), so `make models` on a
machine without any photos builds the same bytes, and an auditor can re-derive the ranges from the same photos
(`tests/models/test_int8.py` does). Only `dlib_resnet_v1` has an int8 variant: SFace loses too much (mean cosine
0.987 to its float32 embedding in every QDQ variant measured; QOperator breaks it, see docs/decisions.md).

Form (measured on an AVX-512 VNNI CPU, `python -m studies.int8_static_study`): QOperator, per-channel
symmetric int8 weights with `reduce_range` (7 bits), asymmetric uint8 activations, MinMax ranges. The 7-bit
weights cost nothing measurable (cosine to float32 at least 0.997 on held-out photos) and keep the products of
uint8 activations and weights inside int16 on CPUs without VNNI, whose AVX2 kernels otherwise saturate: the
full 8-bit form gave a cosine of 0.97 there, so the same file would give different embeddings on different
replicas.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType, quantize_static
from onnxruntime.quantization.shape_inference import quant_pre_process

from models import dlib_resnet, sources

HERE = Path(__file__).resolve().parent
CALIBRATION_PHOTOS = 200
CALIBRATION_SEED = 0
FLOAT_NETWORK = "dlib_resnet_v1"
NAME = f"{FLOAT_NETWORK}_int8"


def calibration_path(measured: Path = HERE / "measured") -> Path:
    return measured / f"{NAME}.calibration.json"


def settings() -> dict[str, Any]:
    """The quantization settings, as the card records them."""
    return {
        "tool": "onnxruntime.quantization.quantize_static",
        "format": "QOperator",
        "weights": "int8, per channel, symmetric, reduce_range (7 bits)",
        "activations": "uint8, asymmetric",
        "calibration": {
            "method": "MinMax",
            "set": "lfw-dev",
            "photos": CALIBRATION_PHOTOS,
            "sample": f"random.Random({CALIBRATION_SEED}).sample(lfw-dev photos, {CALIBRATION_PHOTOS})",
            "crops": "the service's own detection (primary face) and dlib chip alignment",
            "cache": f"models/measured/{calibration_path().name}",
        },
    }


class _Crops(CalibrationDataReader):
    def __init__(self, crops: list[np.ndarray]) -> None:
        self._feed = iter([{"input": crop} for crop in crops])

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._feed, None)


def _quantize(float_model: Path, output: Path, cache: Path, crops: list[np.ndarray] | None = None) -> None:
    """Quantize with the ranges in `cache`; with `crops`, measure them first and write `cache`."""
    with tempfile.TemporaryDirectory() as folder:
        prepared = Path(folder) / "prepared.onnx"
        quant_pre_process(str(float_model), str(prepared), skip_symbolic_shape=True)
        quantize_static(
            str(prepared), str(output), _Crops(crops) if crops is not None else None,
            quant_format=QuantFormat.QOperator, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
            per_channel=True, reduce_range=True, calibrate_method=CalibrationMethod.MinMax,
            extra_options={"ActivationSymmetric": False, "WeightSymmetric": True},
            calibration_cache_path=cache,
        )


def convert(source: Path, output: Path) -> dict[str, Any]:
    """`make models`: the float32 network from the pinned dlib file, then int8 from the committed ranges."""
    cache = calibration_path()
    if not cache.is_file():
        raise RuntimeError(f"{cache} is missing: run `python -m models.int8 calibrate` on lfw-dev")
    with tempfile.TemporaryDirectory() as folder:
        float_model = Path(folder) / f"{FLOAT_NETWORK}.onnx"
        facts = dlib_resnet.convert(source, float_model)
        _quantize(float_model, output, cache)
    quantization = settings()
    quantization["calibration"]["cache_sha256"] = sources.sha256_file(cache)
    return {**facts, "quantization": quantization}


def calibration_sample(paths: list[str]) -> list[str]:
    """The lfw-dev photos the ranges are measured on (of the set's photo paths, in the set's order)."""
    return random.Random(CALIBRATION_SEED).sample(paths, CALIBRATION_PHOTOS)


def dlib_crops(faces_dir: Path, models_dir: Path, paths: list[str] | None = None) -> list[np.ndarray]:
    """NCHW float32 dlib chips of lfw-dev photos (the calibration sample by default), as the service makes them."""
    from app.config import Settings
    from app.vision.pipeline import load_pipeline
    from app.vision.types import FaceSelection
    from bench.facesets import FaceSet

    config = Settings(runtime={"models_dir": models_dir, "intra_op_threads": 1})
    pipeline = load_pipeline(config.runtime, config.detection, config.limits)
    embedder = pipeline.embedders[FLOAT_NETWORK]
    faces = FaceSet.load(faces_dir / "lfw-dev")
    crops = []
    for path in calibration_sample(faces.paths) if paths is None else paths:
        image = pipeline.decode(faces.image(path).read_bytes())
        found, _ = pipeline.detect(image, FaceSelection.PRIMARY)
        crop = embedder.align(image, found[:1]).transpose(0, 3, 1, 2)
        crops.append(np.ascontiguousarray(crop, dtype=np.float32))
    return crops


def calibrate(faces_dir: Path, models_dir: Path, cache: Path) -> None:
    """Measure the activation ranges on lfw-dev and write them to `cache` (replacing what is there)."""
    cache.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        _quantize(models_dir / f"{FLOAT_NETWORK}.onnx", Path(folder) / f"{NAME}.onnx", cache,
                  dlib_crops(faces_dir, models_dir))
    # ONNX Runtime writes the tensors in no fixed order: sorted, a recalibration diffs only where values differ.
    cache.write_text(json.dumps(json.loads(cache.read_text()), sort_keys=True) + "\n")
    cache.chmod(0o644)


def main(argv: list[str] | None = None) -> None:
    from bench.facesets import ROOT, default_faces_dir

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["calibrate"])
    parser.add_argument("--faces", type=Path, default=default_faces_dir())
    parser.add_argument("--models", type=Path, default=ROOT / "build" / "models")
    parser.add_argument("--out", type=Path, default=calibration_path())
    args = parser.parse_args(argv)
    calibrate(args.faces, args.models, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
