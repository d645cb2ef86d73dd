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
    """Least-squares similarity (rotation, uniform scale, translation) mapping `source` points onto `target`.

    Umeyama's (1991) estimate, the one OpenCV's `alignCrop`, dlib and scikit-image use; in 2-D it has a closed
    form: with centred points as complex numbers, rotation and scale are one complex ratio. Returns the 2x3
    matrix `cv2.warpAffine` takes.
    """
    src = np.asarray(source, np.float64)
    dst = np.asarray(target, np.float64)
    src_mean, dst_mean = src.mean(axis=0), dst.mean(axis=0)
    s = (src[:, 0] - src_mean[0]) + 1j * (src[:, 1] - src_mean[1])
    d = (dst[:, 0] - dst_mean[0]) + 1j * (dst[:, 1] - dst_mean[1])
    ratio = np.vdot(s, d) / np.vdot(s, s).real
    linear = np.array([[ratio.real, -ratio.imag], [ratio.imag, ratio.real]])
    return np.hstack([linear, (dst_mean - linear @ src_mean)[:, None]])


def warp(image: np.ndarray, matrix: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Cut the aligned crop of `size` (width, height) out of `image`."""
    return cv2.warpAffine(image, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)


def arcface_crop(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """The 112x112 crop SFace expects."""
    return warp(image, similarity_transform(landmarks, ARCFACE_112), (112, 112))
