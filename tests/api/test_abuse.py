"""Abuse limits: a token bucket per key, and a bounded queue in front of the models that refuses at once."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.config import Settings
from app.errors import Overloaded, RateLimited
from app.main import create_app
from app.services.ratelimit import RateLimiter
from app.services.workqueue import ModelQueue
from app.store.migrate import upgrade
from app.store.orm import Face
from tests.api.conftest import ADMIN, ADMIN_KEY, assert_problem
from tests.servers import serving


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_allows_the_burst_then_the_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate_per_second=2, burst=3, clock=clock)
    for _ in range(3):
        limiter.take("a")
    with pytest.raises(RateLimited) as refused:
        limiter.take("a")
    assert refused.value.retry_after_s == pytest.approx(0.5)
    assert refused.value.headers() == {"Retry-After": "1"}
    limiter.take("b")  # another key has its own bucket
    clock.now = 0.5
    limiter.take("a")
    with pytest.raises(RateLimited):
        limiter.take("a")
    clock.now = 100.0
    for _ in range(3):  # refilled, but never beyond the burst
        limiter.take("a")
    with pytest.raises(RateLimited):
        limiter.take("a")


def _settings(tmp_path: Path, models_dir: Path, **groups: dict) -> Settings:
    url = f"sqlite:///{tmp_path / 'abuse.db'}"
    upgrade(url)
    return Settings(database_url=url, runtime={"models_dir": models_dir}, data_dir=tmp_path, admin_key=ADMIN_KEY,
                    **groups)


def test_a_key_over_its_rate_gets_429_with_retry_after(tmp_path: Path, models_dir: Path) -> None:
    settings = _settings(tmp_path, models_dir, abuse={"rate_per_second": 0.5, "burst": 3})
    with TestClient(create_app(settings), headers=ADMIN) as client:
        assert [client.get("/v1/galleries").status_code for _ in range(3)] == [200, 200, 200]
        refused = client.get("/v1/galleries")
        assert_problem(refused, 429, "RATE_LIMITED")
        assert 1 <= int(refused.headers["Retry-After"]) <= 2
        assert client.get("/healthz").status_code == 200  # health checks are never limited


def test_overload_is_refused_at_once_and_loses_nothing(tmp_path: Path, models_dir: Path, portrait: bytes) -> None:
    """One model thread and a 0.3 s budget, 24 enrolls at once: the queue admits a few, refuses the rest with
    503 at once, and every enroll it acknowledged is stored."""
    settings = _settings(tmp_path, models_dir, abuse={"model_threads": 1, "max_queue_seconds": 0.3,
                                                      "rate_per_second": 1000, "burst": 1000})
    app = create_app(settings)

    def enroll(index: int) -> tuple[int, dict, dict]:
        with httpx.Client(base_url=base, headers=ADMIN, timeout=120) as http:
            response = http.post("/v1/enroll", data={"subject": f"load-{index}", "gallery": "load"},
                                 files={"images": ("p.jpg", portrait, "image/jpeg")})
        return response.status_code, response.json(), dict(response.headers)

    with serving(app) as base, ThreadPoolExecutor(24) as pool:
        results = list(pool.map(enroll, range(24)))
        statuses = [status for status, *_ in results]
        stored = set(app.state.services.sessions().scalars(select(Face.id)))
        decoded = app.state.services.metrics.registry.get_sample_value(
            "facegate_stage_duration_seconds_count", {"stage": "decode"})
    accepted = [body for status, body, _ in results if status == 201]
    refused = [(body, headers) for status, body, headers in results if status == 503]
    print(f"\noverload: {len(accepted)} enrolled, {len(refused)} refused with 503 OVERLOADED")
    assert set(statuses) <= {201, 503}, statuses
    assert accepted
    assert refused
    assert all(body["code"] == "OVERLOADED" and int(headers["retry-after"]) >= 1 for body, headers in refused)
    # Refused work never reached the models: only the admitted photos were decoded.
    assert decoded == len(accepted)
    assert {face["face_id"] for body in accepted for face in body["faces"]} == stored


def test_the_queue_refuses_while_admitted_work_still_runs() -> None:
    """Admission is decided before any waiting: while the one admitted job is still held on its thread, the next
    request over the budget is refused, and its function never runs."""
    queue = ModelQueue(threads=1, max_wait_s=0.1)
    release, started = threading.Event(), threading.Event()
    ran: list[str] = []

    def held() -> str:
        started.set()
        release.wait(30)
        ran.append("held")
        return "done"

    async def scenario() -> str:
        admitted = asyncio.create_task(queue.run(1, held))
        await asyncio.to_thread(started.wait, 30)
        with pytest.raises(Overloaded) as refused:
            await queue.run(2, ran.append, "refused")  # 3 images x 0.05 s > 0.1 s
        assert refused.value.retry_after_s >= 0.1
        assert queue.pending == 1
        release.set()
        return await admitted

    try:
        assert asyncio.run(scenario()) == "done"
    finally:
        queue.shutdown()
    assert ran == ["held"]
    assert queue.pending == 0
