"""Real servers on free loopback ports: uvicorn in a thread of the test process (what keep-alive connections,
concurrency limits and disconnects need, and an ASGI test client cannot show), or `python -m app serve` as a
process of its own (replicas, workers, kill -9)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from tests.api.conftest import ADMIN_KEY

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 120


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Serve `app` until the block ends; yields its base URL. Logging is left as it is, so caplog sees it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while not server.started:
            assert thread.is_alive(), "server failed to start"
            assert time.monotonic() < deadline, "server did not start in time"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def server_process(database_url: str, models_dir: Path, data_dir: Path, log: Path, *, workers: int = 1,
                   env: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """`python -m app serve` on a free loopback port, once /readyz answers; killed (-9) on leaving if alive."""
    port = free_port()
    variables = {**os.environ, "FACEGATE_HOST": "127.0.0.1", "FACEGATE_PORT": str(port),
                 "FACEGATE_DATABASE_URL": database_url, "FACEGATE_DATA_DIR": str(data_dir),
                 "FACEGATE_RUNTIME__MODELS_DIR": str(models_dir), "FACEGATE_ADMIN_KEY": ADMIN_KEY,
                 "FACEGATE_ABUSE__RATE_PER_SECOND": "10000", "FACEGATE_ABUSE__BURST": "10000",
                 "FACEGATE_WORKERS": str(workers), **(env or {})}
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "app", "serve"], cwd=ROOT, env=variables, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not ready(base):
            assert process.poll() is None, f"server exited with {process.returncode}:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"server not ready in time:\n{log.read_text()[-3000:]}"
            time.sleep(0.1)
        yield base, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, 9)  # the supervisor and its workers
        process.wait(timeout=30)


@contextmanager
def sqlite_server(folder: Path, models_dir: Path) -> Iterator[str]:
    """`server_process` with its defaults on a fresh SQLite file in `folder`: what a user's `make run` serves."""
    with server_process(f"sqlite:///{folder / 'facegate.db'}", models_dir, folder, folder / "server.log") as (base, _):
        yield base


def new_key(base: str, name: str, scopes: list[str]) -> str:
    """A key made through the API with the admin key, as an app's own key would be; its secret."""
    response = httpx.post(f"{base}/v1/keys", headers={"Authorization": f"Bearer {ADMIN_KEY}"},
                          json={"name": name, "scopes": scopes})
    assert response.status_code == 201, response.text
    return response.json()["secret"]
