"""Per-key rate limits: a token bucket per key, in this process.

Each key's bucket holds `burst` tokens and refills at `rate` per second; a request takes one. With N processes a
key gets up to N times the rate in all: divide the setting by the number of processes for a service-wide limit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from app.errors import RateLimited

# Buckets of keys not seen for this long are full again anyway; they are dropped to bound memory.
_IDLE_S = 600.0


class RateLimiter:
    def __init__(self, rate_per_second: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = rate_per_second
        self._burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when)
        self._lock = threading.Lock()
        self._last_sweep = clock()

    def take(self, key: str) -> None:
        """Spend one token of `key`'s bucket, or raise `RateLimited` saying when the next one is due."""
        now = self._clock()
        with self._lock:
            tokens, then = self._buckets.get(key, (self._burst, now))
            tokens = min(self._burst, tokens + (now - then) * self._rate)
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                wait = (1 - tokens) / self._rate
                raise RateLimited(f"over {self._rate:g} requests per second for this key; retry in {wait:.1f} s",
                                  wait)
            self._buckets[key] = (tokens - 1, now)
            if now - self._last_sweep > _IDLE_S:
                self._sweep(now)

    def _sweep(self, now: float) -> None:
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < _IDLE_S}
        self._last_sweep = now
