"""What the service adds to the pipeline: enroll and verify over HTTP beside the same work in process.

    python -m bench.http [--photos 120] [--pairs 60] [--clients 1 2 4]

On the same lfw-dev photos, in one run (the ratios hold on a shared, noisy machine):

- pipeline: the service's own photo reader (`FaceReader.enrollee`, default settings, one inference thread each)
  called in process, on 1 thread and on as many threads as the machine has cores: the floor the service can reach;
- enroll over HTTP: `python -m app serve` on a fresh SQLite file with its defaults, each photo a new subject
  (`POST /v1/enroll`, multipart, as the README shows) from 1, 2 and 4 concurrent clients with keep-alive;
- verify over HTTP: p50 and p99 of `POST /v1/verify` of two photos with one client, beside the pipeline's time
  for reading the same two photos one after the other;
- overhead: how much slower the HTTP path is than the pipeline at the same concurrency (cores), in percent.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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


def rate(work: Callable[[bytes], object], photos: list[bytes], threads: int) -> float:
    """Photos a second with `threads` threads taking the photos in turn."""
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(work, photos))
    return len(photos) / (time.perf_counter() - started)


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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_set_arguments(parser)
    parser.add_argument("--photos", type=int, default=120, help="photos enrolled per run")
    parser.add_argument("--pairs", type=int, default=60, help="verify requests timed")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    faces = FaceSet.load(args.faces / args.set)
    photo = reader(args.models)
    model = DEFAULT_MODEL
    photos = enrollable(photo, faces, args.photos, model)
    pairs = [(photos[i], photos[-1 - i]) for i in range(min(args.pairs, len(photos) // 2))]

    def read(data: bytes) -> object:
        return photo.enrollee(data, model, SELECTION)

    rate(read, photos[:8], 1)  # warm-up
    cpu_before = time.process_time()
    pipeline = {1: rate(read, photos, 1)}
    pipeline_cpu_ms = (time.process_time() - cpu_before) * 1e3 / len(photos)
    pipeline[cores] = rate(read, photos, cores)
    pipeline_pair_ms = statistics.median(elapsed_ms(lambda a=a, b=b: (read(a), read(b))) for a, b in pairs)
    with ThreadPoolExecutor(2) as pool:
        side_by_side_ms = statistics.median(elapsed_ms(lambda a=a, b=b: list(pool.map(read, (a, b))))
                                            for a, b in pairs)

    with tempfile.TemporaryDirectory(prefix="facegate-http-") as scratch:
        folder = Path(scratch)
        process, base, _ = server.start(f"sqlite:///{folder / 'bench.db'}", ADMIN_KEY, folder, args.models)
        caller = Caller(base)
        try:
            for index, data in enumerate(photos[:8]):  # warm-up
                caller.enroll(f"warm-{index}", data)
            enroll, server_ms, client_ms = {}, {}, {}
            served = psutil.Process(process.pid)
            for clients in args.clients:
                server_before, client_before = sum(served.cpu_times()[:2]), time.process_time()
                enroll[clients] = rate(lambda data, c=clients: caller.enroll(f"c{c}-{id(data)}", data), photos,
                                       clients)
                server_ms[clients] = (sum(served.cpu_times()[:2]) - server_before) * 1e3 / len(photos)
                client_ms[clients] = (time.process_time() - client_before) * 1e3 / len(photos)
            for a, b in pairs[:5]:
                caller.verify(a, b)
            verify = [caller.verify(a, b) * 1e3 for a, b in pairs]
        finally:
            caller.close()
            server.stop(process)

    print(f"\n{len(photos)} lfw-dev photos, model {model}, {cores} cores; photos/s unless marked\n")
    print(f"{'path':34} {'1':>7} " + " ".join(f"{c:>7}" for c in args.clients[1:]))
    print(f"{'pipeline in process (threads)':34} {pipeline[1]:7.1f} "
          + " ".join(f"{pipeline[min(c, cores)]:7.1f}" for c in args.clients[1:]))
    print(f"{'enroll over HTTP (clients)':34} {enroll[args.clients[0]]:7.1f} "
          + " ".join(f"{enroll[c]:7.1f}" for c in args.clients[1:]))
    at_cores = enroll.get(cores, max(enroll.values()))
    print(f"\nHTTP overhead over the pipeline: {pipeline[1] / enroll[1] - 1:+.0%} with 1 client, "
          f"{pipeline[cores] / at_cores - 1:+.0%} with {cores} (photos/s in process / over HTTP - 1)")
    print(f"core-ms per enroll over HTTP with {cores} clients: {cores * 1e3 / at_cores:.1f} "
          f"(pipeline {cores * 1e3 / pipeline[cores]:.1f}); CPU ms per enroll of the server process "
          + ", ".join(f"{server_ms[c]:.1f}" for c in args.clients) + " and of this client "
          + ", ".join(f"{client_ms[c]:.1f}" for c in args.clients) + f" with {', '.join(map(str, args.clients))}"
          f" clients (pipeline in process: {pipeline_cpu_ms:.1f})")
    print(f"verify of two photos, 1 client: p50 {statistics.median(verify):.1f} ms, p99 {percentile(verify, 99):.1f} ms"
          f" (pipeline: the two photos one after the other {pipeline_pair_ms:.1f} ms, side by side on two threads "
          f"{side_by_side_ms:.1f} ms)")


if __name__ == "__main__":
    main()
