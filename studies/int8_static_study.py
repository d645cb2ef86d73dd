"""Static int8 quantization of the embedders (ONNX Runtime, QDQ and QOperator), against float32.

    python -m studies.int8_static_study [--faces ../shared/faces] [--photos 260]

Crops of lfw-dev photos (the service's own detection and alignment) calibrate `quantize_static` (MinMax and
the 99.99th percentile); held-out crops then give, per variant, the median ms of one crop on one thread and the
cosine of its embedding to float32's. What it printed on 2026-12-02 (AMD EPYC, AVX2, no AVX-512 or VNNI):

    dlib_resnet_v1  fp32 15.97 ms | QDQ MinMax 16.34 ms, cos min 0.971 | QDQ Percentile 18.42 ms, 0.969
                    QOperator MinMax 17.08 ms, 0.972 | QOperator Percentile 16.71 ms, 0.969
    sface           fp32 44.17 ms | QDQ MinMax 53.67 ms, cos mean 0.938

Neither form is faster than float32 on that CPU, and SFace loses much of its accuracy (mean cosine 0.94 to its
own float32 embedding: its PRelu and depthwise layers quantize badly), so no int8 variant is built or served.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

import numpy as np
import onnxruntime as ort
from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType, quantize_static
from onnxruntime.quantization.shape_inference import quant_pre_process

from app.config import Settings
from app.vision.pipeline import load_pipeline
from app.vision.types import FaceSelection
from bench.facesets import ROOT, FaceSet, default_faces_dir
from bench.speed import median_ms


class Crops(CalibrationDataReader):
    def __init__(self, name: str, crops: list[np.ndarray]) -> None:
        self._feed = iter([{name: crop} for crop in crops])

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._feed, None)


def session(path: Path) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faces", type=Path, default=default_faces_dir())
    parser.add_argument("--models", type=Path, default=ROOT / "build" / "models")
    parser.add_argument("--photos", type=int, default=260)
    args = parser.parse_args()
    settings = Settings(runtime={"models_dir": args.models, "intra_op_threads": 1})
    pipeline = load_pipeline(settings.runtime, settings.detection, settings.limits)
    faces = FaceSet.load(args.faces / "lfw-dev")
    crops: dict[str, list[np.ndarray]] = {name: [] for name in pipeline.embedders}
    for path in random.Random(0).sample(faces.paths, args.photos):
        image = pipeline.decode(faces.image(path).read_bytes())
        found, _ = pipeline.detect(image, FaceSelection.PRIMARY)
        for name, embedder in pipeline.embedders.items():
            crop = embedder.align(image, found[:1]).transpose(0, 3, 1, 2)
            crops[name].append(np.ascontiguousarray(crop, dtype=np.float32))
    folder = Path(tempfile.mkdtemp())
    for name, arrays in crops.items():
        calibration, held_out = arrays[:200], arrays[200:]
        base = session(args.models / f"{name}.onnx")
        feed = base.get_inputs()[0].name
        reference = unit(np.concatenate([base.run(["embedding"], {feed: c})[0] for c in held_out]))
        probe = {feed: held_out[0]}
        print(f"{name} fp32 {median_ms(lambda s=base, p=probe: s.run(['embedding'], p), 40):.2f} ms", flush=True)
        prepared = folder / f"{name}_pre.onnx"
        quant_pre_process(str(args.models / f"{name}.onnx"), str(prepared), skip_symbolic_shape=True)
        for form in (QuantFormat.QDQ, QuantFormat.QOperator):
            for method in (CalibrationMethod.MinMax, CalibrationMethod.Percentile):
                target = folder / f"{name}_{form.name}_{method.name}.onnx"
                extra = {"ActivationSymmetric": False, "WeightSymmetric": True, "CalibPercentile": 99.99}
                quantize_static(str(prepared), str(target), Crops(feed, calibration), quant_format=form,
                                activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, per_channel=True,
                                calibrate_method=method, extra_options=extra)
                quantized = session(target)
                got = unit(np.concatenate([quantized.run(["embedding"], {feed: c})[0] for c in held_out]))
                cosine = (got * reference).sum(axis=1)
                ms = median_ms(lambda q=quantized, p=probe: q.run(["embedding"], p), 40)
                print(f"{name} {form.name} {method.name} {ms:.2f} ms, cos min {cosine.min():.4f} "
                      f"mean {cosine.mean():.5f}", flush=True)


if __name__ == "__main__":
    main()
