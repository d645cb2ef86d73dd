"""The whole bytes → embedding pipeline on real photos, with the built models."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.config import Settings
from app.errors import ImageDecodeFailed, ModelNotFound, MultipleFaces, NoFace, UnsupportedMediaType
from app.vision.pipeline import FacePipeline, load_pipeline
from app.vision.types import FaceSelection

MODELS = ("sface", "dlib_resnet_v1", "dlib_resnet_v1_int8")


@pytest.fixture(scope="module")
def pipeline(models_dir: Path) -> FacePipeline:
    settings = Settings(runtime={"models_dir": models_dir})
    built = load_pipeline(settings.runtime, settings.detection, settings.limits)
    built.warm_up()
    return built


def _photo(faces_dir: Path, identity: str, index: int) -> bytes:
    return (faces_dir / "studio" / "images" / identity / f"{identity}_{index:04d}.jpg").read_bytes()


def _side_by_side(*images: bytes) -> bytes:
    """A group photo made of real portraits, for multi-face cases."""
    decoded = [Image.open(io.BytesIO(data)).convert("RGB") for data in images]
    width = sum(image.width for image in decoded)
    canvas = Image.new("RGB", (width, max(image.height for image in decoded)), "white")
    x = 0
    for image in decoded:
        canvas.paste(image, (x, 0))
        x += image.width
    buffer = io.BytesIO()
    canvas.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def test_loads_every_built_embedder(pipeline: FacePipeline) -> None:
    assert sorted(pipeline.embedders) == sorted(MODELS)
    assert [card.name for card in pipeline.cards] == ["yunet", *pipeline.embedders]


# Cosine scales differ by model: dlib's descriptors share a narrow cone (its own cut is a Euclidean distance
# of 0.6), so its impostors still score about 0.9. Bounds measured on these portraits, with margin.
@pytest.mark.parametrize(
    ("model", "genuine_min", "impostor_max"), [("sface", 0.6, 0.35), ("dlib_resnet_v1", 0.97, 0.95)]
)
def test_same_person_scores_above_different_people(
    pipeline: FacePipeline, faces_dir: Path, model: str, genuine_min: float, impostor_max: float
) -> None:
    first = pipeline.process(_photo(faces_dir, "london_003", 1), model)
    same = pipeline.process(_photo(faces_dir, "london_003", 2), model)
    other = pipeline.process(_photo(faces_dir, "london_010", 1), model)
    for result in (first, same, other):
        assert len(result) == 1
        assert result[0].embedding.dtype == np.float32
        assert result[0].embedding.shape == (128,)
        assert np.linalg.norm(result[0].embedding) == pytest.approx(1.0, abs=1e-5)
        assert result[0].model == model
    genuine = float(first[0].embedding @ same[0].embedding)
    impostor = float(first[0].embedding @ other[0].embedding)
    assert genuine > genuine_min
    assert impostor < impostor_max


def test_face_geometry_is_in_original_pixels(pipeline: FacePipeline, faces_dir: Path) -> None:
    data = _photo(faces_dir, "london_003", 1)
    width, height = Image.open(io.BytesIO(data)).size
    (result,) = pipeline.process(data, "sface")
    x, y, w, h = result.face.box
    assert x >= 0
    assert y >= 0
    assert x + w <= width
    assert y + h <= height
    assert w > 100  # a studio portrait: the face is large
    right_eye, left_eye = result.face.landmarks[:2]
    assert right_eye[0] < left_eye[0]  # the subject's right eye appears on the image's left
    assert x < right_eye[0] < x + w
    assert y < right_eye[1] < y + h


def test_selection_modes_on_a_group_photo(pipeline: FacePipeline, faces_dir: Path) -> None:
    group = _side_by_side(_photo(faces_dir, "london_003", 1), _photo(faces_dir, "london_010", 1),
                          _photo(faces_dir, "london_020", 1))
    everyone = pipeline.process(group, "sface", FaceSelection.ALL)
    assert len(everyone) == 3
    assert [(face.faces_found, face.selection) for face in everyone] == [(3, FaceSelection.ALL)] * 3
    (largest,) = pipeline.process(group, "sface", FaceSelection.LARGEST)
    assert largest.face.area == max(result.face.area for result in everyone)
    (centre,) = pipeline.process(group, "sface", FaceSelection.CENTER)
    by_x = np.argsort([result.face.box[0] for result in everyone])
    middle = everyone[by_x[1]]
    np.testing.assert_allclose(centre.face.box, middle.face.box)
    (primary,) = pipeline.process(group, "sface")  # three portraits of a size: the middle one is the photo's
    np.testing.assert_allclose(primary.face.box, middle.face.box)
    assert (primary.faces_found, primary.selection) == (3, FaceSelection.PRIMARY)
    with pytest.raises(MultipleFaces, match="3 faces"):
        pipeline.process(group, "sface", FaceSelection.REQUIRE_SINGLE)
    # Who is who survives the crop: the middle face matches its own portrait best.
    (alone,) = pipeline.process(_photo(faces_dir, "london_010", 2), "sface")
    scores = [float(result.embedding @ alone.embedding) for result in everyone]
    assert int(np.argmax(scores)) == by_x[1]


def test_no_face_in_landscapes(pipeline: FacePipeline, faces_dir: Path) -> None:
    photos = sorted((faces_dir / "nonface" / "images").glob("*.jpg"))
    assert len(photos) >= 10
    misses = 0
    for path in photos:
        try:
            pipeline.process(path.read_bytes(), "sface")
        except NoFace:
            misses += 1
    assert misses >= len(photos) - 1  # at most one animal face may pass at the 0.7 threshold


def test_bad_input_raises_typed_errors(pipeline: FacePipeline) -> None:
    with pytest.raises(UnsupportedMediaType):
        pipeline.process(b"hello world, not a photo", "sface")
    with pytest.raises(ImageDecodeFailed):
        pipeline.process(b"", "sface")
    with pytest.raises(ModelNotFound, match="arcface"):
        pipeline.process(b"", "arcface")


def test_blank_image_has_no_face(pipeline: FacePipeline) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (90, 120, 150)).save(buffer, "PNG")
    with pytest.raises(NoFace):
        pipeline.process(buffer.getvalue(), "sface")
