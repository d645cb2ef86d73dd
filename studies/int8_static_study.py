"""Static int8 quantization of the embedders (ONNX Runtime, QDQ and QOperator), against float32.

    python -m studies.int8_static_study [--faces ../shared/faces] [--photos 260]

Crops of lfw-dev photos (the service's own detection and alignment) calibrate `quantize_static` (MinMax and
the 99.99th percentile; with and without `reduce_range`); held-out crops then give, per variant, the median ms
of one crop on one thread and the cosine of its embedding to float32's.

On 2026-12-02, an AMD EPYC with AVX2 and no AVX-512 or VNNI:

    dlib_resnet_v1  fp32 15.97 ms | QDQ MinMax 16.34 ms, cos min 0.971 | QOperator MinMax 17.08 ms, 0.972
    sface           fp32 44.17 ms | QDQ MinMax 53.67 ms, cos mean 0.938

On 2026-12-02 (a later session), an Intel Xeon with AVX-512 VNNI and AMX:

    dlib_resnet_v1  fp32 6.18-8.51 ms | QDQ MinMax 3.07 ms, cos min 0.9992 | QOperator MinMax 2.08 ms, 0.9993
                    QOperator MinMax reduce_range 2.42 ms, cos min 0.9989 mean 0.9993
    sface           fp32 17.74-22.30 ms | QDQ MinMax 12.25-16.27 ms, cos min 0.944 mean 0.987
                    QOperator: cos mean 0.08 (broken); depthwise layers or both ends left in float: mean 0.987-0.990

Without VNNI, uint8 x int8 products are summed in int16 and saturate, which is the 0.97 above; `reduce_range`
(7-bit weights) avoids it at no measurable cost with VNNI. So `dlib_resnet_v1_int8` is built (QOperator,
reduce_range, MinMax: models/int8.py); SFace stays float32, since none of its variants keeps its embeddings.
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
            for method, reduce_range in ((CalibrationMethod.MinMax, False), (CalibrationMethod.MinMax, True),
                                         (CalibrationMethod.Percentile, False)):
                target = folder / f"{name}_{form.name}_{method.name}_{reduce_range}.onnx"
                extra = {"ActivationSymmetric": False, "WeightSymmetric": True, "CalibPercentile": 99.99}
                quantize_static(str(prepared), str(target), Crops(feed, calibration), quant_format=form,
                                activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, per_channel=True,
                                reduce_range=reduce_range, calibrate_method=method, extra_options=extra)
                quantized = session(target)
                got = unit(np.concatenate([quantized.run(["embedding"], {feed: c})[0] for c in held_out]))
                cosine = (got * reference).sum(axis=1)
                ms = median_ms(lambda q=quantized, p=probe: q.run(["embedding"], p), 40)
                print(f"{name} {form.name} {method.name} reduce_range={reduce_range} {ms:.2f} ms, "
                      f"cos min {cosine.min():.4f} "
                      f"mean {cosine.mean():.5f}", flush=True)


if __name__ == "__main__":
    main()
