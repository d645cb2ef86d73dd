"""Concurrent enroll and delete over real HTTP: the database and the search index end up holding the same faces."""

from __future__ import annotations

import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.config import DEFAULT_MODEL, Settings
from app.main import create_app
from app.services.search import InProcessSearch
from app.store.orm import Face, Template
from tests.api.conftest import ADMIN
from tests.servers import serving
from tests.templates_check import assert_templates_match_faces

CLIENTS = 8
ROUNDS = 6


@pytest.fixture(scope="module")
def server(app_settings: Settings) -> Iterator[tuple[FastAPI, str]]:
    """The app behind a real uvicorn server on a free loopback port."""
    app = create_app(app_settings)
    with serving(app) as base:
        yield app, base


def _worker(base: str, worker: int, portrait: bytes) -> int:
    rng = random.Random(worker)
    kept = 0
    with httpx.Client(base_url=base, timeout=120, headers=ADMIN) as http:
        for round_ in range(ROUNDS):
            subject = f"w{worker}-s{rng.randrange(3)}"
            response = http.post("/v1/enroll", data={"subject": subject, "gallery": "race"},
                                 files={"images": ("p.jpg", portrait, "image/jpeg")})
            assert response.status_code == 201, response.text
            face_id = response.json()["faces"][0]["face_id"]
            identify = http.post("/v1/identify", data={"gallery": "race", "top_k": 3},
                                 files={"image": ("p.jpg", portrait, "image/jpeg")})
            assert identify.status_code == 200, identify.text
            if round_ % 3 == 1:
                deleted = http.delete(f"/v1/faces/{face_id}", params={"gallery": "race"})
                assert deleted.status_code == 200, deleted.text
            elif round_ % 3 == 2:
                assert http.delete(f"/v1/subjects/{subject}", params={"gallery": "race"}).status_code in {200, 404}
            else:
                kept += 1
    return kept


def test_database_and_index_agree_after_concurrent_writes(server: tuple[FastAPI, str], portrait: bytes) -> None:
    app, base = server
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(lambda worker: _worker(base, worker, portrait), range(CLIENTS)))
    services = app.state.services
    services.search.catch_up()
    with services.sessions() as session:
        stored = set(session.scalars(select(Face.id)))
        assert stored, "some faces should survive"
        assert assert_templates_match_faces(session) > 0
        expected = {((t.gallery, t.model, t.model_version), t.subject_id): t.face_count
                    for t in session.scalars(select(Template))}
    key = ("race", DEFAULT_MODEL, services.version(DEFAULT_MODEL))
    assert services.search.counts(key).faces == len(stored)
    if isinstance(services.search, InProcessSearch):  # the in-process index holds exactly the templates
        assert services.search.index.entries() == expected


def test_updates_racing_a_delete_answer_200_or_404_never_500(server: tuple[FastAPI, str], portrait: bytes) -> None:
    """A PATCH whose subject is deleted between its read and its write used to fail with StaleDataError (500),
    and the 500 dropped the client's keep-alive connection."""
    _, base = server
    outcomes: list[int] = []
    for round_ in range(4):
        subject = f"raced-{round_}"
        with httpx.Client(base_url=base, timeout=120, headers=ADMIN) as http:
            assert http.post("/v1/enroll", data={"subject": subject, "gallery": "patch-race"},
                             files={"images": ("p.jpg", portrait, "image/jpeg")}).status_code == 201

        def patch(index: int, subject: str = subject) -> list[int]:
            with httpx.Client(base_url=base, timeout=120, headers=ADMIN) as http:
                codes = [http.patch(f"/v1/subjects/{subject}", params={"gallery": "patch-race"},
                                    json={"name": f"n{index}-{i}"}).status_code for i in range(5)]
                codes.append(http.get("/healthz").status_code)  # the same connection still works
            return codes

        def delete(subject: str = subject) -> list[int]:
            with httpx.Client(base_url=base, timeout=120, headers=ADMIN) as http:
                return [http.delete(f"/v1/subjects/{subject}", params={"gallery": "patch-race"}).status_code]

        with ThreadPoolExecutor(9) as pool:
            futures = [pool.submit(patch, index) for index in range(8)] + [pool.submit(delete)]
            outcomes += [code for future in futures for code in future.result()]
    assert set(outcomes) <= {200, 404}, sorted(set(outcomes))
    assert outcomes.count(404) >= 4  # every round's later PATCHes find the subject gone
