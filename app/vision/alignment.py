"""Face alignment: a similarity transform of the 5 landmarks onto a model's template, then one warp.

Crops are always cut from the original image (not the detector's scaled copy), so small faces keep every
pixel they have.
"""

from __future__ import annotations

import cv2
import numpy as np

# The 5-point template SFace (and ArcFace) were trained on, for a 112x112 crop: right eye, left eye, nose tip,
# right and left mouth corners. Origin: InsightFace's `arcface_dst`, also OpenCV's FaceRecognizerSF.alignCrop.
ARCFACE_112 = np.array(
    [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]],
    dtype=np.float64,
)


def similarity_transform(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Least-squares similarity (rotation, uniform scale, translation) mapping `source` onto `target`.

    Umeyama (1991), the estimate OpenCV's `alignCrop` and scikit-image use; returns a 2x3 matrix for
    `cv2.warpAffine`.
    """
    src = np.asarray(source, np.float64)
    dst = np.asarray(target, np.float64)
    src_mean, dst_mean = src.mean(axis=0), dst.mean(axis=0)
    src_c, dst_c = src - src_mean, dst - dst_mean
    covariance = dst_c.T @ src_c / len(src)
    u, singular, vt = np.linalg.svd(covariance)
    sign = np.eye(2)
    if np.linalg.det(covariance) < 0:
        sign[1, 1] = -1
    rotation = u @ sign @ vt
    scale = float(np.trace(np.diag(singular) @ sign)) / float(src_c.var(axis=0).sum())
    matrix = np.empty((2, 3))
    matrix[:, :2] = scale * rotation
    matrix[:, 2] = dst_mean - matrix[:, :2] @ src_mean
    return matrix


def warp(image: np.ndarray, matrix: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Cut the aligned crop of `size` (width, height) out of `image`."""
    return cv2.warpAffine(image, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)


def arcface_crop(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """The 112x112 crop SFace expects."""
    return warp(image, similarity_transform(landmarks, ARCFACE_112), (112, 112))
