"""An in-memory, exact cosine-similarity search over enrolled faces, one matrix per (gallery, model).

Exact search is a matrix-vector product plus a partial sort: 4 ms for 100,000 faces of 128 dimensions (measured
on the 2-core development machine, 2.4 ms of it the product), enough for the galleries facegate is meant for, with
none of an approximate index's recall loss or tuning. The database stays
the source of truth; the index is rebuilt from it at start-up (`SearchIndex.build`) and then kept in step by the
services as faces are added and removed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
Key = tuple[str, str]
"""(gallery, model): embeddings of different models are not comparable, so each pair is searched on its own."""

INITIAL_CAPACITY = 64
# Faces sorted per requested result before checking there are enough distinct subjects (see _Shard.search).
POOL_PER_RESULT = 4


class Candidate(NamedTuple):
    """A subject that matches a probe, through its most similar face. `score` is the cosine similarity."""

    subject: str
    face_id: str
    score: float


def _unit_rows(vectors: npt.ArrayLike) -> FloatArray:
    """Rows scaled to unit length, so a dot product is the cosine similarity."""
    matrix = np.array(vectors, dtype=np.float32, ndmin=2)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    if not np.all(np.isfinite(matrix)) or np.any(norms == 0):
        raise ValueError("embeddings must be finite and non-zero")
    return matrix / norms


class _Shard:
    """The faces of one (gallery, model): a matrix with spare capacity and row-parallel lists of ids.

    Rows are appended into spare capacity (doubling when full), so adding a face copies nothing in the common
    case; a removed row is overwritten by the last row, so removal moves one row rather than shifting the rest.
    """

    def __init__(self, dim: int) -> None:
        self.matrix: FloatArray = np.empty((INITIAL_CAPACITY, dim), dtype=np.float32)
        self.face_ids: list[str] = []
        self.subjects: list[str] = []
        # Subjects as small integers, so "best face per subject" is a vectorised np.unique rather than a loop.
        # Codes are never reused; the mapping grows by one entry per distinct subject seen, which is negligible.
        self.subject_codes: npt.NDArray[np.int64] = np.empty(INITIAL_CAPACITY, dtype=np.int64)
        self._code_of: dict[str, int] = {}
        # Per subject code: the sum of its face vectors (float64, so removals do not drift), that sum's norm and
        # the face count. A subject's centroid score is then sum(face scores) / |sum of vectors|, all vectorised.
        self._sums = np.zeros((INITIAL_CAPACITY, dim), np.float64)
        self._norms = np.zeros(INITIAL_CAPACITY, np.float64)
        self._counts = np.zeros(INITIAL_CAPACITY, np.int64)

    @property
    def dim(self) -> int:
        return self.matrix.shape[1]

    def __len__(self) -> int:
        return len(self.face_ids)

    def append(self, face_ids: Sequence[str], subjects: Sequence[str], rows: FloatArray) -> None:
        start, end = len(self), len(self) + len(face_ids)
        if end > len(self.matrix):
            capacity = max(end, 2 * len(self.matrix))
            self.matrix = np.concatenate([self.matrix[:start], np.empty((capacity - start, self.dim), np.float32)])
            self.subject_codes = np.concatenate([self.subject_codes[:start], np.empty(capacity - start, np.int64)])
        self.matrix[start:end] = rows
        codes = [self._code_of.setdefault(subject, len(self._code_of)) for subject in subjects]
        self.subject_codes[start:end] = codes
        if len(self._code_of) > len(self._counts):
            grow = max(len(self._code_of), 2 * len(self._counts)) - len(self._counts)
            self._sums = np.concatenate([self._sums, np.zeros((grow, self.dim))])
            self._norms = np.concatenate([self._norms, np.zeros(grow)])
            self._counts = np.concatenate([self._counts, np.zeros(grow, np.int64)])
        for code, row in zip(codes, rows, strict=True):
            self._sums[code] += row
            self._counts[code] += 1
            self._norms[code] = np.linalg.norm(self._sums[code])
        self.face_ids.extend(face_ids)
        self.subjects.extend(subjects)

    def remove(self, row: int) -> str | None:
        """Remove `row`; returns the id of the face moved into its place, if any."""
        last = len(self) - 1
        moved = None
        code = int(self.subject_codes[row])
        self._counts[code] -= 1
        if self._counts[code] == 0:
            self._sums[code] = 0.0
        else:
            self._sums[code] -= self.matrix[row]
        self._norms[code] = np.linalg.norm(self._sums[code])
        if row != last:
            self.matrix[row] = self.matrix[last]
            self.subject_codes[row] = self.subject_codes[last]
            self.face_ids[row] = moved = self.face_ids[last]
            self.subjects[row] = self.subjects[last]
        self.face_ids.pop()
        self.subjects.pop()
        return moved

    def search(self, query: FloatArray, top_k: int) -> list[Candidate]:
        count = len(self)
        scores = self.matrix[:count] @ query
        codes = self.subject_codes[:count]
        # Sorting every score costs 4x the product itself at 100,000 faces, so only the best `pool` faces are
        # sorted, the pool growing until it holds `top_k` subjects. Any subject left out of the pool scores no
        # higher than every face in it, so the answer is the same as sorting everything.
        pool = min(count, POOL_PER_RESULT * top_k)
        while True:
            top = np.argpartition(-scores, pool - 1)[:pool] if pool < count else np.arange(count)
            order = top[np.argsort(-scores[top], kind="stable")]
            # First occurrence of each subject in best-first order = that subject's best face.
            _, first = np.unique(codes[order], return_index=True)
            if len(first) >= top_k or pool == count:
                break
            pool = min(count, POOL_PER_RESULT * pool)
        best = order[np.sort(first)[:top_k]]
        return [Candidate(self.subjects[i], self.face_ids[i], float(scores[i])) for i in best]

    def search_centroids(self, query: FloatArray, top_k: int) -> list[Candidate]:
        """The `top_k` subjects whose centroid (normalised mean of their faces) is most similar to `query`;
        `face_id` is each one's most similar face. Measured on lfw-dev (bench/templates.py), the centroid beats
        the best single face and the mean score for subjects with several photos."""
        count = len(self)
        scores = self.matrix[:count] @ query
        codes = self.subject_codes[:count]
        subjects = len(self._code_of)
        totals = np.bincount(codes, weights=scores, minlength=subjects)
        live = self._counts[:subjects] > 0
        centroid = np.where(live, totals / np.maximum(self._norms[:subjects], 1e-12), -np.inf)
        k = min(top_k, int(live.sum()))
        chosen = np.argpartition(-centroid, k - 1)[:k] if 0 < k < subjects else np.flatnonzero(live)
        chosen = chosen[np.argsort(-centroid[chosen], kind="stable")][:k]
        # Each chosen subject's best face: first occurrence of its code among its faces sorted best first.
        rows = np.flatnonzero(np.isin(codes, chosen))
        rows = rows[np.argsort(-scores[rows], kind="stable")]
        _, first = np.unique(codes[rows], return_index=True)
        best_face = dict(zip(codes[rows[first]].tolist(), rows[first].tolist(), strict=True))
        return [Candidate(self.subjects[best_face[code]], self.face_ids[best_face[code]], float(centroid[code]))
                for code in chosen.tolist()]


class SearchIndex:
    """Exact cosine search over unit-length embeddings, per (gallery, model). Safe to share between threads.

    One lock guards everything, searches included: a search reads rows that a concurrent removal may be moving.
    Adding a face id that is already present replaces it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._shards: dict[Key, _Shard] = {}
        self._where: dict[str, tuple[Key, int]] = {}

    @classmethod
    def build(cls, rows: Iterable[tuple[str, str, str, str, npt.ArrayLike]]) -> SearchIndex:
        """An index of `rows` as `repository.all_faces_for_index` yields them: (gallery, model, face id, subject,
        embedding). Rows are grouped per (gallery, model) and added in one go per group."""
        groups: dict[Key, tuple[list[str], list[str], list[npt.ArrayLike]]] = {}
        for gallery, model, face_id, subject, vector in rows:
            face_ids, subjects, vectors = groups.setdefault((gallery, model), ([], [], []))
            face_ids.append(face_id)
            subjects.append(subject)
            vectors.append(vector)
        index = cls()
        for (gallery, model), (face_ids, subjects, vectors) in groups.items():
            index.add_many(gallery, model, face_ids, subjects, np.stack(vectors))
        return index

    def add(self, gallery: str, model: str, face_id: str, subject: str, vector: npt.ArrayLike) -> None:
        self.add_many(gallery, model, [face_id], [subject], np.asarray(vector)[np.newaxis])

    def add_many(
        self,
        gallery: str,
        model: str,
        face_ids: Sequence[str],
        subjects: Sequence[str],
        vectors: npt.ArrayLike,
    ) -> None:
        """Add faces with their subjects' external ids; `vectors` is one row per face, any length > 0."""
        rows = _unit_rows(vectors)
        if not len(face_ids) == len(subjects) == len(rows) or len(set(face_ids)) != len(face_ids):
            raise ValueError("need one distinct face id, one subject and one vector per face")
        key = (gallery, model)
        with self._lock:
            shard = self._shards.get(key)
            if shard is not None and shard.dim != rows.shape[1]:
                raise ValueError(f"{model} vectors in {gallery!r} have {shard.dim} dimensions, not {rows.shape[1]}")
            self._remove_locked([face_id for face_id in face_ids if face_id in self._where])
            shard = self._shards.setdefault(key, _Shard(rows.shape[1]))
            start = len(shard)
            shard.append(face_ids, subjects, rows)
            for offset, face_id in enumerate(face_ids):
                self._where[face_id] = (key, start + offset)

    def remove_faces(self, face_ids: Iterable[str]) -> None:
        """Forget these faces; ids not in the index are ignored (deleting is idempotent)."""
        with self._lock:
            self._remove_locked(face_ids)

    def _remove_locked(self, face_ids: Iterable[str]) -> None:
        for face_id in face_ids:
            located = self._where.pop(face_id, None)
            if located is None:
                continue
            key, row = located
            shard = self._shards[key]
            moved = shard.remove(row)
            if moved is not None:
                self._where[moved] = (key, row)
            if not len(shard):
                del self._shards[key]

    def search(self, gallery: str, model: str, query: npt.ArrayLike, top_k: int, *, centroids: bool = False
               ) -> list[Candidate]:
        """The `top_k` most similar subjects, best first, each once: by its most similar face, or with
        `centroids` by the normalised mean of its faces."""
        if top_k < 1:
            raise ValueError("top_k must be at least 1")
        probe = _unit_rows(query)[0]
        with self._lock:
            shard = self._shards.get((gallery, model))
            if shard is None:
                return []
            if shard.dim != len(probe):
                raise ValueError(f"{model} vectors in {gallery!r} have {shard.dim} dimensions, not {len(probe)}")
            return shard.search_centroids(probe, top_k) if centroids else shard.search(probe, top_k)

    def size(self, gallery: str, model: str) -> int:
        with self._lock:
            shard = self._shards.get((gallery, model))
            return len(shard) if shard is not None else 0

    def subjects(self, gallery: str, model: str) -> int:
        """How many distinct subjects have faces in (gallery, model): the N of an open-set search."""
        with self._lock:
            shard = self._shards.get((gallery, model))
            return len(set(shard.subjects)) if shard is not None else 0

    def galleries(self) -> dict[Key, int]:
        """Face count per non-empty (gallery, model)."""
        with self._lock:
            return {key: len(shard) for key, shard in self._shards.items()}

    def face_ids(self) -> set[str]:
        """Every face id in the index, to check it against the database."""
        with self._lock:
            return set(self._where)
