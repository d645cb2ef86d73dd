"""SFace (OpenCV Zoo, 2021dec, int8 block-quantized) → a clean float32 ONNX embedder.

What the shipped file needs, and why:
- it lists its 29 original float weights as graph inputs no node reads, so ONNX Runtime demands them as feeds
  (and OpenCV 5's `FaceRecognizerSF` fails on it): they are pruned;
- its blocked `DequantizeLinear` + constant `Reshape` pairs are folded into float32 weights;
- `Dropout` becomes `Identity`, the batch becomes dynamic, and an L2-normalised `embedding` output is added;
- `PRelu(x, a)` is rewritten as `Relu(x) + DWConv(-a, Relu(DWConv(-1, x)))`: the same values, but made of ops
  ONNX Runtime runs in its blocked (NCHWc) layout with fused activations. Measured on one thread, `PRelu` took
  about 46 % of the time and forced layout reorders around every convolution; the rewrite halves the latency.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

from models import onnx_graph

INPUT_SIZE = 112
EMBEDDING_SIZE = 128


def _depthwise_1x1(name: str, source: str, weights: np.ndarray) -> tuple[onnx.NodeProto, onnx.TensorProto]:
    channels = weights.size
    kernel = numpy_helper.from_array(weights.reshape(channels, 1, 1, 1).astype(np.float32), f"{name}_w")
    node = helper.make_node("Conv", [source, kernel.name], [name], name, group=channels, kernel_shape=[1, 1])
    return node, kernel


def rewrite_prelu(graph: onnx.GraphProto) -> int:
    """Replace each `PRelu` with per-channel slopes by Relu/depthwise-Conv/Add ops of identical value.

    PRelu(x) = Relu(x) - a * Relu(-x); both multiplications by a per-channel constant are depthwise 1x1
    convolutions, which ONNX Runtime fuses with the following Relu and keeps in its blocked layout.
    """
    slopes = onnx_graph.initializers(graph)
    nodes: list[onnx.NodeProto] = []
    count = 0
    for node in graph.node:
        if node.op_type != "PRelu" or node.input[1] not in slopes:
            nodes.append(node)
            continue
        x, out = node.input[0], node.output[0]
        slope = slopes[node.input[1]].reshape(-1)
        negate, negate_w = _depthwise_1x1(f"{out}_neg", x, -np.ones_like(slope))
        scale, scale_w = _depthwise_1x1(f"{out}_negpart", f"{out}_negrelu", -slope)
        graph.initializer.extend([negate_w, scale_w])
        nodes += [
            helper.make_node("Relu", [x], [f"{out}_pos"], f"{out}_pos"),
            negate,
            helper.make_node("Relu", [negate.output[0]], [f"{out}_negrelu"], f"{out}_negrelu"),
            scale,
            helper.make_node("Add", [f"{out}_pos", scale.output[0]], [out], out),
        ]
        count += 1
    del graph.node[:]
    graph.node.extend(nodes)
    return count


def convert(source: Path, output: Path, *, prelu_rewrite: bool = True) -> dict:
    """Write the clean SFace model to `output`; return the facts its network card records.

    `prelu_rewrite=False` keeps the `PRelu` nodes: only `bench/speed.py` uses it, to show what the rewrite buys.
    """
    model = onnx.load(str(source))
    graph = model.graph
    folded = onnx_graph.fold_dequantize(graph)
    folded_reshapes = onnx_graph.fold_reshape(graph)
    onnx_graph.dropout_to_identity(graph)
    prelus = rewrite_prelu(graph) if prelu_rewrite else 0
    onnx_graph.prune(graph)
    onnx_graph.rename_value(graph, "data", "input")
    onnx_graph.set_dims(graph.input[0], ["N", 3, INPUT_SIZE, INPUT_SIZE])
    onnx_graph.set_dims(graph.output[0], ["N", EMBEDDING_SIZE])
    onnx_graph.append_l2_normalised(graph, graph.output[0].name, "embedding", EMBEDDING_SIZE)
    onnx_graph.finish(model, output)
    return {
        "input": {
            "name": "input",
            "shape": ["N", 3, INPUT_SIZE, INPUT_SIZE],
            "colour_order": "RGB",
            "value_scale": "0..255 float32",
            "layout": "NCHW",
            "normalisation": "(x - 127.5) / 128, inside the graph",
        },
        "alignment": {
            "method": "similarity transform of the 5 detector landmarks onto the ArcFace template "
                      "(OpenCV FaceRecognizerSF.alignCrop)",
            "template": "arcface_112",
            "size": [INPUT_SIZE, INPUT_SIZE],
        },
        "outputs": {"fc1": "raw 128-d features", "embedding": "L2-normalised fc1"},
        "embedding_size": EMBEDDING_SIZE,
        "conversion": {
            "dequantize_folded": folded,
            "reshape_folded": folded_reshapes,
            "prelu_rewritten": prelus,
            "opset": model.opset_import[0].version,
        },
    }
