"""The converted YuNet against OpenCV's own detector on the shipped file: same faces, same geometry."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from app.config import DetectionSettings
from app.vision.cards import load_card
from app.vision.detection import FaceDetector
from app.vision.runtime import InferenceModel
from models.sources import YUNET
from tests.conftest import fetched


@pytest.fixture(scope="module")
def detector(models_dir: Path) -> FaceDetector:
    model = InferenceModel(models_dir / "yunet.onnx", ["cpu"], 1, required=True)
    # No downscaling: OpenCV's detector is given the full image, so ours must see the same pixels.
    settings = DetectionSettings(max_side=10_000, min_face_px=1)
    return FaceDetector(load_card(models_dir, "yunet"), model, settings, max_faces=1000)


def test_matches_opencv_detector(detector: FaceDetector, reference_photos: list[Path]) -> None:
    assert len(reference_photos) >= 20
    source = str(fetched(YUNET))
    worst, compared = 0.0, 0
    for path in reference_photos:
        bgr = cv2.imread(str(path))
        height, width = bgr.shape[:2]
        reference = cv2.FaceDetectorYN.create(source, "", (width, height), 0.7, 0.3)
        expected = reference.detect(bgr)[1]
        expected = np.zeros((0, 15), np.float32) if expected is None else expected
        expected = expected[np.argsort(-expected[:, 14], kind="stable")]
        faces = detector.detect(np.ascontiguousarray(bgr[:, :, ::-1]))
        assert len(faces) == len(expected), path.name
        for face, row in zip(faces, expected, strict=True):
            worst = max(worst, float(np.abs(face.box - row[:4]).max()),
                        float(np.abs(face.landmarks.reshape(-1) - row[4:14]).max()))
            assert face.score == pytest.approx(float(row[14]), abs=1e-4)
            compared += 1
    assert compared >= 20
    assert worst <= 0.5


def test_batch_dimension_is_dynamic(models_dir: Path) -> None:
    model = InferenceModel(models_dir / "yunet.onnx", ["cpu"], 1, required=True)
    batch = np.random.default_rng(1).uniform(0, 255, (3, 3, 96, 160)).astype(np.float32)
    outputs = dict(zip(model.output_names, model.run(batch), strict=True))
    assert outputs["cls_8"].shape == (3, 12 * 20, 1)
    assert outputs["kps_32"].shape == (3, 3 * 5, 10)
    single = dict(zip(model.output_names, model.run(batch[1:2]), strict=True))
    np.testing.assert_allclose(single["bbox_16"][0], outputs["bbox_16"][1], atol=1e-5)
