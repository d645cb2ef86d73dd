"""Face selection rules on detections placed by hand: what each rule picks, and why `primary` is the default."""

from __future__ import annotations

import numpy as np
import pytest

from app.errors import MultipleFaces, NoFace
from app.vision.detection import select_faces
from app.vision.types import Face, FaceSelection

SHAPE = (480, 640, 3)  # height, width: the centre is (320, 240)


def _face(cx: float, cy: float, side: float, score: float = 0.9) -> Face:
    box = np.array([cx - side / 2, cy - side / 2, side, side], np.float32)
    return Face(box, np.zeros((5, 2), np.float32), score)


def _pick(faces: list[Face], rule: FaceSelection) -> int:
    (chosen,) = select_faces(faces, rule, SHAPE)
    return next(i for i, face in enumerate(faces) if face is chosen)


def test_a_bystander_nearer_the_camera_at_the_edge_is_not_the_photo_of_him() -> None:
    faces = [_face(320, 240, 100), _face(600, 250, 130)]  # subject in the middle; bigger bystander at the edge
    assert _pick(faces, FaceSelection.LARGEST) == 1
    assert _pick(faces, FaceSelection.CENTER) == 0
    assert _pick(faces, FaceSelection.PRIMARY) == 0


def test_a_portrait_framed_off_centre_beats_a_small_face_in_the_middle() -> None:
    faces = [_face(330, 230, 30), _face(200, 240, 220)]  # a face on a poster behind; the sitter left of centre
    assert _pick(faces, FaceSelection.CENTER) == 0
    assert _pick(faces, FaceSelection.PRIMARY) == 1


def test_half_way_to_a_corner_takes_twice_the_side() -> None:
    half_way = (320 + 160, 240 + 120)  # half the way from the centre to the bottom-right corner
    centred = _face(320, 240, 60)
    assert _pick([centred, _face(*half_way, 119)], FaceSelection.PRIMARY) == 0
    assert _pick([centred, _face(*half_way, 121)], FaceSelection.PRIMARY) == 1


def test_the_detector_score_breaks_an_even_choice() -> None:
    faces = [_face(220, 240, 80, score=0.75), _face(420, 240, 80, score=0.95)]
    assert _pick(faces, FaceSelection.PRIMARY) == 1


def test_rules_that_refuse() -> None:
    with pytest.raises(NoFace):
        select_faces([], FaceSelection.PRIMARY, SHAPE)
    with pytest.raises(MultipleFaces, match="2 faces"):
        select_faces([_face(100, 100, 50), _face(300, 300, 50)], FaceSelection.REQUIRE_SINGLE, SHAPE)
    assert len(select_faces([_face(100, 100, 50), _face(300, 300, 50)], FaceSelection.ALL, SHAPE)) == 2
