"""`python -m app serve` as a process of its own, for the benches that measure the product over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.facesets import ROOT

READY_TIMEOUT_S = 600


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(database_url: str, admin_key: str, data_dir: Path, models: Path, workers: int = 1,
          settings: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], str, float]:
    """The server with `admin_key`, rate limits out of the way and `settings` (FACEGATE_* variables) on top;
    returns the process, its URL and the seconds it took to be ready. Its log is `data_dir/server.log`."""
    port = free_port()
    env = {**os.environ, "FACEGATE_DATABASE_URL": database_url, "FACEGATE_ADMIN_KEY": admin_key,
           "FACEGATE_PORT": str(port), "FACEGATE_DATA_DIR": str(data_dir),
           "FACEGATE_RUNTIME__MODELS_DIR": str(models), "FACEGATE_ABUSE__RATE_PER_SECOND": "10000",
           "FACEGATE_ABUSE__BURST": "10000", **(settings or {})}
    started = time.perf_counter()
    log = data_dir / "server.log"
    process = subprocess.Popen([sys.executable, "-m", "app", "serve", "--workers", str(workers)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    base = f"http://127.0.0.1:{port}"
    while time.perf_counter() - started < READY_TIMEOUT_S:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                return process, base, time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("server not ready in time")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(30)
