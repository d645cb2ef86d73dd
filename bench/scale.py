"""Identify at scale, measured on the real server over HTTP.

    python -m bench.scale [--sizes 100000 1000000] [--database sqlite postgresql] [--backend memory]

For each database and size: fill a fresh database with that many faces (bench/scale_fill.py: real lfw-dev
people plus two-face distractor subjects, written straight into the tables; the fill step only), start
`python -m app serve` on it with an admin key (FACEGATE_ADMIN_KEY) and the search backend asked for, then
measure, all through HTTP:

- start to ready: from starting the process to /readyz answering 200 (models, migration check, index load; on
  PostgreSQL with the database backend the HNSW index is built by the fill step, as a database in use has it);
- identify p50/p99 of the whole request with real lfw-dev probe photos of the enrolled people;
- the search stage: p50 and p99 of each request's own `search` time, from the server's Server-Timing header
  (the stage the `facegate_stage_duration_seconds` histogram adds up), and p50 of identify on the full gallery
  minus p50 on a one-subject one (same photos, same work but the search; the two galleries in turn, photo by
  photo, so that the shared machine's drift weighs on both);
- recall@1 and recall@10 of the server's top 10 against exact search over the same templates (the probes
  embedded here by the same pipeline);
- resident memory of each worker process once the queries are done;
- enroll throughput (photos a second, 2 clients) of new people into the large gallery.

It prints one table and, last, a JSON line with the same figures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

import httpx
import numpy as np
import psutil
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.store import templates, vector_search
from app.store.db import create_engine
from app.store.migrate import upgrade
from bench import server
from bench.facesets import FaceSet, add_set_arguments
from bench.scale_fill import MODEL, Filled, Photo, embed_photos, fill

ADMIN_KEY = "scale-bench-admin-key-0123456789abcdef"
GALLERY, TINY = "scale", "scale-tiny"
PG_SHARED_BUFFERS = "2GB"


@dataclass
class Row:
    database: str
    backend: str
    faces: int
    subjects: int
    fill_s: float
    ready_s: float
    identify_p50_ms: float
    identify_p99_ms: float
    search_p50_ms: float
    search_p99_ms: float
    search_p50_delta_ms: float
    recall_at_1: float
    recall_at_10: float
    worker_rss_mb: float
    enroll_per_s: float


def _worker_rss_mb(process: subprocess.Popen[bytes]) -> float:
    """The largest resident set among the workers (the process itself when it serves alone)."""
    parent = psutil.Process(process.pid)
    workers = parent.children(recursive=True) or [parent]
    return max(worker.memory_info().rss for worker in workers) / 2**20


class Identified(NamedTuple):
    """One identify request as the client saw it: its latency, the server's own search stage (its Server-Timing
    header), and the candidates it named (None if it was refused)."""

    latency: float
    search_s: float
    answer: list[str] | None


def _identify(client: httpx.Client, faces: FaceSet, photo: Photo, gallery: str) -> Identified:
    data = faces.image(photo.path).read_bytes()
    started = time.perf_counter()
    response = client.post("/v1/identify", data={"gallery": gallery, "top_k": "10"},
                           files={"image": (Path(photo.path).name, data, "image/jpeg")})
    latency = time.perf_counter() - started
    if response.status_code != 200:
        return Identified(latency, 0.0, None)
    stages = dict(entry.strip().split(";dur=") for entry in response.headers["server-timing"].split(","))
    return Identified(latency, float(stages["search"]) / 1e3,
                      [c["subject"] for c in response.json()["faces"][0]["candidates"]])


def _recall(filled: Filled, photos: list[Photo], answers: list[list[str] | None]) -> tuple[float, float]:
    at_1 = at_10 = 0.0
    answered = 0
    for photo, answer in zip(photos, answers, strict=True):
        if answer is None:  # refused by the probe quality gate: no search was made
            continue
        exact = np.argsort(-(filled.centroids @ photo.embedding))[:10]
        names = [filled.names[i] for i in exact]
        answered += 1
        at_1 += bool(answer) and answer[0] == names[0]
        at_10 += len(set(answer) & set(names)) / 10
    return at_1 / max(answered, 1), at_10 / max(answered, 1)


def _enroll(base: str, faces: FaceSet, paths: list[str]) -> float:
    """Photos enrolled a second by 2 clients, each photo a new subject of the large gallery."""
    identity = dict(zip(faces.paths, faces.identities, strict=True))

    def one(path: str) -> int:
        with httpx.Client(base_url=base, timeout=120, headers={"Authorization": f"Bearer {ADMIN_KEY}"}) as client:
            return client.post("/v1/enroll", data={"subject": f"new-{identity[path]}", "gallery": GALLERY,
                                                   "face_selection": "largest"},
                               files={"images": (Path(path).name, faces.image(path).read_bytes(), "image/jpeg")}
                               ).status_code
    started = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        enrolled = sum(status == 201 for status in pool.map(one, paths))
    return enrolled / (time.perf_counter() - started)


def _read_back(engine: Engine, version: str) -> Filled:
    """What an earlier fill wrote (for --existing): the gallery's templates as the exact search's data."""
    with Session(engine) as session:
        (block,) = [b for b in templates.all_templates(session) if b.key == (GALLERY, MODEL, version)]
        faces = templates.counts(session, GALLERY, MODEL, version)[1]
    return Filled(GALLERY, len(block.subjects), faces, block.centroids, block.subjects)


def _side_by_side(client: httpx.Client, faces: FaceSet, photos: list[Photo]
                  ) -> tuple[list[Identified], list[Identified]]:
    """Each photo identified on the one-subject gallery and on the large one in turn, so that the machine's
    drift (these machines are shared) weighs on both alike."""
    tiny, large = [], []
    for photo in photos:
        tiny.append(_identify(client, faces, photo, TINY))
        large.append(_identify(client, faces, photo, GALLERY))
    return tiny, large


def measure(database: str, url: str, size: int, backend: str, workers: int, faces: FaceSet, models: Path,
            people: list[Photo], version: str, probes: list[Photo], newcomers: list[str], data_dir: Path,
            existing: bool = False) -> Row:
    upgrade(url)
    engine = create_engine(url)
    started = time.perf_counter()
    try:
        filled = _read_back(engine, version) if existing else fill(engine, GALLERY, version, people, size)
        if engine.dialect.name == "postgresql" and backend != "memory":
            # A deployment's HNSW index grows with its gallery; here it is built once, as part of the fill, so
            # that start to ready is that of a replica (re)starting on a database already in use.
            vector_search.ensure_hnsw(engine, MODEL, version, filled.centroids.shape[1])
    finally:
        engine.dispose()
    fill_s = 0.0 if existing else time.perf_counter() - started
    process, base, ready_s = server.start(url, ADMIN_KEY, data_dir, models, workers,
                                          {"FACEGATE_SEARCH__BACKEND": backend})
    try:
        client = httpx.Client(base_url=base, timeout=120, headers={"Authorization": f"Bearer {ADMIN_KEY}"})
        first = people[0]
        client.post("/v1/enroll", data={"subject": "only", "gallery": TINY, "face_selection": "largest"},
                    files={"images": ("tiny.jpg", faces.image(first.path).read_bytes(), "image/jpeg")})
        # Warm-up, one pass of the same photos: a replica in service has its search data in memory (on PostgreSQL
        # the HNSW index in shared_buffers, which a server just started reads from the OS page by page).
        _side_by_side(client, faces, probes)
        baseline, identified = _side_by_side(client, faces, probes)
        rss = _worker_rss_mb(process)
        enroll_per_s = _enroll(base, faces, newcomers)
    finally:
        server.stop(process)
    at_1, at_10 = _recall(filled, probes, [one.answer for one in identified])
    latencies = [one.latency * 1e3 for one in identified]
    searches = [one.search_s * 1e3 for one in identified if one.answer is not None]
    return Row(database, backend, filled.faces, filled.subjects, round(fill_s, 1), round(ready_s, 2),
               round(float(np.percentile(latencies, 50)), 1), round(float(np.percentile(latencies, 99)), 1),
               round(float(np.percentile(searches, 50)), 2), round(float(np.percentile(searches, 99)), 2),
               round(float(np.median(latencies)) - float(np.median([one.latency * 1e3 for one in baseline])), 1),
               round(at_1, 4), round(at_10, 4), round(rss), round(enroll_per_s, 1))


def _table(rows: list[Row]) -> str:
    names = list(asdict(rows[0]))
    widths = [max(len(name), *(len(str(asdict(row)[name])) for row in rows)) for name in names]
    lines = ["  ".join(name.rjust(width) for name, width in zip(names, widths, strict=True))]
    lines += ["  ".join(str(value).rjust(width) for value, width in zip(asdict(row).values(), widths, strict=True))
              for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_set_arguments(parser, workers=1)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000], help="faces in the gallery")
    parser.add_argument("--database", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"])
    parser.add_argument("--backend", choices=["memory", "database", "auto"], default="memory")
    parser.add_argument("--people", type=int, default=400, help="lfw-dev gallery photos enrolled (real people)")
    parser.add_argument("--probes", type=int, default=200, help="probe photos of those people identified")
    parser.add_argument("--enrolls", type=int, default=40, help="new people enrolled into the large gallery")
    parser.add_argument("--existing", metavar="URL", help="measure a database an earlier fill left, not a new one "
                        "(the enrolls of that run are in it: the figures are those of a gallery 40 larger)")
    args = parser.parse_args(argv)
    faces = FaceSet.load(args.faces / args.set)
    gallery_paths = [p for p, role in faces.roles.items() if role == "gallery"][:args.people]
    people, version = embed_photos(faces, gallery_paths, args.models)
    enrolled = {photo.identity for photo in people}
    identity = dict(zip(faces.paths, faces.identities, strict=True))
    probe_paths = [p for p, role in faces.roles.items() if role == "probe" and identity[p] in enrolled]
    probes, _ = embed_photos(faces, probe_paths[:args.probes], args.models)
    newcomers = [p for p, role in faces.roles.items() if role == "unknown_probe"][:args.enrolls]
    rows = []
    if args.existing:  # a database an earlier fill left (its size and kind are read from it)
        with tempfile.TemporaryDirectory(prefix="facegate-scale-") as scratch:
            database = make_url(args.existing).get_backend_name()
            rows.append(measure(database, args.existing, 0, args.backend, args.workers, faces, args.models, people,
                                version, probes, newcomers, Path(scratch), existing=True))
    for database in [] if args.existing else args.database:
        for size in args.sizes:
            with tempfile.TemporaryDirectory(prefix="facegate-scale-") as scratch:
                folder = Path(scratch)
                if database == "sqlite":
                    rows.append(measure(database, f"sqlite:///{folder / 'scale.db'}", size, args.backend,
                                        args.workers, faces, args.models, people, version, probes, newcomers,
                                        folder))
                    continue
                from tests.postgres import create_database, start_postgres  # the tests' throwaway server

                # Sized as a server holding a large gallery would be: the HNSW index in memory (at 500,000
                # templates it is about 650 MB; the default 128 MB made every search read pages from the OS).
                server_url, stop = start_postgres(folder, shared_buffers=PG_SHARED_BUFFERS)
                try:
                    rows.append(measure(database, create_database(server_url, "scale"), size, args.backend,
                                        args.workers, faces, args.models, people, version, probes, newcomers,
                                        folder))
                finally:
                    stop()
    print(_table(rows))
    print(json.dumps({"rows": [asdict(row) for row in rows]}))


if __name__ == "__main__":
    main()
