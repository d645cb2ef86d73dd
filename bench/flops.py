"""Multiply-accumulate count of an ONNX graph at a concrete input shape: the floor a CPU cannot beat."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper, shape_inference


def _fixed_input(model: onnx.ModelProto, shape: list[int]) -> onnx.ModelProto:
    fixed = onnx.ModelProto()
    fixed.CopyFrom(model)
    dims = fixed.graph.input[0].type.tensor_type.shape.dim
    for dim, value in zip(dims, shape, strict=True):
        dim.Clear()
        dim.dim_value = value
    return shape_inference.infer_shapes(fixed)


def count_macs(path: Path, input_shape: list[int]) -> int:
    """MACs of Conv, Gemm and MatMul nodes (everything else is memory-bound and small in these models)."""
    model = _fixed_input(onnx.load(str(path)), input_shape)
    graph = model.graph
    shapes = {
        value.name: [d.dim_value for d in value.type.tensor_type.shape.dim]
        for value in [*graph.value_info, *graph.input, *graph.output]
    }
    weights = {init.name: numpy_helper.to_array(init).shape for init in graph.initializer}
    total = 0
    for node in graph.node:
        if node.op_type == "Conv":
            kernel = weights[node.input[1]]
            total += int(np.prod(shapes[node.output[0]])) * int(np.prod(kernel[1:]))
        elif node.op_type in {"Gemm", "MatMul"}:
            out = shapes[node.output[0]]
            inner = shapes.get(node.input[0]) or list(weights[node.input[0]])
            total += int(np.prod(out)) * int(inner[-1])
    return total
