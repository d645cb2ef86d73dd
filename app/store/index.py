"""An in-memory cosine search over subject templates (centroids), one shard per gallery and pipeline version.
The database stays the source of truth: `app/services/search.py` keeps this in step with the change log, so it
never answers from writes another process has not told it about.

A shard is a float32 matrix with spare capacity: adding a row copies nothing in the common case; a removed row
is overwritten by the last one. Below `exact_below` templates a search is one matrix-vector product and a
partial sort (exact). From `exact_below` up, an approximate index (app/store/approximate.py, faiss IVF-PQ)
names `candidates` subjects, which are re-ranked exactly against the float32 rows: scores are always exact, only
which subjects are looked at is approximate. The approximate index is built in one batch when a shard reaches
`exact_below` (or by `load`), rebuilt when the shard has doubled since (its lists were sized for fewer) or a
quarter of its codes are stale (replaced or removed subjects, see approximate.py), and dropped when the shard
falls under half of `exact_below`. A rebuild holds the lock: about 5 s at 500,000, rare.

Memory per template: 1,024 B of float32 row (up to a quarter more in spare capacity while growing one by one;
`load` sizes exactly), about 80 B in the approximate index (64 B code, 8 B id, list slack), and about 200 B of Python
objects (subject id, name, count, row lookup): 646 MB for 500,000 templates, measured.

Measured on the 2-core reference machine with 256-d fusion vectors: the 1,875 real lfw-dev subject centroids
(gallery photos) plus distractors, half drawn from a Gaussian with the real embeddings' mean and covariance, half
real gallery photos perturbed by that covariance (look-alikes at cosine 0.66-0.86); probes: 1,000 real probe and
unknown-probe photos, searched in a loop (warm caches; in the server the pipeline runs between searches and
each costs 2-3x as much, see approximate.py's PROBE_FRACTION), half the lists scanned. Recall is of the exact
search's answer; `candidates` 100 (the default) / 200:

| templates | load (batch) | search p50 / p99 | recall@1 | recall@10 |
|---|---|---|---|---|
| 100,000 | 1.3 s | 0.57 / 0.87 ms (exact: 14 ms) | 0.998 / 0.998 | 0.986 / 0.995 |
| 500,000 | 5.1 s | 2.1 / 2.9 ms (exact: 69 ms) | 1.000 / 1.000 | 0.979 / 0.995 |

Libraries compared on the same data at 100,000 (build on 2 threads; best setting with recall@1 >= 0.96):
usearch (HNSW, i8) build 43 s, 0.6 ms, recall@1 0.963; hnswlib build 24 s, 0.6 ms, 0.989, and no wheel for
Python 3.11 (built from source); faiss IVF,SQ8 build 1 s, 2.3 ms, 0.999 but 8 ms at 500,000 for 0.99; faiss
IVF-PQ fast scan, chosen, build 1.3 s, 0.6 ms, 0.998. HNSW build time grows past the 15 s start-up budget long
before 500,000.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from app.store.approximate import ApproximateIndex

FloatArray = npt.NDArray[np.float32]
Key = tuple[str, str, str]
"""(gallery, model, model version): vectors of different pipelines or versions are never compared."""

INITIAL_CAPACITY = 64
GROWTH_SHARE = 4
"""A full shard grows by a quarter of its rows (amortised O(1) per row, and 25 % spare rather than 100 %)."""
STALE_SHARE = 4
"""The approximate index is rebuilt once more than 1/4 of its codes are of replaced or removed subjects."""


class Hit(NamedTuple):
    subject_id: int
    subject: str
    score: float


class _Shard:
    def __init__(self, dim: int, capacity: int = INITIAL_CAPACITY) -> None:
        self.matrix: FloatArray = np.empty((max(capacity, 1), dim), dtype=np.float32)
        self.subject_ids: list[int] = []
        self.subjects: list[str] = []
        self.counts: list[int] = []
        self.faces = 0
        """sum(self.counts), kept up so that an identify's gallery size costs nothing at any size."""
        self.row_of: dict[int, int] = {}
        self.approximate: ApproximateIndex | None = None

    @property
    def dim(self) -> int:
        return self.matrix.shape[1]

    def __len__(self) -> int:
        return len(self.subject_ids)

    @classmethod
    def filled(cls, subject_ids: Sequence[int], subjects: Sequence[str], counts: Sequence[int],
               centroids: FloatArray) -> _Shard:
        """A shard holding these rows (`centroids` is taken as it is, not copied, and normalised in place)."""
        if not (len(subject_ids) == len(subjects) == len(counts) == len(centroids)):
            raise ValueError("one subject, name and count per row")
        shard = cls(centroids.shape[1], capacity=0)
        shard.matrix = centroids if centroids.dtype == np.float32 else centroids.astype(np.float32)
        shard.subject_ids, shard.subjects, shard.counts = list(subject_ids), list(subjects), list(counts)
        shard.faces = sum(shard.counts)
        shard.row_of = {subject_id: row for row, subject_id in enumerate(shard.subject_ids)}
        if len(shard.row_of) != len(shard.subject_ids):
            raise ValueError("a subject appears twice")
        shard.normalise(0)
        return shard

    def put(self, subject_id: int, subject: str, centroid: FloatArray, count: int) -> None:
        row = self.row_of.get(subject_id)
        replaces = row is not None
        if row is None:
            row = len(self)
            if row == len(self.matrix):  # grow by a quarter: a loaded 500,000-row shard is 512 MB
                spare = max(INITIAL_CAPACITY, len(self.matrix) // GROWTH_SHARE)
                self.matrix = np.concatenate([self.matrix, np.empty((spare, self.dim), np.float32)])
            self.subject_ids.append(subject_id)
            self.subjects.append(subject)
            self.counts.append(count)
            self.row_of[subject_id] = row
        else:
            self.faces -= self.counts[row]
            self.subjects[row], self.counts[row] = subject, count
        self.faces += count
        self.matrix[row] = centroid
        if self.approximate is not None:
            self.approximate.put(subject_id, self.matrix[row], replaces=replaces)

    def remove(self, subject_id: int) -> None:
        row = self.row_of.pop(subject_id, None)
        if row is None:
            return
        self.faces -= self.counts[row]
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
        if self.approximate is not None:
            self.approximate.remove(subject_id)

    def normalise(self, start: int) -> None:
        """Make rows `start:` unit length at once (what `load` wrote raw); refuse zero or non-finite ones."""
        rows = self.matrix[start:len(self)]
        norms = np.sqrt(np.einsum("ij,ij->i", rows, rows))  # no temporary the size of the matrix (512 MB at 500,000)
        bad = ~np.isfinite(norms) | (norms == 0)
        if bad.any():
            subject = self.subjects[start + int(np.argmax(bad))]
            raise ValueError(f"vectors must be finite and non-zero (subject {subject!r})")
        rows /= norms[:, None]

    def follow_size(self, exact_below: int, *, rebuild: bool = False) -> None:
        """Build, rebuild or drop the approximate index as the shard's size asks."""
        count = len(self)
        if count < exact_below // 2 or count == 0:
            self.approximate = None
        elif count >= exact_below and (rebuild or self.approximate is None
                                       or count > 2 * self.approximate.built_for
                                       or self.approximate.stale > count // STALE_SHARE):
            ids = np.fromiter(self.subject_ids, np.int64, count)
            self.approximate = None  # its memory goes before the new one's is taken
            self.approximate = ApproximateIndex(self.matrix[:count], ids)

    def search(self, probe: FloatArray, top_k: int, candidates: int) -> list[Hit]:
        count = len(self)
        if count == 0:
            return []
        if self.approximate is None:
            rows = np.arange(count)
            scores = self.matrix[:count] @ probe
        else:  # the candidates, re-ranked by their exact float32 scores
            found = self.approximate.search(probe, max(candidates, top_k))
            rows = np.fromiter(dict.fromkeys(self.row_of[i] for i in found.tolist() if i in self.row_of), np.int64)
            if not len(rows):
                return []
            scores = self.matrix[rows] @ probe
        k = min(top_k, len(rows))
        top = np.argpartition(-scores, k - 1)[:k] if k < len(rows) else np.arange(len(rows))
        order = top[np.argsort(-scores[top], kind="stable")]
        return [Hit(self.subject_ids[rows[i]], self.subjects[rows[i]], float(scores[i])) for i in order]


def unit(vector: npt.ArrayLike) -> FloatArray:
    array = np.asarray(vector, dtype=np.float32).reshape(-1)
    norm = float(np.linalg.norm(array))
    if not np.isfinite(norm) or norm == 0:
        raise ValueError("vectors must be finite and non-zero")
    return array / norm


class TemplateIndex:
    """Thread-safe: one lock guards every shard (a search reads rows a removal may be moving). `exact_below` and
    `candidates` come from SearchSettings."""

    def __init__(self, exact_below: int = 20_000, candidates: int = 100) -> None:
        if candidates < 1:
            raise ValueError("candidates must be at least 1")
        self.exact_below = exact_below
        self.candidates = candidates
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
            shard.follow_size(self.exact_below)

    def remove(self, key: Key, subject_id: int) -> None:
        with self._lock:
            shard = self._shards.get(key)
            if shard is not None:
                shard.remove(subject_id)
                if not len(shard):
                    del self._shards[key]
                else:
                    shard.follow_size(self.exact_below)

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
            return shard.search(vector, top_k, self.candidates)

    def counts(self, key: Key) -> tuple[int, int]:
        """(subjects, faces) of one gallery and pipeline version."""
        with self._lock:
            shard = self._shards.get(key)
            return (len(shard), shard.faces) if shard is not None else (0, 0)

    def galleries(self) -> dict[tuple[str, str], int]:
        """Faces per (gallery, model), for the metrics."""
        with self._lock:
            totals: dict[tuple[str, str], int] = {}
            for (gallery, model, _), shard in self._shards.items():
                totals[gallery, model] = totals.get((gallery, model), 0) + shard.faces
            return totals

    def entries(self) -> dict[tuple[Key, int], int]:
        """Every (key, subject id) with its face count: to check the index against the database."""
        with self._lock:
            return {(key, subject_id): shard.counts[row] for key, shard in self._shards.items()
                    for subject_id, row in shard.row_of.items()}

    def load(self, key: Key, subject_ids: Sequence[int], subjects: Sequence[str], counts: Sequence[int],
             centroids: FloatArray) -> None:
        """Replace the shard of `key` with these templates at once (start-up): the rows are normalised in one pass
        and a large shard's approximate index is built once rather than kept up row by row. Built before it is
        swapped in, so no search sees a half-loaded shard; a shard that cannot be built leaves the old one."""
        shard = _Shard.filled(subject_ids, subjects, counts, centroids)
        shard.follow_size(self.exact_below, rebuild=True)
        with self._lock:
            self._shards[key] = shard
