"""Convert dlib's face recognition ResNet (`dlib_face_recognition_resnet_model_v1.dat`) into ONNX.

The .dat file is dlib's own serialization of `anet_type` from `dnn_face_recognition_ex.cpp`: a `loss_metric`
over a nested chain of layers. Nesting means the file holds, in this order: the loss, one version integer per
wrapper from the output inwards (2 for a layer, 1 for a `tag`/`skip`, 3 for the layer over the input), the
input layer, and then one record per layer from the input outwards. The version integers are therefore the
only place the tags and skips appear; `_read_network` turns them into a count of tags in front of each layer.

The graph mirrors dlib layer by layer (conv, affine as Mul+Add, ...) rather than folding anything, so what it
computes is what dlib computes; ONNX Runtime does the Conv+Mul+Add fusion itself at load time.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from models import onnx_graph
from models.dlib_serialize import DlibFormatError, DlibReader

OPSET = 17
IR_VERSION = 8  # the IR version that came with opset 17: loadable by every runtime that supports the opset
Shape = tuple[int, int, int]  # (C, H, W) of a graph tensor, batch left out; (features, 1, 1) once flattened
EMBEDDING_SIZE = 128


@dataclass
class Layer:
    """One dlib layer: its kind, the tag/skip wrappers just before it, and its parameters."""

    kind: str
    attrs: dict[str, int] = field(default_factory=dict)
    weights: dict[str, np.ndarray] = field(default_factory=dict)
    tags_before: int = 0


@dataclass
class Network:
    """What the .dat file holds: the input layer's settings and the layers from input to output."""

    mean_rgb: tuple[float, float, float]
    size: tuple[int, int]
    layers: list[Layer]


def _skip_alias_tensor(reader: DlibReader) -> tuple[int, ...]:
    """An alias_tensor is a view into `params`; only its shape is stored (the offset is implied)."""
    reader.expect_int(1, "alias_tensor version")
    return tuple(reader.read_int() for _ in range(4))


def _skip_floats(reader: DlibReader, count: int) -> None:
    """Training-only settings (learning-rate and weight-decay multipliers, loss margin and threshold)."""
    for _ in range(count):
        reader.read_float()


def _read_con(reader: DlibReader) -> Layer:
    params = reader.read_tensor().ravel()
    names = ("num_filters", "kernel_h", "kernel_w", "stride_h", "stride_w", "pad_h", "pad_w")
    attrs = {name: reader.read_int() for name in names}
    filters_shape = _skip_alias_tensor(reader)
    _skip_alias_tensor(reader)
    _skip_floats(reader, 4)
    count = math.prod(filters_shape)
    if filters_shape[0] != attrs["num_filters"] or params.size != count + attrs["num_filters"]:
        raise DlibFormatError(f"con_: params of size {params.size} do not fit filters {filters_shape}")
    weights = {"W": params[:count].reshape(filters_shape), "B": params[count:]}
    return Layer("con", attrs, weights)


def _read_affine(reader: DlibReader) -> Layer:
    """Batch norm folded by dlib into y = gamma * x + beta, one pair per channel (CONV_MODE)."""
    params = reader.read_tensor().ravel()
    gamma_shape = _skip_alias_tensor(reader)
    _skip_alias_tensor(reader)
    mode = reader.read_int()
    channels = math.prod(gamma_shape)
    if mode != 0 or params.size != 2 * channels:
        raise DlibFormatError(f"affine_: need CONV_MODE (0), 2x{channels} params; got {mode}, {params.size}")
    gamma, beta = (part.reshape(1, channels, 1, 1) for part in (params[:channels], params[channels:]))
    return Layer("affine", weights={"gamma": gamma, "beta": beta})


def _read_pool(kind: str) -> Callable[[DlibReader], Layer]:
    """max_pool_2 and avg_pool_2 store the same six integers."""

    def read(reader: DlibReader) -> Layer:
        names = ("kernel_h", "kernel_w", "stride_h", "stride_w", "pad_h", "pad_w")
        return Layer(kind, {name: reader.read_int() for name in names})

    return read


def _read_fc(reader: DlibReader) -> Layer:
    """dlib's fc computes x @ W with W stored (num_inputs, num_outputs), bias (if any) after it."""
    num_outputs, num_inputs = reader.read_int(), reader.read_int()
    params = reader.read_tensor().ravel()
    _skip_alias_tensor(reader)
    _skip_alias_tensor(reader)
    has_bias = reader.read_int() == 0  # FC_HAS_BIAS = 0, FC_NO_BIAS = 1
    _skip_floats(reader, 4)
    count = num_inputs * num_outputs
    if params.size != count + (num_outputs if has_bias else 0):
        raise DlibFormatError(f"fc_: {params.size} params do not fit {num_inputs}x{num_outputs}")
    weights = {"W": params[:count].reshape(num_inputs, num_outputs)}
    if has_bias:
        weights["B"] = params[count:]
    return Layer("fc", {"num_outputs": num_outputs}, weights)


_READERS = {
    "con_4": _read_con,
    "affine_": _read_affine,
    "relu_": lambda reader: Layer("relu"),
    "add_prev_": lambda reader: Layer("add_prev"),
    "max_pool_2": _read_pool("max_pool"),
    "avg_pool_2": _read_pool("avg_pool"),
    "fc_2": _read_fc,
}


def _skip_layer_state(reader: DlibReader) -> None:
    """add_layer's own state after each layer: three bools and three (gradient/cache) tensors."""
    for _ in range(3):
        reader.read_bool()
    for _ in range(3):
        reader.read_tensor()


def _read_network(data: bytes) -> Network:
    """Decode the whole file, failing loudly on anything `anet_type` would not have written."""
    reader = DlibReader(data)
    reader.expect_int(1, "add_loss_layer version")
    reader.expect_string("loss_metric_2")
    _skip_floats(reader, 2)
    versions = []
    while not versions or versions[-1] != 3:
        versions.append(reader.read_int())
    if set(versions) - {1, 2, 3}:
        raise DlibFormatError(f"unexpected wrapper versions {sorted(set(versions))}")
    # Innermost first: the 3 is the first layer; each 1 is a tag/skip in front of the next layer.
    tags_before, pending = [0], 0
    for version in reversed(versions[:-1]):
        if version == 1:
            pending += 1
        else:
            tags_before.append(pending)
            pending = 0
    if pending:
        raise DlibFormatError("tag/skip layers above the last layer are not supported")

    reader.expect_string("input_rgb_image_sized")
    mean_rgb = (reader.read_float(), reader.read_float(), reader.read_float())
    size = (reader.read_int(), reader.read_int())
    layers = []
    for index, tags in enumerate(tags_before):
        name = reader.read_string()
        if name not in _READERS:
            raise DlibFormatError(f"layer {index}: unsupported layer type {name!r} at offset {reader.pos}")
        layer = _READERS[name](reader)
        layer.tags_before = tags
        _skip_layer_state(reader)
        if index == 0:
            reader.read_int()  # the input add_layer's sample expansion factor
        layers.append(layer)
    if reader.remaining:
        raise DlibFormatError(f"{reader.remaining} unread bytes after the last layer")
    return Network(mean_rgb, size, layers)


class _GraphBuilder:
    """Collects nodes and initializers and tracks each tensor's static (C, H, W) shape."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self.shapes: dict[str, Shape] = {}

    def constant(self, name: str, value: np.ndarray) -> str:
        self.initializers.append(numpy_helper.from_array(value, name))
        return name

    def node(self, op: str, inputs: list[str], name: str, shape: Shape, **attrs: object) -> str:
        self.nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        self.shapes[name] = shape
        return name

    def pool(self, layer: Layer, x: str, name: str) -> str:
        c, h, w = self.shapes[x]
        a = layer.attrs
        op = "MaxPool" if layer.kind == "max_pool" else "AveragePool"
        if a["kernel_h"] == 0 and a["kernel_w"] == 0:  # dlib's avg_pool_everything: window = whole image
            return self.node(f"Global{op}", [x], name, (c, 1, 1))
        # dlib divides by the full window size, padding included, hence count_include_pad.
        extra = {"count_include_pad": 1} if op == "AveragePool" else {}
        return self.node(op, [x], name, (c, *_window_output(h, w, a)), **_window_attrs(a), **extra)

    def add_prev(self, x: str, other: str, name: str) -> str:
        """dlib's add_prev: the sum takes the larger size in each dimension, missing values count as zero.

        In this network the pooled shortcut of a down block can be larger than the strided conv (4x4 vs 3x3,
        2x2 vs 1x1) while having fewer channels, so each side is zero-padded at the end as needed.
        """
        target = tuple(max(a, b) for a, b in zip(self.shapes[x], self.shapes[other], strict=True))
        padded = [self._pad_to(t, target, f"{name}_pad{i}") for i, t in enumerate((x, other))]
        return self.node("Add", padded, name, target)

    def _pad_to(self, x: str, target: Shape, name: str) -> str:
        missing = [t - s for s, t in zip(self.shapes[x], target, strict=True)]
        if not any(missing):
            return x
        pads = self.constant(f"{name}_amounts", np.array([0, 0, 0, 0, 0, *missing], dtype=np.int64))
        return self.node("Pad", [x, pads], name, target, mode="constant")


def _window_output(h: int, w: int, a: dict[str, int]) -> tuple[int, int]:
    """Output height and width of a conv or pool window, as dlib computes them (rounding down)."""
    return (
        (h + 2 * a["pad_h"] - a["kernel_h"]) // a["stride_h"] + 1,
        (w + 2 * a["pad_w"] - a["kernel_w"]) // a["stride_w"] + 1,
    )


def _window_attrs(a: dict[str, int]) -> dict[str, list[int]]:
    """ONNX attributes for a dlib window; dlib pads symmetrically."""
    return {
        "kernel_shape": [a["kernel_h"], a["kernel_w"]],
        "strides": [a["stride_h"], a["stride_w"]],
        "pads": [a["pad_h"], a["pad_w"]] * 2,
    }


def _build_graph(network: Network) -> onnx.GraphProto:
    b = _GraphBuilder()
    height, width = network.size
    # dlib's input layer: (pixel - mean) / 256 per RGB channel; 1/256 is exact in float32.
    mean = np.array(network.mean_rgb, dtype=np.float32).reshape(1, 3, 1, 1)
    x = b.node("Sub", ["input", b.constant("input_mean", mean)], "input_centred", (3, height, width))
    x = b.node(
        "Mul",
        [x, b.constant("input_scale", np.array(1 / 256, dtype=np.float32))],
        "input_scaled",
        (3, height, width),
    )
    tag1 = tag2 = None
    for index, layer in enumerate(network.layers):
        name = f"layer{index:03d}_{layer.kind}"
        # anet_type's wrappers: tag1 in front of each block's first conv; in a down block, tag2 and skip1 in
        # front of the avg_pool, which so pools tag1 (the block input) while tag2 keeps the block output.
        if layer.tags_before == 1 and layer.kind == "con":
            tag1 = x
        elif layer.tags_before == 2 and layer.kind == "avg_pool":
            tag2, x = x, tag1
        elif layer.tags_before:
            raise DlibFormatError(f"layer {index} ({layer.kind}): unsupported tag/skip arrangement")
        x = _convert_layer(b, layer, x, name, tag2 or tag1)
        if layer.kind == "add_prev":
            tag2 = None

    descriptor = b.node("Identity", [x], "descriptor", (EMBEDDING_SIZE, 1, 1))
    embedding = b.node("LpNormalization", [descriptor], "embedding", (EMBEDDING_SIZE, 1, 1), axis=1, p=2)
    return helper.make_graph(
        b.nodes,
        "dlib_face_recognition_resnet_model_v1",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, height, width])],
        [
            helper.make_tensor_value_info(out, TensorProto.FLOAT, ["N", EMBEDDING_SIZE])
            for out in (descriptor, embedding)
        ],
        b.initializers,
    )


def _convert_layer(b: _GraphBuilder, layer: Layer, x: str, name: str, previous: str | None) -> str:
    """Emit the node(s) for one dlib layer; `previous` is the tagged tensor an add_prev adds."""
    c, h, w = b.shapes[x]
    if layer.kind == "con":
        shape = (layer.attrs["num_filters"], *_window_output(h, w, layer.attrs))
        inputs = [x, b.constant(f"{name}_W", layer.weights["W"]), b.constant(f"{name}_B", layer.weights["B"])]
        return b.node("Conv", inputs, name, shape, **_window_attrs(layer.attrs))
    if layer.kind == "affine":
        gamma = b.constant(f"{name}_gamma", layer.weights["gamma"])
        scaled = b.node("Mul", [x, gamma], f"{name}_scaled", (c, h, w))
        return b.node("Add", [scaled, b.constant(f"{name}_beta", layer.weights["beta"])], name, (c, h, w))
    if layer.kind == "relu":
        return b.node("Relu", [x], name, (c, h, w))
    if layer.kind in ("max_pool", "avg_pool"):
        return b.pool(layer, x, name)
    if layer.kind == "add_prev":
        if previous is None:
            raise DlibFormatError(f"{name}: add_prev without a tag before it")
        return b.add_prev(x, previous, name)
    if layer.kind == "fc":
        flat = b.node("Flatten", [x], f"{name}_flat", (c * h * w, 1, 1), axis=1)
        out = b.node(
            "MatMul",
            [flat, b.constant(f"{name}_W", layer.weights["W"])],
            name,
            (layer.attrs["num_outputs"], 1, 1),
        )
        if "B" in layer.weights:
            bias = b.constant(f"{name}_B", layer.weights["B"])
            out = b.node("Add", [out, bias], f"{name}_biased", b.shapes[out])
        return out
    raise DlibFormatError(f"{name}: no conversion for layer kind {layer.kind!r}")


def parse(source: Path) -> Network:
    """Read a dlib face recognition network from its .dat file."""
    return _read_network(Path(source).read_bytes())


def convert(source: Path, output: Path) -> dict:
    """Convert `source` (.dat) into an ONNX model at `output`; return the facts for the network card."""
    network = parse(source)
    model = helper.make_model(
        _build_graph(network),
        opset_imports=[helper.make_opsetid("", OPSET)],
        doc_string="dlib face recognition ResNet v1 (dlib_face_recognition_resnet_model_v1.dat), converted "
        "layer by layer. Input: RGB 0..255 float32 NCHW 150x150 aligned chips (dlib.get_face_chip, padding "
        "0.25). Outputs: dlib's raw 128-d descriptor and its L2-normalised embedding.",
    )
    model.ir_version = IR_VERSION
    onnx_graph.finish(model, Path(output))
    counts = Counter(layer.kind for layer in network.layers)
    red, green, blue = (round(value, 3) for value in network.mean_rgb)
    return {
        "input": {
            "name": "input",
            "shape": ["N", 3, *network.size],
            "colour_order": "RGB",
            "value_scale": "0..255 (float32)",
            "layout": "NCHW",
            "normalisation": f"in the graph, as dlib's input_rgb_image_sized: (x - mean) / 256 with mean RGB "
            f"= ({red}, {green}, {blue})",
        },
        "embedding_size": EMBEDDING_SIZE,
        "outputs": {
            "descriptor": {"shape": ["N", EMBEDDING_SIZE], "meaning": "dlib's raw face descriptor"},
            "embedding": {"shape": ["N", EMBEDDING_SIZE], "meaning": "descriptor / ||descriptor||_2"},
        },
        "opset": OPSET,
        "source_layers": dict(sorted(counts.items())),
    }
