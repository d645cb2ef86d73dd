"""What the service adds to the pipeline: enroll and verify over HTTP beside the same work in process.

    python -m bench.http [--photos 120] [--pairs 60] [--clients 1 2 4] [--server-workers 1 2]

On the same lfw-dev photos, in one run (the ratios hold on a shared, noisy machine):

- pipeline: the service's own photo reader (`FaceReader.enrollee`, default settings, one inference thread each)
  called in process on as many threads as there are clients (at most one per core), taking turns with each HTTP
  run on the same photos in `ROUNDS` parts: the floor the service can reach;
- enroll over HTTP: `python -m app serve` on a fresh SQLite file with its defaults, each photo a new subject
  (`POST /v1/enroll`, multipart, as the README shows) from 1, 2 and 4 concurrent clients with keep-alive; then
  the same with one worker process per core (`FACEGATE_WORKERS`, the setting an operator uses to spread one
  server over the machine's cores: in one process the pipeline's own Python takes the GIL in turn with HTTP);
- verify over HTTP: p50 and p99 of `POST /v1/verify` of two photos with one client, beside the pipeline's time
  for reading the same two photos side by side on two threads;
- overhead: how much slower the HTTP path is than the pipeline at the same concurrency (cores), in percent.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from app.api.requests import EnrollRequest
from app.config import DEFAULT_MODEL
from app.errors import FacegateError
from app.services.photos import FaceReader
from app.vision.types import FaceSelection
from bench import server
from bench.accuracy import reader
from bench.facesets import FaceSet, add_set_arguments

ADMIN_KEY = "http-bench-admin-key-0123456789abcdef"
ROUNDS = 4
SELECTION = FaceSelection(EnrollRequest.model_fields["face_selection"].default)


def enrollable(photo: FaceReader, faces: FaceSet, count: int, model: str) -> list[bytes]:
    """`count` photos (a fixed random draw) that the enrollment gate takes, so every enroll stores a face."""
    paths = random.Random(0).sample(faces.paths, min(len(faces.paths), count * 2))
    chosen = []
    for path in paths:
        data = faces.image(path).read_bytes()
        try:
            photo.enrollee(data, model, SELECTION)
        except FacegateError:
            continue
        chosen.append(data)
        if len(chosen) == count:
            break
    return chosen


def server_cpu(process: subprocess.Popen[bytes]) -> float:
    """CPU seconds of the server and its worker processes (uvicorn's supervisor starts them as children)."""
    served = psutil.Process(process.pid)
    return sum(sum(p.cpu_times()[:2]) for p in [served, *served.children(recursive=True)])


def rate(work: Callable[[bytes], object], photos: list[bytes], threads: int) -> float:
    """Photos a second with `threads` threads taking the photos in turn."""
    with ThreadPoolExecutor(threads) as pool:
        return len(photos) / seconds(pool, work, photos)


def seconds(pool: ThreadPoolExecutor, work: Callable[[bytes], object], photos: list[bytes]) -> float:
    """Wall time of `work` on every photo, the pool's threads taking them in turn (a pool kept across calls keeps
    its threads, and so each client thread its keep-alive connection)."""
    started = time.perf_counter()
    list(pool.map(work, photos))
    return time.perf_counter() - started


class Caller:
    """One keep-alive connection per thread, as a client library holds them."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.local = threading.local()
        self.clients: list[httpx.Client] = []

    def client(self) -> httpx.Client:
        if not hasattr(self.local, "client"):
            self.local.client = httpx.Client(base_url=self.base, timeout=120,
                                             headers={"Authorization": f"Bearer {ADMIN_KEY}"})
            self.clients.append(self.local.client)
        return self.local.client

    def enroll(self, subject: str, data: bytes) -> None:
        response = self.client().post("/v1/enroll", data={"subject": subject},
                                      files={"images": ("photo.jpg", data, "image/jpeg")})
        if response.status_code != 201:
            raise RuntimeError(f"enroll: {response.status_code} {response.text[:300]}")

    def verify(self, a: bytes, b: bytes) -> float:
        started = time.perf_counter()
        response = self.client().post("/v1/verify", files={"image_a": ("a.jpg", a, "image/jpeg"),
                                                           "image_b": ("b.jpg", b, "image/jpeg")})
        if response.status_code != 200:
            raise RuntimeError(f"verify: {response.status_code} {response.text[:300]}")
        return time.perf_counter() - started

    def close(self) -> None:
        for client in self.clients:
            client.close()


def elapsed_ms(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1e3


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


@dataclass
class Served:
    """One server run, by number of clients: enroll photos/s over HTTP, the pipeline's photos/s in process on as
    many threads (at most one per core) taking turns with it, and CPU ms per enroll of the server's processes and
    of the client; then verify latencies (ms) beside the pipeline's median time for a pair."""

    enroll: dict[int, float] = field(default_factory=dict)
    pipeline: dict[int, float] = field(default_factory=dict)
    server_ms: dict[int, float] = field(default_factory=dict)
    client_ms: dict[int, float] = field(default_factory=dict)
    verify: list[float] = field(default_factory=list)
    pair_ms: float = 0.0

    def overhead(self, clients: int) -> float:
        return self.pipeline[clients] / self.enroll[clients] - 1


def over_http(models: Path, workers: int, photos: list[bytes], clients: list[int],
              pairs: list[tuple[bytes, bytes]], read: Callable[[bytes], object]) -> Served:
    """`python -m app serve` with `workers` processes on a fresh SQLite file: every photo enrolled as a new subject
    by each number of `clients`, in `ROUNDS` parts that take turns with `read` in process on the same parts (the
    machine's speed drifts within a run: only what runs in turn compares); then, with one client, each pair
    verified."""
    cores = os.cpu_count() or 1
    run = Served()
    with tempfile.TemporaryDirectory(prefix="facegate-http-") as scratch:
        folder = Path(scratch)
        process, base, _ = server.start(f"sqlite:///{folder / 'bench.db'}", ADMIN_KEY, folder, models, workers=workers)
        caller = Caller(base)
        try:
            for index, data in enumerate(photos[:8 * workers]):  # warm-up, every worker
                caller.enroll(f"warm-{index}", data)
            for count in clients:
                spent = {"pipeline": 0.0, "http": 0.0}
                server_s = client_s = 0.0
                with ThreadPoolExecutor(min(count, cores)) as local, ThreadPoolExecutor(count) as remote:
                    for turn, chunk in enumerate(photos[i::ROUNDS] for i in range(ROUNDS)):
                        for side in ("pipeline", "http") if turn % 2 == 0 else ("http", "pipeline"):
                            if side == "pipeline":
                                spent[side] += seconds(local, read, chunk)
                                continue
                            server_before, client_before = server_cpu(process), time.process_time()
                            spent[side] += seconds(
                                remote, lambda data, c=count: caller.enroll(f"c{c}-{id(data)}", data), chunk)
                            server_s += server_cpu(process) - server_before
                            client_s += time.process_time() - client_before
                run.pipeline[count], run.enroll[count] = (len(photos) / spent[side] for side in ("pipeline", "http"))
                run.server_ms[count], run.client_ms[count] = server_s * 1e3 / len(photos), client_s * 1e3 / len(photos)
            for a, b in pairs[:5]:
                caller.verify(a, b)
            with ThreadPoolExecutor(2) as pool:
                if pairs:
                    run.pair_ms = statistics.median(elapsed_ms(lambda a=a, b=b: list(pool.map(read, (a, b))))
                                                    for a, b in pairs)
            run.verify = [caller.verify(a, b) * 1e3 for a, b in pairs]
        finally:
            caller.close()
            server.stop(process)
    return run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_set_arguments(parser)
    parser.add_argument("--photos", type=int, default=120, help="photos enrolled per run")
    parser.add_argument("--pairs", type=int, default=60, help="verify requests timed")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--server-workers", type=int, nargs="+", help="worker processes of each server run, as "
                        "FACEGATE_WORKERS sets them (default: 1, the default, then one per core); verify: the first")
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    workers_list = args.server_workers or sorted({1, cores})
    faces = FaceSet.load(args.faces / args.set)
    photo = reader(args.models)
    model = DEFAULT_MODEL
    photos = enrollable(photo, faces, args.photos, model)
    pairs = [(photos[i], photos[-1 - i]) for i in range(min(args.pairs, len(photos) // 2))]

    def read(data: bytes) -> object:
        return photo.enrollee(data, model, SELECTION)

    rate(read, photos[:8], 1)  # warm-up
    cpu_before = time.process_time()
    rate(read, photos, 1)
    pipeline_cpu_ms = (time.process_time() - cpu_before) * 1e3 / len(photos)
    served = {workers: over_http(args.models, workers, photos, args.clients,
                                 pairs if workers == workers_list[0] else [], read) for workers in workers_list}

    print(f"\n{len(photos)} lfw-dev photos, model {model}, {cores} cores; photos/s (clients; the pipeline on as many "
          f"threads, at most {cores}, taking turns with each HTTP run)\n")
    print(f"{'path':38} " + " ".join(f"{c:>7}" for c in args.clients))
    for workers, run in served.items():
        name = f"{workers} worker{'s' if workers > 1 else ''}{' (default)' if workers == 1 else ''}"
        print(f"{'pipeline in process':38} " + " ".join(f"{run.pipeline[c]:7.1f}" for c in args.clients))
        print(f"{'enroll over HTTP, ' + name:38} " + " ".join(f"{run.enroll[c]:7.1f}" for c in args.clients))
        print(f"{'  HTTP overhead':38} " + " ".join(f"{run.overhead(c):+7.0%}" for c in args.clients))
        print(f"{'  server CPU ms per enroll':38} " + " ".join(f"{run.server_ms[c]:7.1f}" for c in args.clients))
        print(f"{'  client CPU ms per enroll':38} " + " ".join(f"{run.client_ms[c]:7.1f}" for c in args.clients))
    print(f"\nCPU ms per photo of the pipeline in process, one thread: {pipeline_cpu_ms:.1f}")
    first = served[workers_list[0]]
    print(f"verify of two photos, 1 client: p50 {statistics.median(first.verify):.1f} ms, "
          f"p99 {percentile(first.verify, 99):.1f} ms (the pipeline reading the two side by side on two threads: "
          f"{first.pair_ms:.1f} ms)")


if __name__ == "__main__":
    main()
