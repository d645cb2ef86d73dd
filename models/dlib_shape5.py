"""Convert dlib's 5-point shape predictor (`shape_predictor_5_face_landmarks.dat`) into plain numpy arrays.

Why: dlib's face-recognition ResNet expects dlib's chip, built from dlib's own 5 landmarks; YuNet's landmarks
are different points (eye centres, not eye corners) and a fixed template mapping them costs accuracy (see
studies/dlib_alignment_study.py). The predictor itself is small and simple (an ensemble of regression trees over
pixel-difference features, Kazemi & Sullivan 2014), so we ship its parameters as an .npz and run it with numpy
(app/vision/dlib_chip.py: ShapePredictor5) instead of shipping dlib.

Layout of the dlib stream (dlib/image_processing/shape_predictor.h, serialize()):
  int version (1); matrix<float,0,1> initial_shape; vector<vector<regression_tree>> forests;
  vector<vector<unsigned long>> anchor_idx; vector<vector<vector<float,2>>> deltas
  regression_tree = vector<split_feature{idx1, idx2, float thresh}> splits, vector<matrix<float,0,1>> leaves
A matrix is written as -nr, -nc, then its elements row by row.

The .npz holds, for C cascade levels of T trees with S splits and S+1 leaves each, and F feature pixels:
  initial_shape (2P,) float32, anchor_idx (C, F) int32, deltas (C, F, 2) float32,
  split_idx (C, T, S, 2) int32, split_thresh (C, T, S) float32, leaves (C, T, S+1, 2P) float32.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np

from models.dlib_serialize import DlibFormatError, DlibReader


def _read_matrix(reader: DlibReader) -> np.ndarray:
    nr, nc = reader.read_int(), reader.read_int()
    nr, nc = abs(nr), abs(nc)  # dlib negates the dimensions in its current format, the old one did not
    return np.array([reader.read_float() for _ in range(nr * nc)], np.float32).reshape(nr, nc)


def _read_vector_column(reader: DlibReader) -> np.ndarray:
    m = _read_matrix(reader)
    if m.shape[1] != 1:
        raise DlibFormatError(f"expected a column vector, found a {m.shape} matrix")
    return m[:, 0]


def read_shape_predictor(data: bytes) -> dict[str, np.ndarray]:
    """Parse a serialized dlib::shape_predictor into the arrays described in the module docstring."""
    r = DlibReader(data)
    r.expect_int(1, "shape_predictor version")
    initial = _read_vector_column(r)
    split_idx, split_thr, leaves = [], [], []
    for _ in range(r.read_int()):  # cascade levels
        lvl_idx, lvl_thr, lvl_leaves = [], [], []
        for _ in range(r.read_int()):  # trees
            splits = [(r.read_int(), r.read_int(), r.read_float()) for _ in range(r.read_int())]
            lvl_idx.append([(a, b) for a, b, _ in splits])
            lvl_thr.append([t for _, _, t in splits])
            lvl_leaves.append([_read_vector_column(r) for _ in range(r.read_int())])
        split_idx.append(lvl_idx)
        split_thr.append(lvl_thr)
        leaves.append(lvl_leaves)
    anchors = [[r.read_int() for _ in range(r.read_int())] for _ in range(r.read_int())]
    deltas = [[(r.read_float(), r.read_float()) for _ in range(r.read_int())] for _ in range(r.read_int())]
    if r.remaining:
        raise DlibFormatError(f"{r.remaining} bytes left after the shape predictor")
    out = {
        "initial_shape": initial.astype(np.float32),
        "anchor_idx": np.array(anchors, np.int32),
        "deltas": np.array(deltas, np.float32),
        "split_idx": np.array(split_idx, np.int32),
        "split_thresh": np.array(split_thr, np.float32),
        "leaves": np.array(leaves, np.float32),
    }
    c, t, s = out["split_thresh"].shape
    if out["leaves"].shape != (c, t, s + 1, initial.size) or out["deltas"].shape[:2] != out["anchor_idx"].shape:
        raise DlibFormatError("ragged shape predictor: trees or feature sets differ in size")
    if s + 1 & s:
        raise DlibFormatError(f"trees must be complete binary trees, found {s} splits")
    return out


def _save_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """`np.savez_compressed` stamps each member with the current time; fixed stamps make rebuilds identical."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in sorted(arrays.items()):
            member = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            archive.writestr(member, buffer.getvalue())


def convert(source: Path, output: Path) -> dict:
    """Write the predictor at `source` as an .npz at `output`; return the facts its network card records."""
    arrays = read_shape_predictor(Path(source).read_bytes())
    output.parent.mkdir(parents=True, exist_ok=True)
    _save_npz(output, arrays)
    c, t, s = arrays["split_thresh"].shape
    return {
        "input": {
            "name": "image",
            "shape": ["H", "W", 3],
            "colour_order": "RGB",
            "value_scale": "0..255 uint8; features use dlib's intensity (R+G+B)//3",
            "layout": "HWC",
            "box": "dlib HOG-like (left, top, right, bottom), placed from YuNet's 5 landmarks",
        },
        "outputs": {"landmarks": "dlib's 5 points: eye corners (outer, inner) x2, base of the nose"},
        "runtime": "numpy, app/vision/dlib_chip.py ShapePredictor5 (no dlib at run time)",
        "parts": arrays["initial_shape"].size // 2,
        "cascades": c,
        "trees_per_cascade": t,
        "tree_depth": int(np.log2(s + 1)),
        "feature_pixels": arrays["anchor_idx"].shape[1],
    }
