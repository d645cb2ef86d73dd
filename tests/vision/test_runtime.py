"""Provider selection, tested with faked provider lists, and the session wrapper on a tiny graph."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from app.errors import ProviderUnavailable
from app.vision.runtime import InferenceModel, resolve_providers

CPU, CUDA, TRT = "CPUExecutionProvider", "CUDAExecutionProvider", "TensorrtExecutionProvider"


def test_cpu_only_by_default() -> None:
    assert resolve_providers(["cpu"], [CPU], required=True) == [CPU]


def test_preference_order_kept_and_cpu_last() -> None:
    assert resolve_providers(["tensorrt", "cuda"], [TRT, CUDA, CPU], required=True) == [TRT, CUDA, CPU]
    assert resolve_providers(["cpu", "cuda"], [CUDA, CPU], required=True) == [CUDA, CPU]


def test_missing_provider_falls_back_loudly(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert resolve_providers(["cuda"], [CPU], required=False) == [CPU]
    assert "CUDAExecutionProvider" in caplog.text


def test_missing_required_provider_is_an_error() -> None:
    with pytest.raises(ProviderUnavailable, match="CUDAExecutionProvider"):
        resolve_providers(["cuda"], [CPU], required=True)


def test_unknown_provider_name_is_an_error() -> None:
    with pytest.raises(ProviderUnavailable, match="unknown"):
        resolve_providers(["gpu"], [CPU], required=False)


def test_inference_model_runs_a_tiny_graph(tmp_path: Path) -> None:
    graph = helper.make_graph(
        [helper.make_node("Mul", ["input", "two"], ["output"])],
        "double",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 3])],
        [helper.make_tensor("two", TensorProto.FLOAT, [], [2.0])],
    )
    path = tmp_path / "double.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    model = InferenceModel(path, ["cpu"], 1, required=True)
    assert model.providers == [CPU]
    assert model.input_name == "input"
    (out,) = model.run(np.arange(6, dtype=np.float32).reshape(2, 3))
    np.testing.assert_array_equal(out, np.arange(6, dtype=np.float32).reshape(2, 3) * 2)
