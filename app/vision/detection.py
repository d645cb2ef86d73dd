"""Face detection with YuNet: resize, pad, run, decode anchors, NMS; and face selection.

The decoding is the one `cv2.FaceDetectorYN` does (OpenCV's `face_detect.cpp`), vectorised with numpy:
per stride s in 8/16/32 and grid cell (row, col): score = sqrt(cls * obj); box centre = ((col, row) + d) * s,
size = exp(d) * s; landmark = ((col, row) + k) * s. Detection runs on a copy scaled down so the long side is at
most `max_side` (YuNet's cost grows with pixels: 0.17 GFLOP at 320x320, 0.52 at 640x480), and boxes are
mapped back to the original image, from which the crops are later taken.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from app.config import DetectionSettings
from app.errors import MultipleFaces, NoFace
from app.vision.cards import NetworkCard
from app.vision.runtime import InferenceModel
from app.vision.types import Face, FaceSelection

STRIDES = (8, 16, 32)
_ALIGN = 32


@lru_cache(maxsize=64)
def _grid(rows: int, cols: int) -> np.ndarray:
    """(rows*cols, 2) array of (col, row) cell coordinates, in the order YuNet's outputs use."""
    row, col = np.mgrid[0:rows, 0:cols]
    return np.stack([col.ravel(), row.ravel()], axis=1).astype(np.float32)


def decode(outputs: dict[str, np.ndarray], height: int, width: int,
           score_threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Anchor outputs of one image → (boxes Nx4 xywh, landmarks Nx5x2, scores N) above the threshold."""
    boxes, marks, scores = [], [], []
    for stride in STRIDES:
        grid = _grid(height // stride, width // stride)
        cls = np.clip(outputs[f"cls_{stride}"].reshape(-1), 0, 1)
        obj = np.clip(outputs[f"obj_{stride}"].reshape(-1), 0, 1)
        score = np.sqrt(cls * obj)
        keep = score >= score_threshold
        if not keep.any():
            continue
        cells = grid[keep]
        bbox = outputs[f"bbox_{stride}"].reshape(-1, 4)[keep]
        kps = outputs[f"kps_{stride}"].reshape(-1, 5, 2)[keep]
        centre = (cells + bbox[:, :2]) * stride
        size = np.exp(bbox[:, 2:]) * stride
        boxes.append(np.concatenate([centre - size / 2, size], axis=1))
        marks.append((kps + cells[:, None, :]) * stride)
        scores.append(score[keep])
    if not boxes:
        return np.zeros((0, 4), np.float32), np.zeros((0, 5, 2), np.float32), np.zeros(0, np.float32)
    return np.concatenate(boxes), np.concatenate(marks), np.concatenate(scores)


class FaceDetector:
    """YuNet in ONNX Runtime. Expects RGB input; feeds the network BGR, as it was trained."""

    def __init__(self, card: NetworkCard, model: InferenceModel, settings: DetectionSettings,
                 max_faces: int) -> None:
        self.card = card
        self.model = model
        self.settings = settings
        self.max_faces = max_faces

    def preprocess(self, image: np.ndarray) -> tuple[np.ndarray, float]:
        """(1x3xHxW BGR float32 blob, scale): scaled down to `max_side`, zero-padded to multiples of 32."""
        height, width = image.shape[:2]
        scale = min(1.0, self.settings.max_side / max(height, width))
        if scale < 1.0:
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        h, w = image.shape[:2]
        padded = cv2.copyMakeBorder(image, 0, -(-h // _ALIGN) * _ALIGN - h, 0, -(-w // _ALIGN) * _ALIGN - w,
                                    cv2.BORDER_CONSTANT, value=0)
        return cv2.dnn.blobFromImage(padded, swapRB=True), scale

    def detect(self, image: np.ndarray) -> list[Face]:
        """All faces in an RGB image, best score first, in original-image pixels."""
        blob, scale = self.preprocess(image)
        outputs = dict(zip(self.model.output_names, self.model.run(blob), strict=True))
        boxes, marks, scores = decode(outputs, blob.shape[2], blob.shape[3], self.settings.score_threshold)
        if len(scores) == 0:
            return []
        kept = cv2.dnn.NMSBoxes(boxes.tolist(), scores.tolist(), self.settings.score_threshold,
                                self.settings.nms_threshold)
        keep = np.asarray(kept, dtype=np.int64).reshape(-1)
        keep = keep[np.argsort(-scores[keep], kind="stable")]
        faces = [
            Face(box=boxes[i] / scale, landmarks=marks[i] / scale, score=float(scores[i]))
            for i in keep
        ]
        return [face for face in faces if face.box[2] >= self.settings.min_face_px][: self.max_faces]


def select_faces(faces: list[Face], selection: FaceSelection, image_shape: tuple[int, ...]) -> list[Face]:
    """Apply a request's face selection; raise `NoFace` / `MultipleFaces` when it cannot be met.

    `primary` (the default) picks the face a photo is of: the best product of size (box side over the largest
    box's), centrality (1 minus the distance of the box centre from the image centre over half the diagonal) and
    detection score. People frame the person they photograph large and near the middle, and a bystander is
    either smaller, nearer the edge, or cut off by it (a lower score): a face half way to a corner needs twice the
    side of a centred one to be chosen. `center` picks the face nearest the image centre
    (right for tight crops such as LFW's, wrong for a portrait framed off-centre beside a smaller face in the
    middle); `largest` the biggest box (wrong when a bystander stands nearer the camera). On lfw-dev's 1,122
    photos with several faces, `primary` and `center` agree on all of them, `largest` differs on 24 (docs/accuracy.md
    gives the accuracy of each rule).
    """
    if not faces:
        raise NoFace("no face was found in the image")
    if selection is FaceSelection.ALL:
        return faces
    if selection is FaceSelection.REQUIRE_SINGLE:
        if len(faces) > 1:
            raise MultipleFaces(f"{len(faces)} faces were found; exactly one is required")
        return faces
    if selection is FaceSelection.LARGEST:
        return [max(faces, key=lambda face: face.area)]
    middle = np.array([image_shape[1], image_shape[0]], np.float32) / 2
    offsets = [float(np.linalg.norm(face.center - middle)) for face in faces]
    if selection is FaceSelection.CENTER:
        return [faces[int(np.argmin(offsets))]]
    largest_side = max(np.sqrt(face.area) for face in faces)
    half_diagonal = float(np.linalg.norm(middle))
    merit = [np.sqrt(face.area) / largest_side * max(1.0 - offset / half_diagonal, 0.0) * face.score
             for face, offset in zip(faces, offsets, strict=True)]
    return [faces[int(np.argmax(merit))]]
