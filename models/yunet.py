"""YuNet (OpenCV Zoo, 2023mar, int8 block-quantized) → a clean float32 ONNX face detector.

What the shipped file needs, and why:
- 26 of its `DequantizeLinear` nodes have a one-element scale with `block_size=64`: legal ONNX, but ONNX
  Runtime requires `block_size=0` for a per-tensor scale and refuses to load the model. All 64 are folded into
  float32 weights (float32 also runs faster than the int8 path on CPU);
- its input is fixed at 1x3x640x640 and its output `Reshape`s target `[1, -1, k]`: the input becomes
  `[N, 3, H, W]` (H and W multiples of 32; its `Resize` nodes use scales, so any such size works) and the
  targets `[0, -1, k]` (0 = keep the batch dimension).
Post-processing (anchor decoding and NMS) stays in Python: `app/vision/detection.py`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

from models import onnx_graph

STRIDES = (8, 16, 32)
HEADS = {"cls": 1, "obj": 1, "bbox": 4, "kps": 10}


def _keep_batch_in_output_reshapes(graph: onnx.GraphProto) -> int:
    """Turn the constant `[1, -1, k]` targets of the output reshapes into `[0, -1, k]`."""
    targets = {node.input[1] for node in graph.node if node.op_type == "Reshape"}
    changed = 0
    for index, init in enumerate(graph.initializer):
        if init.name not in targets:
            continue
        shape = numpy_helper.to_array(init)
        if shape.shape == (3,) and shape[0] == 1 and shape[1] == -1:
            fixed = np.array([0, -1, shape[2]], dtype=shape.dtype)
            graph.initializer[index].CopyFrom(numpy_helper.from_array(fixed, init.name))
            changed += 1
    return changed


def convert(source: Path, output: Path) -> dict:
    """Write the clean YuNet model to `output`; return the facts its network card records."""
    model = onnx.load(str(source))
    graph = model.graph
    folded = onnx_graph.fold_dequantize(graph)
    folded_reshapes = onnx_graph.fold_reshape(graph)
    reshapes = _keep_batch_in_output_reshapes(graph)
    onnx_graph.prune(graph)
    onnx_graph.set_dims(graph.input[0], ["N", 3, "H", "W"])
    for out in graph.output:
        head, stride = out.name.split("_")
        onnx_graph.set_dims(out, ["N", f"anchors_{stride}", HEADS[head]])
    onnx_graph.finish(model, output)
    return {
        "input": {
            "name": "input",
            "shape": ["N", 3, "H", "W"],
            "colour_order": "BGR",
            "value_scale": "0..255 float32",
            "layout": "NCHW",
            "normalisation": "none",
            "size_multiple": 32,
        },
        "outputs": {
            "cls_{8,16,32}": "class score per anchor (sigmoid)",
            "obj_{8,16,32}": "objectness per anchor (sigmoid)",
            "bbox_{8,16,32}": "dx, dy, log w, log h per anchor, in strides",
            "kps_{8,16,32}": "5 landmarks (x, y) per anchor, in strides from the anchor",
        },
        "strides": list(STRIDES),
        "landmarks": ["right_eye", "left_eye", "nose_tip", "right_mouth_corner", "left_mouth_corner"],
        "decoding": "score = sqrt(cls * obj); centre = (grid + d) * stride; size = exp(d) * stride; "
                    "landmark = (grid + k) * stride; then NMS (as cv2.FaceDetectorYN)",
        "conversion": {
            "dequantize_folded": folded,
            "reshape_folded": folded_reshapes,
            "output_reshapes_batched": reshapes,
            "opset": model.opset_import[0].version,
        },
    }
