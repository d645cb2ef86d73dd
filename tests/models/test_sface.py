"""The converted SFace against OpenCV running the shipped file, on real aligned faces."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from app.vision.alignment import arcface_crop
from app.vision.runtime import InferenceModel
from models.sources import SFACE, YUNET
from tests.conftest import fetched


def _opencv_faces(paths: list[Path]) -> list[tuple[np.ndarray, np.ndarray]]:
    """(BGR image, OpenCV's 15-value detection row) for the most confident face of each photo."""
    found = []
    for path in paths:
        bgr = cv2.imread(str(path))
        detector = cv2.FaceDetectorYN.create(str(fetched(YUNET)), "", (bgr.shape[1], bgr.shape[0]), 0.7)
        rows = detector.detect(bgr)[1]
        if rows is not None:
            found.append((bgr, rows[np.argmax(rows[:, 14])]))
    return found


@pytest.fixture(scope="module")
def crops(reference_photos: list[Path]) -> np.ndarray:
    """RGB 112x112 crops by our alignment, checked against OpenCV's `alignCrop` on the way."""
    recognizer = cv2.FaceRecognizerSF.create(str(fetched(SFACE)), "")
    result = []
    for bgr, row in _opencv_faces(reference_photos):
        ours = arcface_crop(np.ascontiguousarray(bgr[:, :, ::-1]), row[4:14].reshape(5, 2))
        theirs = recognizer.alignCrop(bgr, row)[:, :, ::-1]
        # Same transform and warp; only a rare rounding step of one grey level may differ.
        assert np.abs(ours.astype(int) - theirs).max() <= 1
        assert (ours != theirs).mean() < 0.01
        result.append(ours)
    assert len(result) >= 20
    return np.stack(result)


def test_matches_opencv_on_shipped_file(models_dir: Path, crops: np.ndarray) -> None:
    model = InferenceModel(models_dir / "sface.onnx", ["cpu"], 1, required=True)
    batch = crops.transpose(0, 3, 1, 2).astype(np.float32)
    raw, embedding = model.run(batch, ["fc1", "embedding"])
    reference = cv2.dnn.readNet(str(fetched(SFACE)))
    expected = []
    for blob in batch:
        # OpenCV runs the shipped file when the input is set by name (its stray weight inputs are unnamed feeds).
        reference.setInput(blob[None], "data")
        expected.append(reference.forward().reshape(-1).copy())
    expected = np.stack(expected)
    assert np.abs(raw - expected).max() <= 1e-5
    unit = expected / np.linalg.norm(expected, axis=1, keepdims=True)
    assert np.abs(embedding - unit).max() <= 1e-5
    np.testing.assert_allclose(np.linalg.norm(embedding, axis=1), 1.0, atol=1e-6)


def test_batched_equals_single(models_dir: Path, crops: np.ndarray) -> None:
    model = InferenceModel(models_dir / "sface.onnx", ["cpu"], 1, required=True)
    batch = crops[:8].transpose(0, 3, 1, 2).astype(np.float32)
    (together,) = model.run(batch, ["embedding"])
    apart = np.concatenate([model.run(blob[None], ["embedding"])[0] for blob in batch])
    assert np.abs(together - apart).max() <= 1e-5
