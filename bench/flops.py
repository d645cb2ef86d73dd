"""Multiply-accumulate count of an ONNX graph at a concrete input shape: the floor a CPU cannot beat."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

from app.vision.runtime import InferenceModel

# A float node's MACs run on float32 units, an integer node's on int8 ones (VNNI), which have another peak.
_FLOAT = {"Conv", "Gemm", "MatMul"}
_INT8 = {"QLinearConv", "ConvInteger", "QLinearMatMul", "MatMulInteger"}
# Which input of each convolution is its weight.
_CONV_WEIGHT = {"Conv": 1, "ConvInteger": 1, "QLinearConv": 3}


def _output_shapes(model: onnx.ModelProto, input_shape: list[int]) -> dict[str, list[int]]:
    """Every node output's shape, by running the graph once on zeros: ONNX's shape inference stops at the
    com.microsoft operators of a quantized graph (QLinearAdd and the like), ONNX Runtime does not."""
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    exposed = {output.name for output in probe.graph.output}
    for node in probe.graph.node:
        for name in node.output:
            if name and name not in exposed:
                probe.graph.output.append(helper.make_empty_tensor_value_info(name))
                exposed.add(name)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "probe.onnx"
        onnx.save(probe, path)
        session = InferenceModel(path, ["cpu"], 1, required=True)
        values = session.run(np.zeros(input_shape, np.float32))
    return {name: list(value.shape) for name, value in zip(session.output_names, values, strict=True)}


def count_macs_by_kind(path: Path, input_shape: list[int]) -> dict[str, int]:
    """MACs of the convolutions and matrix products at `input_shape`, as {"float": ..., "int8": ...}
    (everything else is memory-bound and small in these models)."""
    model = onnx.load(str(path))
    shapes = _output_shapes(model, input_shape)
    weights = {init.name: list(numpy_helper.to_array(init).shape) for init in model.graph.initializer}
    totals = {"float": 0, "int8": 0}
    for node in model.graph.node:
        kind = "float" if node.op_type in _FLOAT else "int8" if node.op_type in _INT8 else None
        if kind is None:
            continue
        out = int(np.prod(shapes[node.output[0]]))
        if "Conv" in node.op_type:  # weight [out channels, in channels / groups, kh, kw]
            totals[kind] += out * int(np.prod(weights[node.input[_CONV_WEIGHT[node.op_type]]][1:]))
        else:  # each output sums over the first operand's last axis
            first = shapes.get(node.input[0]) or weights.get(node.input[0]) or input_shape
            totals[kind] += out * int(first[-1])
    return totals


class Peak:
    """This machine's single-thread peak for `kind` ("float": float32 MatMul; "int8": uint8 x int8 MatMulInteger,
    the kernels ONNX Runtime runs quantized convolutions on), from one large square product in ONNX Runtime: the
    best any model on these units can do, 2 operations per MAC. Sampled between the timings it is compared
    with, so that it sees the same machine (shared machines change speed within a run)."""

    def __init__(self, kind: str, size: int = 512) -> None:
        rng = np.random.default_rng(0)
        if kind == "float":
            weight: np.ndarray = rng.standard_normal((size, size)).astype(np.float32)
            node, a_type, out_type = "MatMul", onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT
            self.batch: np.ndarray = rng.standard_normal((size, size)).astype(np.float32)
        else:
            weight = rng.integers(-64, 64, (size, size), dtype=np.int8)
            node, a_type, out_type = "MatMulInteger", onnx.TensorProto.UINT8, onnx.TensorProto.INT32
            self.batch = rng.integers(0, 256, (size, size), dtype=np.uint8)
        graph = helper.make_graph(
            [helper.make_node(node, ["a", "b"], ["y"])], "peak",
            [helper.make_tensor_value_info("a", a_type, [size, size])],
            [helper.make_tensor_value_info("y", out_type, [size, size])],
            [numpy_helper.from_array(weight, "b")])
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "peak.onnx"
            onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
            self.session = InferenceModel(path, ["cpu"], 1, required=True)
        self.size = size
        self.session.run(self.batch)  # warm-up
        self.times: list[float] = []

    def sample(self, tries: int = 3) -> None:
        """The fastest of `tries` runs in a row: the first after other work finds its operands out of cache."""
        times = []
        for _ in range(tries):
            start = time.perf_counter()
            self.session.run(self.batch)
            times.append(time.perf_counter() - start)
        self.times.append(min(times))

    def gflops(self) -> float:
        """At the median of the samples so far."""
        return 2 * self.size**3 / statistics.median(self.times) / 1e9

