"""An in-memory, exact cosine search over subject templates (centroids), one matrix per gallery and pipeline
version. The database stays the source of truth: `app/services/search.py` keeps this in step with the change
log, so it never answers from writes another process has not told it about.

A shard is a matrix with spare capacity: adding a row copies nothing in the common case; a removed row is
overwritten by the last one. Exact search is one matrix-vector product and a partial sort.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
Key = tuple[str, str, str]
"""(gallery, model, model version): vectors of different pipelines or versions are never compared."""

INITIAL_CAPACITY = 64


class Hit(NamedTuple):
    subject_id: int
    subject: str
    score: float


class _Shard:
    def __init__(self, dim: int) -> None:
        self.matrix: FloatArray = np.empty((INITIAL_CAPACITY, dim), dtype=np.float32)
        self.subject_ids: list[int] = []
        self.subjects: list[str] = []
        self.counts: list[int] = []
        self.row_of: dict[int, int] = {}

    @property
    def dim(self) -> int:
        return self.matrix.shape[1]

    def __len__(self) -> int:
        return len(self.subject_ids)

    def put(self, subject_id: int, subject: str, centroid: FloatArray, count: int) -> None:
        row = self.row_of.get(subject_id)
        if row is None:
            row = len(self)
            if row == len(self.matrix):
                self.matrix = np.concatenate([self.matrix, np.empty_like(self.matrix)])
            self.subject_ids.append(subject_id)
            self.subjects.append(subject)
            self.counts.append(count)
            self.row_of[subject_id] = row
        else:
            self.subjects[row], self.counts[row] = subject, count
        self.matrix[row] = centroid

    def remove(self, subject_id: int) -> None:
        row = self.row_of.pop(subject_id, None)
        if row is None:
            return
        last = len(self) - 1
        if row != last:
            self.matrix[row] = self.matrix[last]
            self.subject_ids[row] = moved = self.subject_ids[last]
            self.subjects[row] = self.subjects[last]
            self.counts[row] = self.counts[last]
            self.row_of[moved] = row
        self.subject_ids.pop()
        self.subjects.pop()
        self.counts.pop()

    def search(self, probe: FloatArray, top_k: int) -> list[Hit]:
        count = len(self)
        if count == 0:
            return []
        scores = self.matrix[:count] @ probe
        k = min(top_k, count)
        top = np.argpartition(-scores, k - 1)[:k] if k < count else np.arange(count)
        order = top[np.argsort(-scores[top], kind="stable")]
        return [Hit(self.subject_ids[i], self.subjects[i], float(scores[i])) for i in order]


def unit(vector: npt.ArrayLike) -> FloatArray:
    array = np.asarray(vector, dtype=np.float32).reshape(-1)
    norm = float(np.linalg.norm(array))
    if not np.isfinite(norm) or norm == 0:
        raise ValueError("vectors must be finite and non-zero")
    return array / norm


class TemplateIndex:
    """Thread-safe: one lock guards every shard (a search reads rows a removal may be moving)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._shards: dict[Key, _Shard] = {}

    def put(self, key: Key, subject_id: int, subject: str, centroid: npt.ArrayLike, count: int) -> None:
        vector = unit(centroid)
        with self._lock:
            shard = self._shards.get(key)
            if shard is not None and shard.dim != len(vector):
                raise ValueError(f"{key}: {shard.dim} dimensions, not {len(vector)}")
            if shard is None:
                shard = self._shards[key] = _Shard(len(vector))
            shard.put(subject_id, subject, vector, count)

    def remove(self, key: Key, subject_id: int) -> None:
        with self._lock:
            shard = self._shards.get(key)
            if shard is not None:
                shard.remove(subject_id)
                if not len(shard):
                    del self._shards[key]

    def drop_gallery(self, gallery: str) -> None:
        with self._lock:
            for key in [key for key in self._shards if key[0] == gallery]:
                del self._shards[key]

    def clear(self) -> None:
        with self._lock:
            self._shards.clear()

    def search(self, key: Key, probe: npt.ArrayLike, top_k: int) -> list[Hit]:
        """The `top_k` subjects whose centroid is most similar to `probe`, best first."""
        if top_k < 1:
            raise ValueError("top_k must be at least 1")
        vector = unit(probe)
        with self._lock:
            shard = self._shards.get(key)
            if shard is None:
                return []
            if shard.dim != len(vector):
                raise ValueError(f"{key}: {shard.dim} dimensions, not {len(vector)}")
            return shard.search(vector, top_k)

    def counts(self, key: Key) -> tuple[int, int]:
        """(subjects, faces) of one gallery and pipeline version."""
        with self._lock:
            shard = self._shards.get(key)
            return (len(shard), sum(shard.counts)) if shard is not None else (0, 0)

    def galleries(self) -> dict[tuple[str, str], int]:
        """Faces per (gallery, model), for the metrics."""
        with self._lock:
            totals: dict[tuple[str, str], int] = {}
            for (gallery, model, _), shard in self._shards.items():
                totals[gallery, model] = totals.get((gallery, model), 0) + sum(shard.counts)
            return totals

    def entries(self) -> dict[tuple[Key, int], int]:
        """Every (key, subject id) with its face count: to check the index against the database."""
        with self._lock:
            return {(key, subject_id): shard.counts[row] for key, shard in self._shards.items()
                    for subject_id, row in shard.row_of.items()}

    def load(self, rows: Iterable[tuple[Key, int, str, FloatArray, int]]) -> None:
        for key, subject_id, subject, centroid, count in rows:
            self.put(key, subject_id, subject, centroid, count)
