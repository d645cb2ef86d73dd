"""Which way up each face is: rotated faces get their true landmarks, so the reported roll is their true angle.

Why this exists (measured on real portraits stored upright with EXIF orientation 3, 6 or 8, which the decoder
applies, so the models see the face upside down or sideways): YuNet was trained on upright faces and, on a
rotated one, often still reports a face, with landmarks laid out as an upright face's, eyes on the mouth or
the eyebrows. The roll measured from those landmarks was 1.5 to 10 degrees, the quality gate let the face
through, and the embedding was of an upside-down face (cosine to the upright photo's: -0.04 to 0.11).

No landmark geometry can undo that: the landmarks themselves are wrong. So each selected face is checked by
the detector itself: a crop around the face (twice its box, `CROP_SIDE` px) is run at 0, 90, 180 and 270
degrees in one batch, and the rotation where the detector is most confident is the face's orientation. When
it is not 0, the face takes that rotation's landmarks, mapped back to the image: they are then right (roll
89-91, 176-180, -89 to -94 degrees on the measured photos), so the quality gate sees the true angle (full
circle: `atan2` of the eye line) and refuses it at enrollment (TILTED), and the aligned crop, which follows the
landmarks, is upright (cosine to the upright photo's embedding: 0.975-0.992, the level of landmark jitter).
Upright faces keep their detection unchanged, so their embeddings are byte for byte what they were.

Cost: one batch of four 128x128 inputs per selected face, about a sixth of a 320 px detection each. A face
that the upright pass does not find at all stays not found (NoFace): never embedded the wrong way up.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from app.vision.detection import FaceDetector, decode
from app.vision.types import Face

CROP_SIDE = 128
# A rotation's detection counts for the face only if its centre is within this fraction of the crop's side
# from the crop's centre (the face's own centre), so that a neighbour in a group photo is not taken for it.
_CENTRE_TOLERANCE = 0.25


def _crop(image: np.ndarray, face: Face) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A CROP_SIDE square around the face (twice its box), zero-padded at the image's edges, and how its points
    map to the image (image point = base + crop point * factor). Only the face's region is read and resized."""
    extent = 2.0 * float(max(face.box[2], face.box[3]))
    scale = CROP_SIDE / extent
    origin = face.center.astype(np.float64) - extent / 2
    height, width = image.shape[:2]
    left, top = max(0, math.floor(origin[0])), max(0, math.floor(origin[1]))
    right = max(left + 1, min(width, math.ceil(origin[0] + extent)))
    bottom = max(top + 1, min(height, math.ceil(origin[1] + extent)))
    x, y = max(0, round((left - origin[0]) * scale)), max(0, round((top - origin[1]) * scale))
    w, h = max(1, round((right - left) * scale)), max(1, round((bottom - top) * scale))
    resized = cv2.resize(image[top:bottom, left:right], (w, h), interpolation=cv2.INTER_AREA)
    canvas = np.zeros((CROP_SIDE, CROP_SIDE, 3), np.uint8)
    inside_w, inside_h = min(w, CROP_SIDE - x), min(h, CROP_SIDE - y)
    canvas[y : y + inside_h, x : x + inside_w] = resized[:inside_h, :inside_w]
    factor = np.array([(right - left) / w, (bottom - top) / h])
    return canvas, np.array([left, top]) - np.array([x, y]) * factor, factor


def _unrotate(points: np.ndarray, k: int) -> np.ndarray:
    """Points (..., 2) of `np.rot90(crop, k)` back in the crop's frame (continuous pixel coordinates)."""
    x, y, side = points[..., 0], points[..., 1], CROP_SIDE
    return [points, np.stack([side - y, x], -1), np.stack([side - x, side - y], -1),
            np.stack([y, side - x], -1)][k]


def _best(outputs: dict[str, np.ndarray], threshold: float) -> tuple[float, np.ndarray, np.ndarray] | None:
    """(score, box corners 2x2, landmarks 5x2) of the most confident detection near the crop's centre."""
    boxes, marks, scores = decode(outputs, CROP_SIDE, CROP_SIDE, threshold)
    centres = boxes[:, :2] + boxes[:, 2:] / 2
    near = np.linalg.norm(centres - CROP_SIDE / 2, axis=1) <= _CENTRE_TOLERANCE * CROP_SIDE
    if not near.any():
        return None
    i = int(np.flatnonzero(near)[np.argmax(scores[near])])
    return float(scores[i]), np.stack([boxes[i, :2], boxes[i, :2] + boxes[i, 2:]]), marks[i]


def upright(detector: FaceDetector, image: np.ndarray, faces: list[Face]) -> list[Face]:
    """`faces`, each with the landmarks of the rotation in which the detector is most confident of it."""
    result = []
    for face in faces:
        crop, base, factor = _crop(image, face)
        blob = cv2.dnn.blobFromImages([np.ascontiguousarray(np.rot90(crop, k)) for k in range(4)], swapRB=True)
        batch = dict(zip(detector.model.output_names, detector.model.run(blob), strict=True))
        found = [_best({name: out[k : k + 1] for name, out in batch.items()}, detector.settings.score_threshold)
                 for k in range(4)]
        k = int(np.argmax([hit[0] if hit else -1.0 for hit in found]))  # ties: the upright one
        hit = found[k]
        if k == 0 or hit is None:
            result.append(face)
            continue
        score, corners, marks = hit
        corners = _unrotate(corners, k)
        low, high = corners.min(axis=0), corners.max(axis=0)
        box = np.concatenate([base + low * factor, (high - low) * factor]).astype(np.float32)
        landmarks = (base + _unrotate(marks, k) * factor).astype(np.float32)
        result.append(Face(box=box, landmarks=landmarks, score=score))
    return result
