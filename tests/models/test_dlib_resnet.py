"""The converted dlib ResNet against dlib itself (dlib-bin), on aligned chips of real faces.

The chips are made exactly the way dlib's own pipeline makes them (HOG detector, 5-point landmarks,
`get_face_chip` at 150 px with padding 0.25), so both sides see identical uint8 pixels and any difference is
the network's arithmetic only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from PIL import Image

from models.dlib_resnet import convert
from models.sources import DLIB_RESNET, DLIB_SHAPE5, fetch

dlib = pytest.importorskip("dlib")

ROOT = Path(__file__).resolve().parents[2]
TOLERANCE = 1e-5
FACES = {"studio": 16, "lfw-dev": 8}  # photo set -> how many faces to take from it
Outputs = tuple[np.ndarray, np.ndarray]  # (descriptors, embeddings)


@pytest.fixture(scope="module")
def model_path(models_dir: Path) -> Path:
    path = models_dir / "dlib_resnet_v1.onnx"
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make models` first")
    return path


@pytest.fixture(scope="module")
def session(model_path: Path) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])


def _photos(images: Path, count: int) -> list[Path]:
    """A fixed spread of photos over the whole set (sorted, evenly strided), with spares for missed faces."""
    paths = sorted(images.glob("*/*.jpg"))
    return paths[:: max(1, len(paths) // (3 * count))]


@pytest.fixture(scope="module")
def chips(faces_dir: Path) -> np.ndarray:
    """Aligned 150x150 RGB uint8 chips, the largest face of each photo, as (N, 150, 150, 3)."""
    detector = dlib.get_frontal_face_detector()
    predictor = dlib.shape_predictor(str(fetch(DLIB_SHAPE5, ROOT / "build")))
    found = []
    for name, count in FACES.items():
        taken = 0
        for path in _photos(faces_dir / name / "images", count):
            image = np.asarray(Image.open(path).convert("RGB"))
            faces = detector(image, 1)
            if not faces:
                continue
            face = max(faces, key=lambda rect: rect.area())
            found.append(dlib.get_face_chip(image, predictor(image, face), size=150, padding=0.25))
            taken += 1
            if taken == count:
                break
        assert taken == count, f"only {taken} faces found in {name}"
    return np.stack(found)


@pytest.fixture(scope="module")
def dlib_descriptors(chips: np.ndarray) -> np.ndarray:
    model = dlib.face_recognition_model_v1(str(fetch(DLIB_RESNET, ROOT / "build")))
    return np.array([model.compute_face_descriptor(chip) for chip in chips], dtype=np.float64)


def _nchw(chips: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(chips.transpose(0, 3, 1, 2), dtype=np.float32)


@pytest.fixture(scope="module")
def onnx_single(session: ort.InferenceSession, chips: np.ndarray) -> Outputs:
    """(descriptors, embeddings), one face per run."""
    runs = [session.run(["descriptor", "embedding"], {"input": x[None]}) for x in _nchw(chips)]
    return np.concatenate([r[0] for r in runs]), np.concatenate([r[1] for r in runs])


def test_graph_interface(model_path: Path) -> None:
    model = onnx.load(str(model_path))
    dims = {
        value.name: [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]
        for value in [*model.graph.input, *model.graph.output]
    }
    assert dims == {"input": ["N", 3, 150, 150], "descriptor": ["N", 128], "embedding": ["N", 128]}
    assert [value.type.tensor_type.elem_type for value in model.graph.output] == [onnx.TensorProto.FLOAT] * 2
    assert model.producer_name == "facegate-models"
    assert [(o.domain, o.version) for o in model.opset_import] == [("", 17)]
    assert {t.data_type for t in model.graph.initializer} <= {onnx.TensorProto.FLOAT, onnx.TensorProto.INT64}


def test_enough_distinct_faces(chips: np.ndarray, dlib_descriptors: np.ndarray) -> None:
    assert chips.shape == (24, 150, 150, 3)
    assert chips.dtype == np.uint8
    # Different photos give clearly different descriptors, so the comparisons below are not vacuous.
    distances = np.linalg.norm(dlib_descriptors[:, None] - dlib_descriptors[None], axis=-1)
    assert distances[~np.eye(len(chips), dtype=bool)].min() > 0.05


def test_descriptor_matches_dlib(onnx_single: Outputs, dlib_descriptors: np.ndarray) -> None:
    descriptors, _ = onnx_single
    assert descriptors.shape == (24, 128)
    assert np.abs(descriptors - dlib_descriptors).max() <= TOLERANCE


def test_embedding_matches_normalised_dlib(onnx_single: Outputs, dlib_descriptors: np.ndarray) -> None:
    _, embeddings = onnx_single
    expected = dlib_descriptors / np.linalg.norm(dlib_descriptors, axis=1, keepdims=True)
    assert np.abs(embeddings - expected).max() <= TOLERANCE
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, atol=1e-6)


def test_batch_matches_single(session: ort.InferenceSession, chips: np.ndarray, onnx_single: Outputs) -> None:
    descriptors, embeddings = session.run(["descriptor", "embedding"], {"input": _nchw(chips)})
    assert descriptors.shape == embeddings.shape == (24, 128)
    assert np.abs(descriptors - onnx_single[0]).max() <= 1e-6
    assert np.abs(embeddings - onnx_single[1]).max() <= 1e-6


def test_conversion_is_deterministic(tmp_path: Path) -> None:
    source = fetch(DLIB_RESNET, ROOT / "build")
    first = convert(source, tmp_path / "a.onnx")
    second = convert(source, tmp_path / "b.onnx")
    assert (tmp_path / "a.onnx").read_bytes() == (tmp_path / "b.onnx").read_bytes()
    assert first == second
    assert first["source_layers"] == {
        "add_prev": 14, "affine": 29, "avg_pool": 5, "con": 29, "fc": 1, "max_pool": 1, "relu": 29,
    }  # fmt: skip
    assert first["input"]["shape"] == ["N", 3, 150, 150]
    assert first["embedding_size"] == 128
    assert first["opset"] == 17
