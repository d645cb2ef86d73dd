"""dlib's 150x150 face chip, rebuilt with numpy only.

DRAFT: geometry helpers only; the run-time entry point is written once bench/dlib_alignment_study.py decides.
"""

from __future__ import annotations

import numpy as np

CHIP_SIZE = 150
CHIP_PADDING = 0.25

# dlib's get_face_chip_details() 5-point reference (dlib/image_transforms/interpolation.h), in the unit square
# of the unpadded face, in dlib's part order: left-of-image eye outer corner... (see module docs).
DLIB_MEAN_FACE_5 = np.array(
    [
        [0.8595674595992, 0.2134981538014],
        [0.6460604764104, 0.2289674387677],
        [0.1205750620789, 0.2137274526848],
        [0.3340850613712, 0.2290642403242],
        [0.4901123135679, 0.6277975316475],
    ]
)


def similarity_lstsq(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares similarity (Umeyama 1991) mapping src onto dst, as a 2x3 matrix."""
    src = np.asarray(src, np.float64)
    dst = np.asarray(dst, np.float64)
    mu_s, mu_d = src.mean(0), dst.mean(0)
    s, d = src - mu_s, dst - mu_d
    U, D, Vt = np.linalg.svd(d.T @ s / len(src))
    sign = np.eye(2)
    if np.linalg.det(U) * np.linalg.det(Vt) < 0:
        sign[1, 1] = -1
    R = U @ sign @ Vt
    c = np.trace(np.diag(D) @ sign) / ((s**2).sum() / len(src))
    M = np.empty((2, 3))
    M[:, :2] = c * R
    M[:, 2] = mu_d - c * R @ mu_s
    return M


def dlib_chip_points(size: int = CHIP_SIZE, padding: float = CHIP_PADDING) -> np.ndarray:
    """Where dlib's get_face_chip_details() puts its 5 reference points in the chip, in chip pixels."""
    return (padding + DLIB_MEAN_FACE_5) / (2 * padding + 1) * size


def chip_rect_from_similarity(
    chip_to_img: np.ndarray, size: int = CHIP_SIZE
) -> tuple[np.ndarray, float, float]:
    """dlib's chip_details (rect centre, side, angle) for a chip->image similarity, as its constructor does."""
    A = chip_to_img[:, :2]
    scale = float(np.hypot(A[0, 0], A[1, 0]))
    angle = float(np.arctan2(A[1, 0], A[0, 0]))
    centre = A @ np.array([size / 2.0, size / 2.0]) + chip_to_img[:, 2]
    # centered_drect() subtracts one from the width: the rect's corners are pixel centres.
    return centre, size * scale - 1.0, angle


def _corner_map(centre: np.ndarray, side: float, angle: float, size: int) -> np.ndarray:
    """Chip pixel -> image point affine sending the chip's corners to the rotated rect's (as dlib maps)."""
    c, s = np.cos(angle), np.sin(angle)
    R = np.array([[c, -s], [s, c]])
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
    """dlib's pyramid_down<2>: 5x5 [1 4 6 4 1]^2/256 filter, every other pixel, truncated to uint8."""
    h, w = img.shape[:2]
    nh, nw = (h - 3) // 2, (w - 3) // 2
    x = img.astype(np.int32)
    k = np.array([1, 4, 6, 4, 1], np.int32)
    rows = sum(k[i] * x[:, i : i + 2 * nw : 2] for i in range(5))
    out = sum(k[i] * rows[i : i + 2 * nh : 2] for i in range(5))
    return (out // 256).astype(np.uint8)


def _bilinear(img: np.ndarray, M: np.ndarray, size: int) -> np.ndarray:
    """dlib's transform_image + interpolate_bilinear: sample img at M @ (col, row, 1) for each chip pixel.

    Pixels whose 2x2 neighbourhood leaves the image are black and values are truncated, not rounded: as dlib.
    """
    cols, rows = np.meshgrid(np.arange(size, dtype=np.float64), np.arange(size, dtype=np.float64))
    x = M[0, 0] * cols + M[0, 1] * rows + M[0, 2]
    y = M[1, 0] * cols + M[1, 1] * rows + M[1, 2]
    left = np.floor(x).astype(np.int64)
    top = np.floor(y).astype(np.int64)
    h, w = img.shape[:2]
    ok = (left >= 0) & (top >= 0) & (left + 1 < w) & (top + 1 < h)
    lc, tc = np.clip(left, 0, w - 2), np.clip(top, 0, h - 2)
    fx = (x - left)[..., None]
    fy = (y - top)[..., None]
    f = img.astype(np.float64)
    val = (1 - fy) * ((1 - fx) * f[tc, lc] + fx * f[tc, lc + 1]) + fy * (
        (1 - fx) * f[tc + 1, lc] + fx * f[tc + 1, lc + 1]
    )
    out = np.where(ok[..., None], val, 0.0)
    return out.astype(np.uint8)


def _round_half_up(v: float) -> int:
    return int(np.floor(v + 0.5))


def extract_chip(
    image: np.ndarray, centre: np.ndarray, side: float, angle: float, size: int = CHIP_SIZE
) -> np.ndarray:
    """dlib's extract_image_chip() for a square chip: pyramid-down first when shrinking by more than 2x.

    Plain bilinear sampling of a much larger face would alias (it degenerates into nearest neighbour), and the
    network was trained on dlib's anti-aliased chips, so the pyramid is kept, with dlib's exact filter and
    geometry (pyramid_down<2>::point_down is p/2 - (1.25, 0.75)).
    """
    h, w = image.shape[:2]
    half = side / 2.0
    left, top, right, bottom = centre[0] - half, centre[1] - half, centre[0] + half, centre[1] + half

    def down(l_: float, t_: float, r_: float, b_: float) -> tuple[float, float, float, float]:
        return l_ / 2 - 1.25, t_ / 2 - 0.75, r_ / 2 - 1.25, b_ / 2 - 0.75

    def area(r: tuple[float, float, float, float]) -> float:
        return (r[2] - r[0] + 1) * (r[3] - r[1] + 1)

    depth, grow = 0, 2.0
    r = down(left, top, right, bottom)
    while area(r) > size * size:
        r = down(*r)
        depth += 1
        grow = grow * 2 + 2
    if depth == 0:
        return _bilinear(image, _corner_map(np.asarray(centre, float), side, angle, size), size)
    # Bounding box of the rotated rect, grown by `grow`, clipped to the image, rounded (dlib's rectangle).
    c, s = np.cos(angle), np.sin(angle)
    R = np.array([[c, -s], [s, c]])
    corners = np.array([[-half, -half], [half, -half], [-half, half], [half, half]]) @ R.T + centre
    bl_ = max(corners[:, 0].min() - grow, 0.0)
    bt_ = max(corners[:, 1].min() - grow, 0.0)
    br_ = min(corners[:, 0].max() + grow, w - 1.0)
    bb_ = min(corners[:, 1].max() + grow, h - 1.0)
    bl, bt, br, bb = (_round_half_up(v) for v in (bl_, bt_, br_, bb_))
    level_img = image[bt : bb + 1, bl : br + 1]
    rect = (left - bl, top - bt, right - bl, bottom - bt)
    for _ in range(depth):
        level_img = _pyramid_down(level_img)
        rect = down(*rect)
    rc = np.array([(rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2])
    return _bilinear(level_img, _corner_map(rc, rect[2] - rect[0], angle, size), size)


def chip_from_dlib_points(image: np.ndarray, points: np.ndarray, size: int = CHIP_SIZE) -> np.ndarray:
    """dlib.get_face_chip(image, shape, size, padding=0.25) from dlib's 5 shape-predictor points."""
    M = similarity_lstsq(dlib_chip_points(size), points)
    return extract_chip(image, *chip_rect_from_similarity(M, size), size=size)


def warp_chip(image: np.ndarray, image_to_chip: np.ndarray, size: int = CHIP_SIZE) -> np.ndarray:
    """Chip for an image->chip similarity, sampled exactly as dlib samples its chips (pyramid included)."""
    A = np.vstack([image_to_chip, [0.0, 0.0, 1.0]])
    inv = np.linalg.inv(A)[:2]
    step = float(np.hypot(inv[0, 0], inv[1, 0]))
    angle = float(np.arctan2(inv[1, 0], inv[0, 0]))
    centre = inv[:, :2] @ np.array([(size - 1) / 2.0, (size - 1) / 2.0]) + inv[:, 2]
    return extract_chip(image, centre, step * (size - 1), angle, size)
