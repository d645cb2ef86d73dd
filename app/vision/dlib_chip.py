"""dlib's 150x150 face chip from a YuNet detection, with numpy and OpenCV only (no dlib at run time).

Why this pipeline: dlib's face-recognition ResNet was trained on dlib's chips (`dlib.get_face_chip(img, shape,
size=150, padding=0.25)`), built from dlib's 5-point shape predictor (eye corners + base of the nose). YuNet's 5
landmarks are other points (eye centres, nose tip, mouth corners), and mapping them to the chip with one fixed
template leaves a per-face error in scale, rotation and shift (sd ~7 %, ~3.6 deg, ~3.5 chip px) that cost
accuracy. studies/dlib_alignment_study.py measured, on lfw-dev (3,000 pairs, 5 folds, threshold chosen on the
other 4; TAR over all 3,481 genuine / 7.4 M impostor image pairs among the pairs' images):

    variant                                       accuracy %      TAR@FAR1e-3  descriptor distance to dlib's
    dlib HOG + dlib predictor (reference)         98.40 +- 0.22   93.22        0 (21 HOG misses)
    YuNet box remapped + dlib predictor           98.77 +- 0.30   93.71        median 0.040
    box placed from YuNet landmarks + predictor   98.90 +- 0.19   93.65        median 0.040  <- used
    YuNet box as is + dlib predictor              98.73 +- 0.25   93.36        median 0.073
    YuNet landmarks + fitted template (LS)        98.63 +- 0.30   92.27        median 0.170
    YuNet landmarks + fitted template (LMEDS)     98.67 +- 0.35   92.16        median 0.170

The template's TAR deficit is significant (genuine pairs accepted only by the predictor path vs only by the
template: 111 vs 61, McNemar chi2 14), and it misses the 98.7 % floor; the accuracy gaps between the others are
within noise (5-fold sd ~0.3). So we run dlib's own predictor (a cascade of regression trees, ported in
`ShapePredictor5`; same landmarks as dlib-bin on all 3,843 evaluation faces) on a dlib-HOG-like box (the
predictor was trained on those tighter, squarer boxes) placed from YuNet's landmarks, which measured best and
needs nothing but the landmarks; then cut the chip with dlib's geometry (`chip_from_dlib_points`, dlib's
anti-aliasing pyramid included; the final bilinear warp is OpenCV's, see `_bilinear`).

The predictor's parameters come from models/dlib_shape5.py (`convert`), which turns dlib's
shape_predictor_5_face_landmarks.dat into an .npz; `ShapePredictor5` loads that file from the path it is given.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from app.vision.alignment import similarity_transform

CHIP_SIZE = 150
CHIP_PADDING = 0.25

# dlib's get_face_chip_details() 5-point reference (dlib/image_transforms/interpolation.h) in the unpadded
# face's unit square, in dlib's part order: 0, 1 = outer and inner corner of the eye on the image's right
# (the subject's left eye), 2, 3 = outer and inner corner of the other eye, 4 = base of the nose.
DLIB_MEAN_FACE_5 = np.array(
    [
        [0.8595674595992, 0.2134981538014],
        [0.6460604764104, 0.2289674387677],
        [0.1205750620789, 0.2137274526848],
        [0.3340850613712, 0.2290642403242],
        [0.4901123135679, 0.6277975316475],
    ]
)

# Where YuNet's 5 landmarks (right eye, left eye, nose tip, right and left mouth corner) fall in dlib's
# 150x150 chip, on average: mean over 935 faces of the fit set of studies/dlib_alignment_study.py (all 252
# `studio` images + the 752 lfw-dev images whose identities appear nowhere in lfw-dev/pairs.csv, so no
# evaluation face took part) of YuNet's landmarks mapped by dlib's own chip transform (variant c). Used here
# only to place dlib's box; as an alignment on its own it measured worse (see the module docstring).
YUNET_CHIP_TEMPLATE = np.array(
    [
        [46.6929, 45.1066],
        [102.5006, 44.9449],
        [75.3039, 76.7188],
        [50.9390, 101.4614],
        [98.6716, 101.8165],
    ]
)
# dlib HOG box centre (x, y) and side in that template's chip frame, mean over 992 fit faces (same fit set,
# same script, variant b_lmrect). A box placed this way from YuNet's landmarks measured as well as the remapped
# YuNet box (98.90 % / TAR 93.65 vs 98.77 % / 93.71: within noise) and needs nothing but the landmarks.
TEMPLATE_BOX_CENTRE = np.array([70.7974, 71.8546])
TEMPLATE_BOX_SIDE = 131.9724


# --------------------------------------------------------------------------------------------- geometry


def dlib_chip_points(size: int = CHIP_SIZE, padding: float = CHIP_PADDING) -> np.ndarray:
    """Where dlib's get_face_chip_details() puts its 5 reference points, in chip pixels."""
    return (padding + DLIB_MEAN_FACE_5) / (2 * padding + 1) * size


def chip_rect(points: np.ndarray, size: int = CHIP_SIZE) -> tuple[np.ndarray, float, float]:
    """dlib's chip_details for dlib's 5 points: centre of the chip's rect in the image, its side, its angle.

    As dlib's constructor: the similarity chip->image is fitted to the reference points, and the rect is centred
    on the image of (size/2, size/2) with side size*scale - 1 (centered_drect counts pixel centres).
    """
    M = similarity_transform(dlib_chip_points(size), points)
    A = M[:, :2]
    scale = float(np.hypot(A[0, 0], A[1, 0]))
    angle = float(np.arctan2(A[1, 0], A[0, 0]))
    centre = A @ np.array([size / 2.0, size / 2.0]) + M[:, 2]
    return centre, size * scale - 1.0, angle


def _rotation(angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


def _corner_map(centre: np.ndarray, side: float, angle: float, size: int) -> np.ndarray:
    """Chip pixel -> image point (2x3): the chip's corner pixels go to the rotated rect's corners, as in dlib."""
    R = _rotation(angle)
    half = side / 2.0
    tl = centre + R @ np.array([-half, -half])
    tr = centre + R @ np.array([half, -half])
    bl = centre + R @ np.array([-half, half])
    M = np.empty((2, 3))
    M[:, 0] = (tr - tl) / (size - 1)
    M[:, 1] = (bl - tl) / (size - 1)
    M[:, 2] = tl
    return M


def _pyramid_down(img: np.ndarray) -> np.ndarray:
    """dlib's pyramid_down<2>: [1 4 6 4 1]^2 / 256 filter on every other pixel, truncated to uint8."""
    h, w = img.shape[:2]
    nh, nw = (h - 3) // 2, (w - 3) // 2
    # Sums stay at most 16 * 16 * 255 = 65,280, so uint16 accumulated in place is exact, and costs 6 bytes per
    # input pixel instead of the ~30 of int32 sums with their temporaries (72 MiB for a 1,300 x 1,700 px face).
    rows = np.zeros((h, nw, *img.shape[2:]), np.uint16)
    term = np.empty_like(rows)
    for i, weight in enumerate((1, 4, 6, 4, 1)):
        rows += np.multiply(img[:, i : i + 2 * nw : 2], weight, out=term, dtype=np.uint16)
    out = np.zeros((nh, *rows.shape[1:]), np.uint16)
    term = term[:nh]
    for i, weight in enumerate((1, 4, 6, 4, 1)):
        out += np.multiply(rows[i : i + 2 * nh : 2], weight, out=term)
    return (out >> 8).astype(np.uint8)


def _bilinear(img: np.ndarray, M: np.ndarray, size: int) -> np.ndarray:
    """Chip pixel (c, r) takes `img` bilinearly at M @ (c, r, 1), black outside, as dlib's transform_image.

    OpenCV's warp rounds where dlib truncates and quantises the interpolation weights to 1/32: the chips differ
    from dlib's by about one grey level on average (embeddings: cosine 0.9998 to the exact chip's over 251
    faces), and the warp costs 0.1 ms instead of the 1 ms of an exact numpy port, which counted against the
    14 ms photo-to-embedding budget.
    """
    return cv2.warpAffine(img, M, (size, size), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def extract_chip(image: np.ndarray, centre: np.ndarray, side: float, angle: float, size: int = CHIP_SIZE) -> np.ndarray:
    """dlib's extract_image_chip() for a square chip: pyramid first when shrinking more than 2x.

    Bilinear sampling of a much larger face would alias (it degenerates into nearest neighbour) and the network
    saw dlib's anti-aliased chips in training, so dlib's pyramid is kept with its exact filter, crop and
    geometry (pyramid_down<2> maps p to p/2 - (1.25, 0.75)).
    """
    centre = np.asarray(centre, np.float64)
    half = side / 2.0
    rect: tuple[float, ...] = (centre[0] - half, centre[1] - half, centre[0] + half, centre[1] + half)

    def down(r: tuple[float, ...]) -> tuple[float, ...]:
        return r[0] / 2 - 1.25, r[1] / 2 - 0.75, r[2] / 2 - 1.25, r[3] / 2 - 0.75

    def area(r: tuple[float, ...]) -> float:
        return (r[2] - r[0] + 1) * (r[3] - r[1] + 1)

    depth, grow = 0, 2.0
    probe = down(rect)
    while area(probe) > size * size:
        probe = down(probe)
        depth += 1
        grow = grow * 2 + 2
    if depth == 0:
        return _bilinear(image, _corner_map(centre, side, angle, size), size)
    # dlib pyramids only the bounding box of the rotated rect, grown by `grow`, clipped, rounded to pixels.
    h, w = image.shape[:2]
    corners = np.array([[-half, -half], [half, -half], [-half, half], [half, half]]) @ _rotation(angle).T
    corners += centre
    x0 = int(np.floor(max(corners[:, 0].min() - grow, 0.0) + 0.5))
    y0 = int(np.floor(max(corners[:, 1].min() - grow, 0.0) + 0.5))
    x1 = int(np.floor(min(corners[:, 0].max() + grow, w - 1.0) + 0.5))
    y1 = int(np.floor(min(corners[:, 1].max() + grow, h - 1.0) + 0.5))
    level = image[y0 : y1 + 1, x0 : x1 + 1]
    rect = (rect[0] - x0, rect[1] - y0, rect[2] - x0, rect[3] - y0)
    for _ in range(depth):
        level = _pyramid_down(level)
        rect = down(rect)
    level_centre = np.array([(rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2])
    return _bilinear(level, _corner_map(level_centre, rect[2] - rect[0], angle, size), size)


def chip_from_dlib_points(image_rgb: np.ndarray, points: np.ndarray, size: int = CHIP_SIZE) -> np.ndarray:
    """dlib.get_face_chip(image, shape, size, padding=0.25) for dlib's 5 points (5x2, x/y), to ~1 grey level."""
    return extract_chip(image_rgb, *chip_rect(points, size), size=size)


# ------------------------------------------------------------------------------------- shape predictor


class ShapePredictor5:
    """numpy port of dlib's shape_predictor run on shape_predictor_5_face_landmarks (Kazemi & Sullivan 2014).

    Each of the cascade's levels samples 800 pixel intensities at offsets from the current shape (similarity-
    aligned to the mean shape), walks 500 depth-4 trees on differences of those pixels and adds their leaves to
    the shape. Arithmetic follows dlib's types (float32 shape and features, float64 image transforms,
    round-half-up to pixels, (R+G+B)//3 intensity) so the landmarks are dlib's, not merely close to them.
    """

    def __init__(self, path: Path | str) -> None:
        """Load the .npz written by models.dlib_shape5.convert()."""
        with np.load(path) as z:
            self.initial_shape = z["initial_shape"].astype(np.float32).reshape(-1, 2)
            anchor_idx = z["anchor_idx"].astype(np.intp)
            deltas = z["deltas"].astype(np.float32)
            split_idx = z["split_idx"].astype(np.int16)  # < 800 feature pixels: small tables stay in cache
            split_thresh = z["split_thresh"].astype(np.float32)
            leaves = z["leaves"].astype(np.float32)
        levels, trees, splits = split_thresh.shape
        if leaves.shape != (levels, trees, splits + 1, self.initial_shape.size):
            raise ValueError(f"{path}: leaves {leaves.shape} do not match the trees")
        self._depth = int(np.log2(splits + 1))
        # Per level, everything flattened to 1-D so that each step of the tree walk is one `np.take`: with
        # 15 levels x 4 depths the walk is ~100 small numpy calls, and their overhead is the cost.
        self._levels = [
            (anchor_idx[c], deltas[c].T.copy(), split_idx[c, :, :, 0].ravel(), split_idx[c, :, :, 1].ravel(),
             split_thresh[c].ravel(), leaves[c].reshape(-1, leaves.shape[-1]))
            for c in range(levels)
        ]
        self._split_base = np.arange(trees, dtype=np.intp) * splits
        self._leaf_base = np.arange(trees, dtype=np.intp) * (splits + 1) - splits

    def predict(self, image_rgb: np.ndarray, rect: np.ndarray | tuple[int, int, int, int]) -> np.ndarray:
        """dlib's 5 landmarks (5x2 float64 image pixels, integral as dlib's) for an integer (l, t, r, b) box.

        `rect` is inclusive like dlib.rectangle; image_rgb is HxWx3 uint8 RGB (or HxW grey).
        """
        left, top, right, bottom = (int(v) for v in rect)
        sx, sy = float(right - left), float(bottom - top)
        h, w = image_rgb.shape[:2]
        shape = self.initial_shape.copy()
        origin = np.array([[left], [top]], np.float64)
        scale = np.array([[sx], [sy]], np.float64)
        limit = np.array([[w - 1], [h - 1]])
        for anchor_idx, deltas, split_a, split_b, thresh, leaves in self._levels:
            T = _similarity_2x2(self.initial_shape, shape)
            # dlib: shape[anchor] + T * delta in float32, then to image pixels in float64, rounded half up.
            points = (T[:, :1] * deltas[:1] + T[:, 1:] * deltas[1:]) + shape[anchor_idx].T
            xy = np.floor(points.astype(np.float64) * scale + origin + 0.5).astype(np.intp)
            clipped = np.clip(xy, 0, limit)
            inside = (clipped == xy).all(axis=0)
            pix = image_rgb[clipped[1], clipped[0]]
            if pix.ndim == 2:
                pix = pix.sum(axis=1, dtype=np.int32) // 3  # dlib's get_pixel_intensity for rgb_pixel
            feats = np.where(inside, pix, 0).astype(np.float32)
            # Every split's decision at once (7,500 of them), then four cheap steps down the trees.
            go_right = feats.take(split_a) - feats.take(split_b) <= thresh
            node = np.zeros(len(self._split_base), np.intp)
            for _ in range(self._depth):
                node = 2 * node + 1 + go_right.take(self._split_base + node)
            # dlib adds the trees' leaves to the shape one after another in float32; numpy sums along the
            # outer axis of a C-ordered array row by row, which is that same order (not pairwise).
            stacked = np.concatenate([shape.reshape(1, -1), leaves.take(self._leaf_base + node, axis=0)])
            shape = stacked.sum(axis=0, dtype=np.float32).reshape(-1, 2)
        out = shape.astype(np.float64) * [sx, sy] + [left, top]
        return np.floor(out + 0.5)  # dlib's full_object_detection holds integer points


def _similarity_2x2(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The linear part of dlib's find_tform_between_shapes, in float64 and returned as float32 as dlib uses it.

    The same estimate as `similarity_transform`, in plain Python for 5 points: it runs 15 times per face, where
    numpy's per-call overhead would dominate.
    """
    sx, sy = source[:, 0].tolist(), source[:, 1].tolist()
    tx, ty = target[:, 0].tolist(), target[:, 1].tolist()
    n = len(sx)
    msx, msy, mtx, mty = sum(sx) / n, sum(sy) / n, sum(tx) / n, sum(ty) / n
    dot = cross = norm = 0.0
    for ax, ay, bx, by in zip(sx, sy, tx, ty, strict=True):
        ax, ay, bx, by = ax - msx, ay - msy, bx - mtx, by - mty
        dot += ax * bx + ay * by
        cross += ax * by - ay * bx
        norm += ax * ax + ay * ay
    a, b = dot / norm, cross / norm
    return np.array([[a, -b], [b, a]], np.float32)


# ------------------------------------------------------------------------------------------- entry point


def _round_box(ltrb: np.ndarray) -> tuple[int, int, int, int]:
    left, top, right, bottom = (int(np.floor(v + 0.5)) for v in ltrb)
    return left, top, right, bottom


def dlib_box_from_landmarks(landmarks: np.ndarray) -> tuple[int, int, int, int]:
    """A dlib-HOG-like (l, t, r, b) box placed from YuNet's 5 landmarks alone (see TEMPLATE_BOX_CENTRE)."""
    M = similarity_transform(YUNET_CHIP_TEMPLATE, landmarks)
    scale = float(np.hypot(M[0, 0], M[1, 0]))
    centre = M[:, :2] @ TEMPLATE_BOX_CENTRE + M[:, 2]
    half = TEMPLATE_BOX_SIDE * scale / 2
    return _round_box(np.array([centre[0] - half, centre[1] - half, centre[0] + half, centre[1] + half]))


def dlib_chip(image_rgb: np.ndarray, landmarks: np.ndarray, *, predictor: ShapePredictor5) -> np.ndarray:
    """dlib's 150x150x3 uint8 RGB chip for a YuNet face, ready for dlib's face-recognition ResNet.

    image_rgb: HxWx3 uint8 RGB. landmarks: YuNet's 5x2 points (image pixels), from which dlib's box is placed.
    predictor: a loaded ShapePredictor5, passed in so the caller owns where the model file comes from and
    loads it once.
    """
    if image_rgb.ndim != 3 or image_rgb.shape[2] != 3 or image_rgb.dtype != np.uint8:
        raise ValueError(f"expected an HxWx3 uint8 RGB image, got {image_rgb.shape} {image_rgb.dtype}")
    rect = dlib_box_from_landmarks(np.asarray(landmarks))
    return chip_from_dlib_points(image_rgb, predictor.predict(image_rgb, rect))
