"""The model queue's side-by-side runs: both calls on threads of their own, errors in the calls' order."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from app.errors import NoFace, Overloaded
from app.services.workqueue import ModelQueue


def test_run_each_runs_the_calls_side_by_side_and_returns_them_in_order() -> None:
    queue = ModelQueue(2, max_wait_s=10)
    both_started = threading.Barrier(2, timeout=5)  # fails if the second call waits for the first to end

    def call(value: str) -> str:
        both_started.wait()
        return value

    try:
        assert asyncio.run(queue.run_each([lambda: call("a"), lambda: call("b")])) == ["a", "b"]
        assert queue.pending == 0
    finally:
        queue.shutdown()


def test_run_each_raises_the_first_calls_error_whichever_failed_first() -> None:
    queue = ModelQueue(2, max_wait_s=10)

    def slow_failure() -> None:
        time.sleep(0.2)
        raise NoFace("image_a: no face")

    def quick_failure() -> None:
        raise NoFace("image_b: no face")

    try:
        with pytest.raises(NoFace, match="image_a"):
            asyncio.run(queue.run_each([slow_failure, quick_failure]))
        assert queue.pending == 0
    finally:
        queue.shutdown()


def test_run_each_is_admitted_as_a_whole() -> None:
    queue = ModelQueue(1, max_wait_s=0.05)  # two images at the initial 50 ms each: 0.1 s expected
    try:
        with pytest.raises(Overloaded):
            asyncio.run(queue.run_each([lambda: 1, lambda: 2]))
        assert queue.pending == 0
    finally:
        queue.shutdown()
