"""The fill step of bench/scale.py: real lfw-dev people plus distractors, written straight into the tables.

This is only how the database gets large fast; nothing is measured here. Every figure bench/scale.py reports
comes from the real server (`python -m app serve`) over HTTP afterwards.

Real people: the `gallery` photos of lfw-dev, embedded by the service's own pipeline (`load_pipeline`, as the
server does), one subject per identity. Distractors: subjects of two faces each, whose identity vectors are
half drawn from a Gaussian with the mean and covariance of the real embeddings (so they share the real ones'
spread and their common direction; random unit vectors would be far apart and too easy for an approximate
index) and half real gallery photos perturbed by that same covariance at 0.7-1.5x (look-alikes, scoring about
0.66-0.86 against the photo, near the identify threshold). A probe photo is never a perturbation's base.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine, insert, text
from sqlalchemy.orm import Session

from app.config import DEFAULT_MODEL, Settings
from app.errors import FacegateError
from app.store import changes, templates
from app.store.orm import Face, Subject, Template
from app.vision.pipeline import load_pipeline
from bench.accuracy import DEFAULT_SELECTION
from bench.facesets import FaceSet

FloatArray = npt.NDArray[np.float32]
MODEL = DEFAULT_MODEL
BATCH = 5000
FACE_NOISE = 0.35
"""Spread of a distractor's two faces around its identity, in units of the real covariance."""


@dataclass(frozen=True)
class Photo:
    path: str
    identity: str
    embedding: FloatArray


def embed_photos(faces: FaceSet, paths: list[str], models_dir: Path) -> tuple[list[Photo], str]:
    """Each photo's face as a request at the API's defaults chooses it, through the serving pipeline (so that
    recall is measured against the probe the server searches with); photos without a face are left out. Also
    returns the pipeline version the server files these embeddings under."""
    settings = Settings(runtime={"models_dir": models_dir})
    pipeline = load_pipeline(settings.runtime, settings.detection, settings.limits, models=[MODEL])
    identity = dict(zip(faces.paths, faces.identities, strict=True))
    photos = []
    for path in paths:
        try:
            found = pipeline.process(faces.image(path).read_bytes(), MODEL, DEFAULT_SELECTION)
        except FacegateError:  # a photo the service refuses (no face, too small) is simply not used
            continue
        photos.append(Photo(path, str(identity[path]), np.asarray(found[0].embedding, np.float32)))
    return photos, pipeline.pipeline(MODEL).version


def _unit(rows: FloatArray) -> FloatArray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


class Distractors:
    """Distractor identities shaped like `real` (see the module docstring), reproducible from `seed`."""

    def __init__(self, real: FloatArray, seed: int = 1) -> None:
        self._real = real
        self._mean = real.mean(axis=0)
        covariance = np.cov(real.T) + 1e-6 * np.eye(real.shape[1])
        self._cholesky = np.linalg.cholesky(covariance).T.astype(np.float32)
        self._rng = np.random.default_rng(seed)

    def _noise(self, count: int) -> FloatArray:
        return self._rng.standard_normal((count, len(self._mean)), dtype=np.float32) @ self._cholesky

    def identities(self, count: int) -> FloatArray:
        half = count // 2
        drawn = self._mean + self._noise(half)
        base = self._real[self._rng.integers(0, len(self._real), count - half)]
        scale = self._rng.uniform(0.7, 1.5, (count - half, 1)).astype(np.float32)
        return _unit(np.concatenate([drawn, base + scale * self._noise(count - half)]))

    def faces(self, identities: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Two faces per identity, each its own perturbation."""
        return (_unit(identities + FACE_NOISE * self._noise(len(identities))),
                _unit(identities + FACE_NOISE * self._noise(len(identities))))


@dataclass
class Filled:
    gallery: str
    subjects: int
    faces: int
    centroids: FloatArray
    """Every template's centroid, by subject id - 1: the exact search the server's answers are checked against."""
    names: list[str]


def _rows(gallery: str, version: str, people: dict[str, list[FloatArray]], distractors: Distractors,
          distractor_subjects: int, now: datetime) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]],
                                                                    dict[str, Any]]]:
    common = {"gallery": gallery, "model": MODEL, "model_version": version}

    def subject(subject_id: int, name: str, vectors: list[FloatArray]) -> tuple[dict[str, Any], list[dict[str, Any]],
                                                                                 dict[str, Any]]:
        total = np.sum(np.asarray(vectors, np.float64), axis=0)
        norm = float(np.linalg.norm(total))
        faces = [{**common, "id": str(uuid.UUID(int=subject_id << 16 | i)), "subject_id": subject_id,
                  "embedding": vector, "detection_score": 0.99, "box": [0, 0, 100, 100],
                  "landmarks": [[30, 40], [70, 40], [50, 60], [35, 80], [65, 80]],
                  "image_sha256": hashlib.sha256(f"{subject_id}-{i}".encode()).hexdigest(),
                  "created_at": now, "updated_at": now} for i, vector in enumerate(vectors)]
        return ({"id": subject_id, "gallery": gallery, "external_id": name, "metadata": {}, "created_at": now,
                 "updated_at": now}, faces,
                {**common, "id": subject_id, "subject_id": subject_id, "face_count": len(vectors), "norm": norm,
                 "centroid": (total / norm).astype(np.float32), "updated_at": now})

    subject_id = 0
    for name, vectors in people.items():
        subject_id += 1
        yield subject(subject_id, name, vectors)
    for start in range(0, distractor_subjects, BATCH):
        first, second = distractors.faces(distractors.identities(min(BATCH, distractor_subjects - start)))
        for a, b in zip(first, second, strict=True):
            subject_id += 1
            yield subject(subject_id, f"distractor-{subject_id}", [a, b])


def _advance_sequences(engine: Engine) -> None:
    """Rows were written with explicit ids: move PostgreSQL's id sequences past them, or the server's first
    enroll would collide with a filled row (SQLite takes max(id) + 1 by itself)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        for table in ("subjects", "templates"):
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT coalesce(max(id), 1) FROM {table}))"))


def fill(engine: Engine, gallery: str, version: str, photos: list[Photo], faces: int, seed: int = 1) -> Filled:
    """`faces` faces in `gallery`: the real people's photos, then two-face distractor subjects."""
    people: dict[str, list[FloatArray]] = {}
    for photo in photos:
        people.setdefault(photo.identity, []).append(photo.embedding)
    real_faces = sum(len(vectors) for vectors in people.values())
    distractor_subjects = max(0, faces - real_faces) // 2
    distractors = Distractors(np.asarray([p.embedding for p in photos]), seed)
    centroids: list[FloatArray] = []
    names: list[str] = []
    batch: tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]] = ([], [], [])
    written = 0

    def flush() -> None:
        with engine.begin() as connection:
            for table, rows in zip((Subject.__table__, Face.__table__, Template.__table__), batch, strict=True):
                if rows:
                    connection.execute(insert(table), rows)
        for rows in batch:
            rows.clear()

    for subject, subject_faces, template in _rows(gallery, version, people, distractors, distractor_subjects,
                                                  datetime.now(UTC)):
        batch[0].append(subject)
        batch[1].extend(subject_faces)
        batch[2].append(template)
        centroids.append(template["centroid"])
        names.append(subject["external_id"])
        written += len(subject_faces)
        if len(batch[0]) >= BATCH:
            flush()
    flush()
    with Session(engine) as session, session.begin():
        templates.recount(session)
        # A database in use has a change log (pruning keeps its newest row), which tells start-up that every
        # face has its template; a fill that wrote none would look like data from before templates existed.
        changes.template_changed(session, [(len(names), gallery, MODEL, version)])
    _advance_sequences(engine)
    return Filled(gallery, len(names), written, np.asarray(centroids, np.float32), names)
