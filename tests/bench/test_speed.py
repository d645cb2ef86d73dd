"""The speed bench at a small size: what it counts (MACs by kind, peaks) and its side-by-side run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import helper, numpy_helper

from bench import speed
from bench.accuracy import reader
from bench.facesets import FaceSet
from bench.flops import Peak, count_macs_by_kind


def test_float_and_int8_macs_are_counted_apart(models_dir: Path) -> None:
    """dlib's network does the same multiply-accumulates in float32 and in int8, on other units."""
    shape = [1, 3, 150, 150]
    floating = count_macs_by_kind(models_dir / "dlib_resnet_v1.onnx", shape)
    quantized = count_macs_by_kind(models_dir / "dlib_resnet_v1_int8.onnx", shape)
    assert floating["int8"] == quantized["float"] == 0
    assert floating["float"] == quantized["int8"] == 270_854_144


def test_macs_of_a_tiny_graph(tmp_path: Path) -> None:
    """A 3x3 convolution, 2 -> 4 channels, on 1x2x8x8 (padding 1): 8*8 outputs x 4 channels x 2*3*3 MACs; then
    a MatMul [1, 256] x [256, 5]."""
    conv = numpy_helper.from_array(np.ones((4, 2, 3, 3), np.float32), "w")
    matrix = numpy_helper.from_array(np.ones((256, 5), np.float32), "m")
    shape = numpy_helper.from_array(np.array([1, 256], np.int64), "shape")
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
         helper.make_node("Reshape", ["c", "shape"], ["flat"]),
         helper.make_node("MatMul", ["flat", "m"], ["y"])], "tiny",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 2, "h", "w"])],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 5])], [conv, matrix, shape])
    path = tmp_path / "tiny.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    assert count_macs_by_kind(path, [1, 2, 8, 8]) == {"float": 8 * 8 * 4 * 18 + 256 * 5, "int8": 0}


def test_peaks_are_measured() -> None:
    peaks = {kind: Peak(kind, size=256) for kind in ("float", "int8")}
    for peak in peaks.values():
        for _ in range(3):
            peak.sample()
    assert [len(peak.times) for peak in peaks.values()] == [3, 3]
    assert 1 < peaks["float"].gflops() < 1000
    assert 1 < peaks["int8"].gflops() < 10_000


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_side_by_side_reads_the_same_photos_on_one_thread_each(models_dir: Path, faces_dir: Path) -> None:
    pytest.importorskip("dlib", reason="face_recognition's path needs dlib-bin (a dev dependency)")
    faces = FaceSet.load(faces_dir / "lfw-dev")
    photos = [faces.image(path).read_bytes() for path in faces.paths[:3]]
    runners = speed.contenders(reader(models_dir), models_dir)
    speed.side_by_side(runners, photos, rounds=1)
    peaks = {"float": 100.0, "int8": 400.0}
    assert [r.name for r in runners] == ["facegate fusion_int8 (default)", "face_recognition",
                                         "OpenCV YuNet + SFace"]
    for runner in runners:
        assert runner.found == 3, runner.name
        assert len(runner.wall) == 3
        assert runner.ms() > 0
        assert runner.cpu / sum(runner.wall) < 1.5, runner.name  # one thread, not two cores' worth
    ours, dlib, opencv = runners
    # yunet on 256x256 and SFace in float32, dlib's network in int8: a photo's floor, at the peaks above.
    sface, resnet = 584_224_256, 270_854_144
    assert ours.macs["int8"] == 3 * resnet
    assert ours.macs["float"] > 3 * sface
    assert dlib.macs == {"float": 3 * resnet, "int8": 0}
    # lfw's 250x250 photos: both detect on 256x256; facegate also checks the face's orientation on 4 x 128x128.
    assert ours.macs["float"] - opencv.macs["float"] == 3 * count_macs_by_kind(
        models_dir / "yunet.onnx", [4, 3, 128, 128])["float"]
    assert ours.floor_ms(peaks) == pytest.approx(2 * (ours.macs["float"] / 100e9 + resnet * 3 / 400e9) / 3 * 1e3)
