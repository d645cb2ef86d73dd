"""kill -9 under concurrent enrolls: whatever the server acknowledged survives, and nothing is half-written.

Each cycle starts `python -m app serve` as a process of its own, lets three clients enroll new subjects (two
faces each, so one transaction writes a subject, two faces and an audit entry) and SIGKILLs the server after a
random short delay, with requests in flight. A 201 is a promise: after all cycles a fresh server must still
hold every acknowledged face, in the database, in the audit trail and in the search index it rebuilds at start.
What was committed but never acknowledged (killed between commit and answer) may stay, but whole.
"""

from __future__ import annotations

import csv
import random
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import select

from app.store.db import create_engine, session_factory
from app.store.orm import Face, Subject
from tests.api.conftest import ADMIN
from tests.servers import server_process
from tests.templates_check import assert_templates_match_faces

ROOT = Path(__file__).resolve().parents[2]
CYCLES = {"sqlite": 8, "postgresql": 3}
CLIENTS = 3
GALLERY = "crash"
# Seconds between the first request in flight and the kill: long enough for some enrolls to be answered
# (one takes ~0.2 s here), short enough that each cycle ends with requests still being served.
KILL_AFTER_S = (0.2, 2.0)


@dataclass(frozen=True)
class Ack:
    subject: str
    face_ids: frozenset[str]
    photo: Path


@dataclass
class Tally:
    """What the clients of a cycle did; `lock` is held while the server is killed, so `in_flight` is exact."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    killed: threading.Event = field(default_factory=threading.Event)
    in_flight: int = 0
    acks: list[Ack] = field(default_factory=list)
    photo_uses: Counter[Path] = field(default_factory=Counter)


def _photos(faces_dir: Path) -> list[Path]:
    """The studio photos that pass the enrollment gate (test_studio enrolls each), one per person."""
    studio = faces_dir / "studio"
    with (studio / "identification.csv").open(newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["role"] in {"gallery", "gallery_distractor"}]
    return [studio / "images" / row["path"] for row in rows]


def _enroll_until_killed(base: str, cycle: int, worker: int, photos: Iterator[Path], tally: Tally) -> None:
    """Enroll new subjects one after another; a transport error ends the loop, and must come after the kill."""
    with httpx.Client(base_url=base, headers=ADMIN, timeout=60) as http:
        for number in range(10_000):
            subject = f"c{cycle}-w{worker}-{number}"
            with tally.lock:
                photo = next(photos)
                tally.photo_uses[photo] += 1
                tally.in_flight += 1
            image = photo.read_bytes()
            try:
                response = http.post("/v1/enroll", data={"subject": subject, "gallery": GALLERY},
                                     files=[("images", ("a.jpg", image, "image/jpeg")),
                                            ("images", ("b.jpg", image, "image/jpeg"))])
            except httpx.TransportError:
                assert tally.killed.is_set(), f"{subject}: the connection failed before the kill"
                return
            finally:
                with tally.lock:
                    tally.in_flight -= 1
            assert response.status_code == 201, response.text
            face_ids = frozenset(face["face_id"] for face in response.json()["faces"])
            assert len(face_ids) == 2, response.text
            with tally.lock:
                tally.acks.append(Ack(subject, face_ids, photo))


def _kill_cycle(base: str, process: subprocess.Popen, cycle: int, photos: Iterator[Path], tally: Tally,
                rng: random.Random) -> int:
    """Run the clients, SIGKILL the server mid-flight; returns how many requests were in flight at the kill."""
    with ThreadPoolExecutor(CLIENTS) as pool:
        workers = [pool.submit(_enroll_until_killed, base, cycle, w, photos, tally) for w in range(CLIENTS)]
        while tally.in_flight == 0 and not any(worker.done() for worker in workers):
            time.sleep(0.005)
        time.sleep(rng.uniform(*KILL_AFTER_S))
        with tally.lock:
            tally.killed.set()
            process.send_signal(signal.SIGKILL)
            in_flight = tally.in_flight
        process.wait(timeout=30)
        for worker in workers:
            worker.result()
    return in_flight


def _audited_enrolls(http: httpx.Client) -> dict[str, set[str]]:
    """Subject → face ids of every successful enroll in the audit trail, all pages."""
    entries: dict[str, set[str]] = {}
    cursor = None
    while True:
        params = {"operation": "enroll", "gallery": GALLERY, "limit": 100} | ({"cursor": cursor} if cursor else {})
        page = http.get("/v1/audit", params=params)
        assert page.status_code == 200, page.text
        for entry in page.json()["items"]:
            if entry["outcome"] == "ok":
                entries.setdefault(entry["subject"], set()).update(entry["face_ids"])
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return entries


def _stored(database_url: str) -> tuple[dict[str, str | None], dict[str, int]]:
    """Straight from the database: face id → its subject's id (None if the subject is gone), and subject →
    number of faces, for the gallery under test."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            faces = connection.execute(select(Face.id, Subject.external_id).outerjoin(
                Subject, Face.subject_id == Subject.id).where(Face.gallery == GALLERY)).all()
            subjects = connection.execute(select(Subject.external_id).where(Subject.gallery == GALLERY)).scalars()
            counts = dict.fromkeys(subjects, 0)
    finally:
        engine.dispose()
    for _, subject in faces:
        if subject in counts:
            counts[subject] += 1
    return dict(faces), counts


def test_acknowledged_enrolls_survive_kill_9(database_url: str, models_dir: Path, faces_dir: Path,
                                             tmp_path: Path) -> None:
    kind = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    rng = random.Random(f"crash-{kind}")
    photo_list = _photos(faces_dir)
    rng.shuffle(photo_list)
    photos = iter(photo_list * 100)
    tally = Tally()
    in_flight_at_kill = []
    for cycle in range(CYCLES[kind]):
        tally.killed.clear()
        with server_process(database_url, models_dir, tmp_path, tmp_path / f"cycle{cycle}.log") as (base, process):
            in_flight_at_kill.append(_kill_cycle(base, process, cycle, photos, tally, rng))

    with server_process(database_url, models_dir, tmp_path, tmp_path / "final.log") as (base, _), \
            httpx.Client(base_url=base, headers=ADMIN, timeout=60) as http:
        for ack in tally.acks:
            listed = http.get(f"/v1/subjects/{ack.subject}/faces", params={"gallery": GALLERY})
            assert listed.status_code == 200, f"{ack.subject}: {listed.text}"
            assert {face["face_id"] for face in listed.json()["items"]} == ack.face_ids, ack.subject
        audited = _audited_enrolls(http)
        # Probe with photos enrolled by one request only, so the right answer is a single subject.
        probes = [ack for ack in tally.acks if tally.photo_uses[ack.photo] == 1]
        for ack in probes:
            found = http.post("/v1/identify", data={"gallery": GALLERY},
                              files={"image": ("probe.jpg", ack.photo.read_bytes(), "image/jpeg")})
            assert found.status_code == 200, found.text
            match = found.json()["faces"][0]["match"]
            assert match is not None, f"{ack.subject}: {found.text}"
            assert match["subject"] == ack.subject, f"{ack.subject}: {found.text}"

    faces, face_counts = _stored(database_url)
    acknowledged = {face_id for ack in tally.acks for face_id in ack.face_ids}
    print(f"\n{kind}: {len(in_flight_at_kill)} kill -9 cycles, {len(tally.acks)} enrollments acknowledged "
          f"({len(acknowledged)} faces), requests in flight at each kill {in_flight_at_kill} "
          f"(total {sum(in_flight_at_kill)}); after restart {len(face_counts)} subjects and {len(faces)} faces "
          f"stored ({len(faces) - len(acknowledged)} committed but not acknowledged), {len(probes)} identified")
    assert tally.acks, "no enrollment was acknowledged: the kills came too early"
    assert sum(in_flight_at_kill) > 0, "no kill landed while requests were in flight"
    assert acknowledged <= faces.keys()
    assert [face for face, subject in faces.items() if subject is None] == [], "faces without their subject"
    assert [subject for subject, count in face_counts.items() if count == 0] == [], "subjects without faces"
    assert all(audited.get(ack.subject) == ack.face_ids for ack in tally.acks), "acknowledged but not audited"
    assert set().union(*audited.values()) == faces.keys(), "stored faces and audited enrolls differ"
    assert audited.keys() == face_counts.keys(), "stored subjects and audited enrolls differ"
    engine = create_engine(database_url)
    try:
        with session_factory(engine)() as session:
            assert assert_templates_match_faces(session) == len(face_counts), "a face without its template"
    finally:
        engine.dispose()
