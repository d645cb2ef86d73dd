"""Several processes on one database give the same answers the moment a write is committed.

Real `python -m app serve` processes (replicas A and B; and one server with two workers) on a SQLite file and on
PostgreSQL: enroll through A, and B finds the subject at once; delete through A, and B no longer matches it;
concurrent enrolls and deletes through both leave every template equal to a recomputation from its faces.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from app.store.db import create_engine, session_factory
from app.store.migrate import upgrade
from tests.api.conftest import ADMIN, assert_problem, studio_photo
from tests.servers import server_process
from tests.templates_check import assert_templates_match_faces


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'shared.db'}"
    else:
        from tests.postgres import create_database

        url = create_database(request.getfixturevalue("postgres_url"), "replicas")
    upgrade(url)
    return url


@pytest.fixture
def replicas(shared_database: str, models_dir: Path, tmp_path: Path) -> Iterator[list[httpx.Client]]:
    with ExitStack() as stack:
        clients = []
        for name in ("a", "b"):
            base, _ = stack.enter_context(server_process(shared_database, models_dir, tmp_path,
                                                         tmp_path / f"{name}.log"))
            clients.append(stack.enter_context(httpx.Client(base_url=base, headers=ADMIN, timeout=60)))
        yield clients


def _photo(faces_dir: Path, identity: str, index: int = 1) -> tuple[str, bytes, str]:
    return "p.jpg", studio_photo(faces_dir, identity, index), "image/jpeg"


def test_a_write_through_one_replica_holds_in_the_other_at_once(replicas: list[httpx.Client],
                                                                faces_dir: Path) -> None:
    a, b = replicas
    for subject, identity in (("alice", "london_003"), ("bob", "london_010")):
        assert a.post("/v1/enroll", data={"subject": subject, "gallery": "rep"},
                      files={"images": _photo(faces_dir, identity)}).status_code == 201
    found = b.post("/v1/identify", data={"gallery": "rep"}, files={"image": _photo(faces_dir, "london_003", 2)})
    assert found.status_code == 200, found.text
    assert found.json()["faces"][0]["match"]["subject"] == "alice"
    assert found.json()["gallery_size"] == 2
    verified = b.post("/v1/verify", data={"gallery": "rep", "subject": "bob"},
                      files={"image": _photo(faces_dir, "london_010", 2)})
    assert verified.json()["match"] is True

    assert a.delete("/v1/subjects/alice", params={"gallery": "rep"}).status_code == 200
    after = b.post("/v1/identify", data={"gallery": "rep"}, files={"image": _photo(faces_dir, "london_003", 2)})
    assert after.status_code == 200, after.text
    assert "alice" not in {c["subject"] for c in after.json()["faces"][0]["candidates"]}
    assert after.json()["faces"][0]["match"] is None
    assert after.json()["gallery_size"] == 1
    assert_problem(b.post("/v1/verify", data={"gallery": "rep", "subject": "alice"},
                          files={"image": _photo(faces_dir, "london_003", 2)}), 404, "SUBJECT_NOT_FOUND")
    # A second face through B changes the template A verifies against.
    assert b.post("/v1/enroll", data={"subject": "bob", "gallery": "rep"},
                  files={"images": _photo(faces_dir, "london_010", 2)}).status_code == 201
    assert a.post("/v1/identify", data={"gallery": "rep"},
                  files={"image": _photo(faces_dir, "london_010", 1)}).json()["gallery_size"] == 2
    assert a.delete("/v1/galleries/rep").status_code == 200
    assert_problem(b.post("/v1/identify", data={"gallery": "rep"}, files={"image": _photo(faces_dir, "london_010")}),
                   404, "GALLERY_NOT_FOUND")


def test_concurrent_writes_through_both_leave_templates_equal_to_their_faces(
        replicas: list[httpx.Client], faces_dir: Path, shared_database: str) -> None:
    identities = sorted(p.name for p in (faces_dir / "studio" / "images").iterdir())[:12]

    def writer(worker: int) -> None:
        rng = random.Random(worker)
        client = replicas[worker % 2]
        for _ in range(8):
            subject = f"s{rng.randrange(6)}"
            identity = rng.choice(identities)
            action = rng.random()
            if action < 0.6:
                response = client.post("/v1/enroll", data={"subject": subject, "gallery": "mix"},
                                       files={"images": _photo(faces_dir, identity)})
                assert response.status_code in {201, 422}, response.text
            elif action < 0.8:
                listed = client.get(f"/v1/subjects/{subject}/faces", params={"gallery": "mix"})
                if listed.status_code == 200 and listed.json()["items"]:
                    face = listed.json()["items"][0]["face_id"]
                    gone = client.delete(f"/v1/faces/{face}", params={"gallery": "mix"})
                    assert gone.status_code in {200, 404}, gone.text
            else:
                gone = client.delete(f"/v1/subjects/{subject}", params={"gallery": "mix"})
                assert gone.status_code in {200, 404}, gone.text

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(writer, range(4)))
    engine = create_engine(shared_database)
    try:
        with session_factory(engine)() as session:
            count = assert_templates_match_faces(session)
    finally:
        engine.dispose()
    # Both replicas now answer from exactly those templates.
    sizes = {client.post("/v1/identify", data={"gallery": "mix"},
                         files={"image": _photo(faces_dir, identities[0])}).json().get("gallery_size")
             for client in replicas}
    print(f"\nconcurrent writes through two replicas: {count} templates, equal to their faces; "
          f"both replicas see the same gallery ({sizes})")
    assert len(sizes) == 1


def test_workers_share_one_port_and_one_metrics_view(shared_database: str, models_dir: Path, tmp_path: Path,
                                                     faces_dir: Path) -> None:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    with server_process(shared_database, models_dir, tmp_path, tmp_path / "workers.log", workers=2,
                        env={"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}) as (base, _):

        def call(_: int) -> int:
            with httpx.Client(base_url=base, headers=ADMIN, timeout=60) as http:  # a new connection each
                return http.get("/v1/galleries").status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(call, range(60)))
        with httpx.Client(base_url=base, headers=ADMIN, timeout=60) as http:
            text = http.get("/metrics").text
    assert statuses == [200] * 60
    served = re.search(r'facegate_http_request_duration_seconds_count\{method="GET",route="/v1/galleries",'
                       r'status="200"\} ([0-9.]+)', text)
    assert served is not None, text[:2000]
    pids = {path.stem.rsplit("_", 1)[-1] for path in metrics_dir.glob("histogram_*.db")}
    print(f"\n2 workers: {len(pids)} processes wrote metrics; /metrics counts {served.group(1)} of 60 requests")
    assert len(pids) == 2
    assert float(served.group(1)) == 60
