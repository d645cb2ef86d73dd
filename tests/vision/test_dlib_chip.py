"""app.vision.dlib_chip against dlib itself, on real photos (lfw-dev and studio).

dlib-bin is the reference (a dev dependency): the numpy predictor must give dlib's landmarks, the chip cutter
dlib's geometry (pixels within OpenCV's rounding of dlib's), and the whole YuNet landmarks -> chip path
descriptors close to dlib's own pipeline (HOG detector + predictor + get_face_chip). Thresholds come from
studies/dlib_alignment_study.py on all 3,843 lfw-dev pair images: descriptor distance to dlib's pipeline median
0.040 (p90 0.077), while the rejected fixed-template alignment gave a median of 0.170.
"""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.vision.dlib_chip import ShapePredictor5, chip_from_dlib_points, dlib_box_from_landmarks, dlib_chip

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "build" / "sources"
YUNET = SOURCES / "face_detection_yunet_2023mar_int8bq.onnx"
SHAPE5 = SOURCES / "shape_predictor_5_face_landmarks.dat"
RESNET = SOURCES / "dlib_face_recognition_resnet_model_v1.dat"

dlib = pytest.importorskip("dlib", reason="dlib-bin (dev dependency) is the reference these tests compare to")


def _need(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path} missing: extract the model sources first (models/sources.py)")


def _central(centres: np.ndarray, shape: tuple[int, ...]) -> int:
    h, w = shape[:2]
    return int(np.argmin(np.hypot(centres[:, 0] - w / 2, centres[:, 1] - h / 2)))


class Face:
    """One photo with YuNet's detection and dlib's own landmarks (both the face nearest the image centre)."""

    def __init__(self, path: Path, yunet: cv2.FaceDetectorYN, hog: object, sp: object) -> None:
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        self.path = path
        self.rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        h, w = bgr.shape[:2]
        yunet.setInputSize((w, h))
        _, faces = yunet.detect(bgr)
        self.landmarks: np.ndarray | None = None
        if faces is not None and len(faces):
            f = faces[_central(faces[:, :2] + faces[:, 2:4] / 2, bgr.shape)]
            self.landmarks = f[4:14].reshape(5, 2).copy()
        rects = hog(self.rgb, 1 if max(h, w) < 500 else 0)
        self.shape = None
        if len(rects):
            centres = np.array([[(r.left() + r.right()) / 2, (r.top() + r.bottom()) / 2] for r in rects])
            self.shape = sp(self.rgb, rects[_central(centres, bgr.shape)])


@pytest.fixture(scope="module")
def faces(faces_dir: Path) -> list[Face]:
    """24 lfw-dev pair images (spread over the sorted list) + 6 studio portraits (large: exercises the pyramid)."""
    for path in (YUNET, SHAPE5):
        _need(path)
    with open(faces_dir / "lfw-dev" / "pairs.csv", newline="") as f:
        rel = sorted({row[k] for row in csv.DictReader(f) for k in ("path1", "path2")})
    paths = [faces_dir / "lfw-dev" / "images" / p for p in rel[:: len(rel) // 24][:24]]
    studio = sorted((faces_dir / "studio" / "images").glob("*/*.jpg"))
    paths += studio[:: len(studio) // 6][:6]
    yunet = cv2.FaceDetectorYN.create(str(YUNET), "", (320, 320), 0.7)
    hog = dlib.get_frontal_face_detector()
    sp = dlib.shape_predictor(str(SHAPE5))
    return [Face(p, yunet, hog, sp) for p in paths]


@pytest.fixture(scope="module")
def predictor(tmp_path_factory: pytest.TempPathFactory) -> ShapePredictor5:
    _need(SHAPE5)
    from models.dlib_shape5 import convert

    out = tmp_path_factory.mktemp("shape5") / "shape_predictor_5.npz"
    summary = convert(SHAPE5, out)
    assert summary["parts"] == 5
    return ShapePredictor5(out)


@pytest.fixture(scope="module")
def net() -> object:
    _need(RESNET)
    return dlib.face_recognition_model_v1(str(RESNET))


def _descriptor(net: object, chip: np.ndarray) -> np.ndarray:
    return np.array(net.compute_face_descriptor(np.ascontiguousarray(chip)))


def test_chip_cutter_matches_dlib(faces: list[Face], net: object) -> None:
    """Same landmarks in, dlib.get_face_chip's pixels out (OpenCV rounds where dlib truncates), pyramid included."""
    checked = 0
    for face in faces:
        if face.shape is None:
            continue
        points = np.array([(p.x, p.y) for p in face.shape.parts()], np.float64)
        ref = dlib.get_face_chip(face.rgb, face.shape, size=150, padding=0.25)
        ours = chip_from_dlib_points(face.rgb, points)
        assert ours.shape == (150, 150, 3)
        assert ours.dtype == np.uint8
        diff = np.abs(ours.astype(int) - ref)
        # A misplaced chip (one pixel of shift) differs by ~10 levels on average; rounding alone by ~1.
        assert diff.mean() < 1.0, f"{face.path.name}: mean diff {diff.mean():.2f}"
        assert np.percentile(diff, 99) <= 2, f"{face.path.name}: 99th percentile {np.percentile(diff, 99)}"
        distance = np.linalg.norm(_descriptor(net, ours) - _descriptor(net, ref))
        assert distance < 0.02, f"{face.path.name}: descriptor distance {distance:.4f}"
        checked += 1
    assert checked >= 25


def test_ported_predictor_gives_dlibs_landmarks(faces: list[Face], predictor: ShapePredictor5) -> None:
    """On the box dlib_chip places from YuNet's landmarks, the numpy port's landmarks are dlib-bin's, to 0.01 px."""
    sp = dlib.shape_predictor(str(SHAPE5))
    checked = 0
    for face in faces:
        if face.landmarks is None:
            continue
        rect = dlib_box_from_landmarks(face.landmarks)
        ref = np.array([(p.x, p.y) for p in sp(face.rgb, dlib.rectangle(*rect)).parts()], np.float64)
        ours = predictor.predict(face.rgb, rect)
        assert np.abs(ours - ref).max() <= 0.01, f"{face.path.name}: {ours.tolist()} vs {ref.tolist()}"
        checked += 1
    assert checked >= 25


def test_yunet_chip_embeds_like_dlibs_pipeline(faces: list[Face], predictor: ShapePredictor5, net: object) -> None:
    """YuNet landmarks -> dlib_chip: descriptors near dlib's own pipeline, far closer than the template's (0.17)."""
    dists = []
    for face in faces:
        if face.shape is None or face.landmarks is None:
            continue
        ref = _descriptor(net, dlib.get_face_chip(face.rgb, face.shape, size=150, padding=0.25))
        chip = dlib_chip(face.rgb, face.landmarks, predictor=predictor)
        assert chip.shape == (150, 150, 3)
        assert chip.dtype == np.uint8
        dists.append(np.linalg.norm(_descriptor(net, chip) - ref))
    assert len(dists) >= 25
    d = np.array(dists)
    assert np.median(d) < 0.08, d.round(3).tolist()
    assert d.max() < 0.3, d.round(3).tolist()  # 0.6 is dlib's same-person threshold


def test_rejects_non_rgb_input(predictor: ShapePredictor5) -> None:
    grey = np.zeros((100, 100), np.uint8)
    with pytest.raises(ValueError, match="RGB"):
        dlib_chip(grey, np.zeros((5, 2), np.float32), predictor=predictor)
