"""The approximate part of a large shard's search: a faiss inverted-file index (IVF) of 4-bit product-quantised
codes scanned with SIMD ("fast scan"), keyed by subject id. The one module that imports faiss.

Why IVF and not a graph (HNSW): a graph is built one insertion at a time, and building it for 500,000 x 256
took minutes on the 2-core reference machine (usearch i8 43 s and hnswlib 24 s already at 100,000), far over
the 15 s start-up budget; IVF trains its lists on a sample and assigns every vector with one matrix product
(seconds). faiss also adds by key (removal: see `remove`), ships abi3 wheels for Python 3.11, and answers concurrent
searches safely (writes here always hold the index lock). See app/store/index.py for the measured figures.

Vectors are unit length, so the L2 metric ranks exactly as cosine does. A code is 64 bytes (128 sub-vectors of
2 dimensions, 16 centroids each), 1/16 of the float32 row; fast scan reads them ~10x faster than 8-bit scalar
codes (IVF,SQ8 needed 8 ms at 500,000 for recall@1 0.99), and what they lose in precision is won back by the
exact re-ranking of the candidates the caller does.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager

import faiss
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
IdArray = npt.NDArray[np.int64]

VECTORS_PER_LIST = 1000
"""Lists are sized so a list holds about this many vectors (500 lists at 500,000). Fewer, longer lists cost
the same to scan at a given fraction and are cheaper to assign at build: 1,250 lists took 7.2 s to load 500,000,
500 lists 5.1 s, with the same recall."""
TRAIN_PER_LIST = 40
"""k-means trains on 40 samples a list (faiss warns below 39): 50,000 of 500,000 vectors, about a second."""
MIN_TRAIN = 20_000
"""The product quantiser's 16 centroids per sub-vector want a sample of their own size, whatever the lists."""
PROBE_FRACTION = 0.3
"""Share of the lists a search scans. Fusion embeddings have little cluster structure for the lists to exploit,
so a search scans many. Study on bench/scale.py's templates with 200 real lfw-dev probes, 100 candidates, the
caches cleared between searches as the pipeline clears them in the server (a warm loop is 2-3x faster and
misleads): at 500,200 templates a tenth / a fifth / 0.3 / a half gave recall@1 0.995 / 1.000 / 1.000 / 1.000 and
recall@10 0.989 / 0.995 / 0.995 / 0.995 for 4.2 / 4.4 / 4.6 / 5.6 ms; at 50,200 recall@10 fell to 0.983 at a
fifth and was 0.994 at 0.3 (recall@1 1.000 throughout). The codes scanned are memory traffic the search pays for
in full once the pipeline has run."""
MIN_PROBES = 25
"""Small shards have few lists, and a probe's neighbours spread over about as many lists whatever the size: at
least 25 are scanned. Through HTTP at 100,000 faces (50 lists) 0.3 of them (15) gave recall@10 0.958, half
0.993 (bench/scale.py)."""
SEED = 1234


@contextmanager
def _all_cores() -> Iterator[None]:
    """Build with every core, search with one: a single query is scanned by one thread anyway, and idle
    OpenMP workers would spin against the request threads."""
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(1)


def _lists_for(count: int) -> int:
    return max(1, min(count // TRAIN_PER_LIST, round(count / VECTORS_PER_LIST)))


class ApproximateIndex:
    """Candidates for a probe among `vectors` (unit rows), named by the ids given with them."""

    def __init__(self, vectors: FloatArray, ids: IdArray) -> None:
        count, dim = vectors.shape
        self.built_for = count
        self.stale = 0
        lists = _lists_for(count)
        self._index = faiss.index_factory(dim, f"IVF{lists},PQ{dim // 2}x4fs", faiss.METRIC_L2)
        sample = vectors
        train = max(lists * TRAIN_PER_LIST, MIN_TRAIN)
        if count > train:
            rows = np.random.default_rng(SEED).choice(count, train, replace=False)
            sample = vectors[np.sort(rows)]
        with _all_cores():
            self._index.train(np.ascontiguousarray(sample))
            self._index.add_with_ids(np.ascontiguousarray(vectors), ids)
        self._index.nprobe = min(lists, max(MIN_PROBES, math.ceil(lists * PROBE_FRACTION)))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def put(self, subject_id: int, vector: FloatArray, *, replaces: bool) -> None:
        """Add a code for the id. A replaced or removed id's old code stays behind (see `remove`)."""
        self._index.add_with_ids(vector.reshape(1, -1), np.array([subject_id], np.int64))
        self.stale += replaces

    def remove(self, subject_id: int) -> None:
        """Counted, not removed: faiss 1.15's fast-scan lists lose the next code added to a list after a
        `remove_ids` on it (measured). A stale code only costs a candidate slot, since the caller re-ranks by its
        own current rows and skips ids it no longer holds; the owner rebuilds once too many are stale."""
        self.stale += 1

    def search(self, probe: FloatArray, count: int) -> IdArray:
        """Up to `count` ids, nearest first by the quantised codes; an id may come twice or be stale."""
        _, ids = self._index.search(probe.reshape(1, -1), count)
        found: IdArray = ids[0]
        return found[found >= 0]
