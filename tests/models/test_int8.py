"""The int8 network: built from committed ranges that lfw-dev reproduces, and faithful to float32 on this CPU."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import onnxruntime as ort

from bench.facesets import FaceSet
from models import int8


def _embed(path: Path, crops: list[np.ndarray]) -> np.ndarray:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return np.concatenate([session.run(["embedding"], {"input": crop})[0] for crop in crops])


def test_card_records_the_quantization_and_its_ranges(models_dir: Path) -> None:
    card = json.loads((models_dir / f"{int8.NAME}.json").read_text())
    calibration = card["quantization"]["calibration"]
    committed = int8.calibration_path()
    assert calibration["cache"] == f"models/measured/{committed.name}"
    assert calibration["cache_sha256"] == int8.sources.sha256_file(committed)
    assert calibration["photos"] == int8.CALIBRATION_PHOTOS
    assert card["alignment"] == json.loads((models_dir / f"{int8.FLOAT_NETWORK}.json").read_text())["alignment"]


def test_recalibrating_on_lfw_dev_gives_the_committed_ranges(faces_dir: Path, models_dir: Path,
                                                             tmp_path: Path) -> None:
    """An auditor re-deriving the ranges from the same photos gets the same file, value for value."""
    cache = tmp_path / "ranges.json"
    int8.calibrate(faces_dir, models_dir, cache)
    assert json.loads(cache.read_text()) == json.loads(int8.calibration_path().read_text())


def test_int8_embeddings_follow_float32_on_held_out_photos(faces_dir: Path, models_dir: Path) -> None:
    """On every CPU, VNNI or not: a CPU whose int8 products saturate (AVX2 without reduce_range) fails this."""
    paths = FaceSet.load(faces_dir / "lfw-dev").paths
    held_out = sorted(set(paths) - set(int8.calibration_sample(paths)))
    crops = int8.dlib_crops(faces_dir, models_dir, random.Random(1).sample(held_out, 60))
    reference = _embed(models_dir / f"{int8.FLOAT_NETWORK}.onnx", crops)
    quantized = _embed(models_dir / f"{int8.NAME}.onnx", crops)
    cosine = (reference * quantized).sum(axis=1)
    assert cosine.min() > 0.997, cosine.min()
    assert cosine.mean() > 0.999, cosine.mean()
