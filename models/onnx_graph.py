"""Graph surgery shared by the converters: folding, pruning, dynamic batch, deterministic save.

The shipped files are int8 block-quantized (opset 21 `DequantizeLinear` with `block_size`) and carry leftovers
of their export (unused weight inputs, `Dropout`). ONNX Runtime rejects some of that and runs the rest slowly,
so every quantized weight is folded back to a float32 initializer here, once, at build time.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

PRODUCER = "facegate-models"


def initializers(graph: onnx.GraphProto) -> dict[str, np.ndarray]:
    return {init.name: numpy_helper.to_array(init) for init in graph.initializer}


def attribute(node: onnx.NodeProto, name: str, default: object = None) -> object:
    for attr in node.attribute:
        if attr.name == name:
            return helper.get_attribute_value(attr)
    return default


def dequantize(quantized: np.ndarray, scale: np.ndarray, zero_point: np.ndarray | None,
               axis: int, block_size: int) -> np.ndarray:
    """numpy `DequantizeLinear` (opset 21): per-tensor, per-axis or blocked along `axis`.

    A blocked scale has the input's shape except along `axis`, where it holds ceil(n / block_size) entries;
    each is repeated over its block. A one-element scale is per-tensor whatever `block_size` says (ONNX allows
    it; ONNX Runtime does not, which is why these nodes are folded at all).
    """
    q = quantized.astype(np.float32)
    zp = np.zeros_like(scale, dtype=np.float32) if zero_point is None else zero_point.astype(np.float32)
    s = scale.astype(np.float32)
    if s.size > 1 and s.ndim == q.ndim and block_size:
        axis %= q.ndim
        s = np.repeat(s, block_size, axis=axis).take(range(q.shape[axis]), axis=axis)
        zp = np.repeat(zp, block_size, axis=axis).take(range(q.shape[axis]), axis=axis)
    elif s.size > 1:
        shape = [1] * q.ndim
        shape[axis % q.ndim] = -1
        s, zp = s.reshape(shape), zp.reshape(shape)
    else:
        s, zp = s.reshape(()), zp.reshape(())
    return ((q - zp) * s).astype(np.float32)


def _replace_with_constants(graph: onnx.GraphProto, op_type: str, compute) -> int:
    """Replace every `op_type` node whose inputs are all initializers by the initializer it computes."""
    values = initializers(graph)
    kept, folded = [], 0
    for node in graph.node:
        if node.op_type == op_type and all(name in values for name in node.input if name):
            result = compute(node, [values[name] if name else None for name in node.input])
            graph.initializer.append(numpy_helper.from_array(result, node.output[0]))
            values[node.output[0]] = result
            folded += 1
        else:
            kept.append(node)
    del graph.node[:]
    graph.node.extend(kept)
    return folded


def fold_dequantize(graph: onnx.GraphProto) -> int:
    """Fold constant `DequantizeLinear` nodes into float32 weights; returns how many were folded."""

    def compute(node: onnx.NodeProto, inputs: list[np.ndarray | None]) -> np.ndarray:
        quantized, scale, zero_point = [*inputs, None][:3]
        return dequantize(quantized, scale, zero_point, int(attribute(node, "axis", 1)),
                          int(attribute(node, "block_size", 0)))

    return _replace_with_constants(graph, "DequantizeLinear", compute)


def fold_reshape(graph: onnx.GraphProto) -> int:
    """Fold `Reshape` nodes applied to constant weights (the quantized export reshapes every kernel)."""
    return _replace_with_constants(
        graph, "Reshape", lambda _node, inputs: inputs[0].reshape([int(d) for d in inputs[1]])
    )


def dropout_to_identity(graph: onnx.GraphProto) -> int:
    """Inference-mode `Dropout` is the identity; saying so keeps optimizers and other runtimes simple."""
    count = 0
    for index, node in enumerate(graph.node):
        if node.op_type == "Dropout":
            graph.node[index].CopyFrom(helper.make_node("Identity", [node.input[0]], [node.output[0]], node.name))
            count += 1
    return count


def prune(graph: onnx.GraphProto) -> None:
    """Drop nodes whose results nobody reads, graph inputs that are constants or unread, unread initializers.

    A graph input without an initializer is a feed ONNX Runtime insists on, even when no node reads it.
    """
    outputs = {out.name for out in graph.output}
    while True:
        used = {name for node in graph.node for name in node.input} | outputs
        live_nodes = [node for node in graph.node if any(name in used for name in node.output)]
        if len(live_nodes) == len(graph.node):
            break
        del graph.node[:]
        graph.node.extend(live_nodes)
    constant = {init.name for init in graph.initializer}
    real = [inp for inp in graph.input if inp.name in used and inp.name not in constant]
    del graph.input[:]
    graph.input.extend(real)
    live = [init for init in graph.initializer if init.name in used]
    del graph.initializer[:]
    graph.initializer.extend(sorted(live, key=lambda init: init.name))


def rename_value(graph: onnx.GraphProto, old: str, new: str) -> None:
    for node in graph.node:
        for index, name in enumerate(node.input):
            if name == old:
                node.input[index] = new
        for index, name in enumerate(node.output):
            if name == old:
                node.output[index] = new
    for value in list(graph.input) + list(graph.output):
        if value.name == old:
            value.name = new


def set_dims(value: onnx.ValueInfoProto, dims: Iterable[int | str]) -> None:
    shape = value.type.tensor_type.shape
    del shape.dim[:]
    for dim in dims:
        entry = shape.dim.add()
        if isinstance(dim, str):
            entry.dim_param = dim
        else:
            entry.dim_value = dim


def append_l2_normalised(graph: onnx.GraphProto, source: str, name: str, size: int) -> None:
    """Add output `name` = `source` / ||`source`||₂ per row, so callers get unit vectors from the model."""
    graph.node.append(helper.make_node("LpNormalization", [source], [name], f"{name}_l2", axis=1, p=2))
    graph.output.append(helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, ["N", size]))


def finish(model: onnx.ModelProto, path: Path) -> None:
    """Check the model fully and save it byte-for-byte reproducibly."""
    del model.graph.value_info[:]
    model.producer_name, model.producer_version = PRODUCER, "1"
    del model.metadata_props[:]
    model = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    del model.graph.value_info[:]
    onnx.checker.check_model(model, full_check=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(model.SerializeToString(deterministic=True))
