"""The one module that touches ONNX Runtime: provider choice, thread settings, sessions.

Everything else in `app.vision` sees an `InferenceModel`: named float32 arrays in, named arrays out.

Threads: measured on a 2-core machine, ONNX Runtime's spinning worker threads next to OpenCV's own pool made 2
threads slower than 1. So spinning is off, inter-op parallelism is off (these graphs are chains), and the
pipeline gives OpenCV one thread; concurrency comes from serving several requests at once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnxruntime as ort

from app.errors import ProviderUnavailable

log = logging.getLogger(__name__)

PROVIDER_ALIASES = {
    "cpu": "CPUExecutionProvider",
    "cuda": "CUDAExecutionProvider",
    "tensorrt": "TensorrtExecutionProvider",
    "trt": "TensorrtExecutionProvider",
}


def available_providers() -> list[str]:
    return list(ort.get_available_providers())


def resolve_providers(requested: Sequence[str], available: Sequence[str], *, required: bool) -> list[str]:
    """Map requested provider names to the ones this ONNX Runtime build offers, in order of preference.

    A missing provider is an error when `required`, else a logged warning and a fallback; the CPU provider
    always ends the list, so a model can run whatever the machine has. Never silent.
    """
    wanted = [PROVIDER_ALIASES.get(name.lower(), name) for name in requested]
    unknown = [name for name in wanted if name not in PROVIDER_ALIASES.values() and not name.endswith("Provider")]
    if unknown:
        raise ProviderUnavailable(f"unknown execution provider(s) {unknown}; use {sorted(PROVIDER_ALIASES)}")
    missing = [name for name in wanted if name not in available]
    if missing:
        message = f"execution provider(s) {missing} not available (available: {list(available)})"
        if required:
            raise ProviderUnavailable(message)
        log.warning("%s; falling back to the others", message)
    chosen = [name for name in dict.fromkeys(wanted) if name in available and name != "CPUExecutionProvider"]
    return [*chosen, "CPUExecutionProvider"]


def session_options(intra_op_threads: int) -> ort.SessionOptions:
    options = ort.SessionOptions()
    options.intra_op_num_threads = intra_op_threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    options.log_severity_level = 3
    return options


class InferenceModel:
    """One ONNX Runtime session, shared by all requests (`run` is thread-safe in ONNX Runtime)."""

    def __init__(self, path: Path, providers: Sequence[str], intra_op_threads: int, *, required: bool) -> None:
        chosen = resolve_providers(providers, available_providers(), required=required)
        self.path = path
        self.session = ort.InferenceSession(str(path), session_options(intra_op_threads), providers=chosen)
        self.providers = self.session.get_providers()
        # ONNX Runtime itself falls back to the CPU when a provider's libraries fail to load; say so.
        dropped = [name for name in chosen if name not in self.providers]
        if dropped:
            message = f"{path.name}: ONNX Runtime could not start {dropped}; running on {self.providers}"
            if required:
                raise ProviderUnavailable(message)
            log.warning(message)
        self.input_name = self.session.get_inputs()[0].name
        self.output_names = [out.name for out in self.session.get_outputs()]
        log.info("loaded %s on %s (%d intra-op threads)", path.name, self.providers, intra_op_threads)

    def run(self, batch: np.ndarray, outputs: Sequence[str] | None = None) -> list[np.ndarray]:
        return self.session.run(list(outputs) if outputs else None, {self.input_name: batch})
