"""The YuNet box -> dlib HOG box map that the dlib alignment study fits (variant b_remap), as last recorded.

The service does not use it: it places dlib's box from YuNet's landmarks (app/vision/dlib_chip.py), which
measured as well and needs no box. The recorded fit stays here so a re-run of the study can be checked
against it.
"""

from __future__ import annotations

import numpy as np

# YuNet box (x, y, w, h) -> dlib HOG box (left, top, right, bottom) = (x, y, x, y) + YUNET_TO_DLIB_BOX @ (w, h).
# Least squares over the 995 faces where both detectors fire on the same face, in the study's fit set: all 252
# `studio` images + the 752 lfw-dev images whose identities appear nowhere in lfw-dev/pairs.csv (so no
# evaluation face took part). rms residual 0.079 box widths.
YUNET_TO_DLIB_BOX = np.array(
    [
        [0.002360, -0.030377],
        [-0.421205, 0.465887],
        [0.725115, 0.235280],
        [0.274440, 0.750538],
    ]
)
