"""429 and 503 are waited out (Retry-After) and tried again, a few times; other answers are not retried. A mock
transport stands in for the server: no sleeping on real time, no server."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from facegate_cli import connection
from facegate_cli.connection import RETRIES, acall, call, retry_after
from facegate_client import AuthenticatedClient
from facegate_client.api.models import list_models

PROBLEM = {"type": "https://facegate.dev/problems/rate-limited", "title": "Too many requests", "status": 429,
           "detail": "slow down", "code": "RATE_LIMITED"}
MODELS: dict[str, list[object]] = {"models": [], "networks": []}


def answers(statuses: list[int]) -> tuple[httpx.MockTransport, list[int]]:
    seen: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        status = statuses[min(len(seen), len(statuses) - 1)]
        seen.append(status)
        if status == 200:
            return httpx.Response(200, json=MODELS)
        return httpx.Response(status, json={**PROBLEM, "status": status}, headers={"Retry-After": "0"})

    return httpx.MockTransport(handler), seen


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waits: list[float] = []
    monkeypatch.setattr(connection.time, "sleep", waits.append)

    async def asleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(connection.asyncio, "sleep", asleep)
    return waits


def test_a_429_then_an_answer_is_one_answer(no_waiting: list[float]) -> None:
    transport, seen = answers([429, 503, 200])
    client = AuthenticatedClient(base_url="http://facegate.test", token="k")
    client.set_httpx_client(httpx.Client(base_url="http://facegate.test", transport=transport))
    response = call(client, lambda: list_models.sync_detailed(client=client))
    assert response.status_code == 200
    assert seen == [429, 503, 200]
    assert no_waiting == [0.1, 0.1]  # Retry-After: 0, floored so that a loop never spins


def test_it_gives_up_after_a_few_tries_and_returns_the_last_answer() -> None:
    transport, seen = answers([503])
    client = AuthenticatedClient(base_url="http://facegate.test", token="k")
    client.set_async_httpx_client(httpx.AsyncClient(base_url="http://facegate.test", transport=transport))
    response = asyncio.run(acall(client, lambda: list_models.asyncio_detailed(client=client)))
    assert response.status_code == 503
    assert len(seen) == RETRIES + 1


def test_other_errors_are_not_retried() -> None:
    transport, seen = answers([401])
    client = AuthenticatedClient(base_url="http://facegate.test", token="k")
    client.set_httpx_client(httpx.Client(base_url="http://facegate.test", transport=transport))
    assert call(client, lambda: list_models.sync_detailed(client=client)).status_code == 401
    assert seen == [401]


def test_retry_after_reads_seconds_and_dates_and_caps_the_wait() -> None:
    assert retry_after({"retry-after": "3"}, 0) == 3.0
    assert retry_after({"retry-after": "3600"}, 0) == connection.MAX_RETRY_WAIT_S
    assert retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0) == 0.1  # in the past
    assert retry_after({}, 2) == 4.0  # no header: exponential backoff
