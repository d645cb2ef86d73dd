"""Where one request's time went, sent back with it as a `Server-Timing` header (W3C Server Timing): the same
stages the `facegate_stage_duration_seconds` histogram adds up over every request (decode, detect, embed,
search), in milliseconds, summed over the request's images. A client sees what its own request cost the server
(browsers show it in their developer tools), and a benchmark can read one stage of one request exactly instead
of from the histogram's coarse buckets.

The timings live in a context variable that the request's middleware sets; the model queue runs work in a copy
of the request's context, so stages timed on its threads land in the same request.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from contextvars import ContextVar

HEADER = "Server-Timing"

_stages: ContextVar[dict[str, float] | None] = ContextVar("stage_timings", default=None)
# A verify's two photos run on two model threads at once and add to the same request's timings.
_adding = threading.Lock()


def start() -> dict[str, float]:
    """Begin collecting for the current request: stages recorded from here on (in this context) land in it."""
    timings: dict[str, float] = {}
    _stages.set(timings)
    return timings


def record(timings: Mapping[str, float]) -> None:
    """Add stage durations (seconds) to the current request's, if a request is collecting."""
    collected = _stages.get()
    if collected is not None:
        with _adding:
            for stage, seconds in timings.items():
                collected[stage] = collected.get(stage, 0.0) + seconds


def header(timings: Mapping[str, float]) -> str:
    """`decode;dur=3.10, detect;dur=8.42, ...` (milliseconds)."""
    return ", ".join(f"{stage};dur={seconds * 1e3:.2f}" for stage, seconds in timings.items())
