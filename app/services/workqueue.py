"""The bounded queue in front of the models: decoding, detection and embedding run here, on a fixed pool.

Admission is decided at once from what already waits: with `pending` images admitted and `threads` workers each
taking about `seconds_per_image`, new work of `cost` images is expected to finish after
(pending + cost) * seconds_per_image / threads. If that is over `max_wait_s`, the request is refused with
503 OVERLOADED and a Retry-After of that estimate, rather than joining a queue whose answers would come too late
to be of use. The per-image time is a moving average of measured work, so admission follows the real machine.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import ParamSpec, TypeVar, cast

from app.errors import Overloaded

P = ParamSpec("P")
R = TypeVar("R")

# Until work has been measured: the default pipeline's ~30 ms per photo on one core (README), rounded up.
INITIAL_SECONDS_PER_IMAGE = 0.05
_SMOOTHING = 0.2


class ModelQueue:
    def __init__(self, threads: int, max_wait_s: float) -> None:
        self.threads = threads or os.cpu_count() or 1
        self.max_wait_s = max_wait_s
        self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix="model")
        self._pending = 0
        self._seconds_per_image = INITIAL_SECONDS_PER_IMAGE
        self._lock = threading.Lock()

    @property
    def pending(self) -> int:
        return self._pending

    def expected_wait(self, cost: int) -> float:
        return (self._pending + cost) * self._seconds_per_image / self.threads

    @contextmanager
    def _admitted(self, cost: int) -> Iterator[None]:
        """Hold `cost` images in the queue's count while they run, or refuse them at once (OVERLOADED)."""
        with self._lock:
            wait = self.expected_wait(cost)
            if wait > self.max_wait_s:
                raise Overloaded(f"{self._pending} images are waiting for the models (about {wait:.1f} s of work); "
                                 "retry later", wait)
            self._pending += cost
        try:
            yield
        finally:
            with self._lock:
                self._pending -= cost

    def _submit(self, cost: int, work: Callable[[], R]) -> asyncio.Future[R]:
        # In a copy of the request's context: its request id (log lines) and its stage timings follow it.
        timed = functools.partial(self._timed, cost, work)
        return asyncio.wrap_future(self._executor.submit(contextvars.copy_context().run, timed))

    async def run(self, cost: int, function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run `function` on the model pool if it can finish in time; `cost` is the number of images."""
        with self._admitted(cost):
            return await self._submit(cost, functools.partial(function, *args, **kwargs))

    async def run_each(self, calls: Sequence[Callable[[], R]]) -> list[R]:
        """Run one-image `calls` side by side on the pool (a verify's two photos take two cores, not one after
        the other), admitted together; once all have ended, the first failure in the calls' order is raised, so
        the error a request gets does not depend on which thread was quicker."""
        with self._admitted(len(calls)):
            results = await asyncio.gather(*(self._submit(1, call) for call in calls), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return cast(list[R], results)

    def _timed(self, cost: int, work: Callable[[], R]) -> R:
        started = time.perf_counter()
        try:
            return work()
        finally:
            per_image = (time.perf_counter() - started) / max(cost, 1)
            with self._lock:
                self._seconds_per_image += _SMOOTHING * (per_image - self._seconds_per_image)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
