"""The in-memory template index: exact cosine search per gallery and pipeline version."""

from __future__ import annotations

import numpy as np
import pytest

from app.store.index import TemplateIndex

KEY = ("staff", "sface", "v1")


def vector(seed: int, dim: int = 128) -> np.ndarray:
    values = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    return values / np.linalg.norm(values)


def test_search_is_exact_and_best_first() -> None:
    index = TemplateIndex()
    for subject_id in range(200):
        index.put(KEY, subject_id, f"s{subject_id}", vector(subject_id), count=1 + subject_id % 3)
    probe = vector(7) + 0.3 * vector(1000)
    hits = index.search(KEY, probe, top_k=5)
    scores = np.array([vector(i) for i in range(200)]) @ (probe / np.linalg.norm(probe))
    assert [hit.subject_id for hit in hits] == list(np.argsort(-scores)[:5])
    assert hits[0].subject == "s7"
    assert hits[0].score == pytest.approx(float(scores.max()), abs=1e-6)
    assert index.counts(KEY) == (200, sum(1 + i % 3 for i in range(200)))


def test_put_replaces_remove_moves_the_last_row_and_keys_stay_apart() -> None:
    index = TemplateIndex()
    for subject_id in range(3):
        index.put(KEY, subject_id, f"s{subject_id}", vector(subject_id), 1)
    index.put(KEY, 0, "s0", vector(50), 2)  # re-enrolled: same row, new centroid
    assert index.search(KEY, vector(50), 1)[0].subject_id == 0
    index.remove(KEY, 0)
    index.remove(KEY, 99)  # absent: ignored
    assert {hit.subject_id for hit in index.search(KEY, vector(2), 10)} == {1, 2}
    assert index.search(KEY, vector(2), 1)[0].subject_id == 2
    index.put(("staff", "sface", "v2"), 1, "s1", vector(1), 1)
    index.put(("other", "sface", "v1"), 1, "s1", vector(1), 1)
    assert index.counts(("staff", "sface", "v2")) == (1, 1)
    assert index.galleries() == {("staff", "sface"): 3, ("other", "sface"): 1}
    index.drop_gallery("staff")
    assert index.search(KEY, vector(1), 3) == []
    assert index.galleries() == {("other", "sface"): 1}


def test_bad_vectors_are_refused() -> None:
    index = TemplateIndex()
    index.put(KEY, 1, "s1", vector(1), 1)
    with pytest.raises(ValueError, match="dimensions"):
        index.put(KEY, 2, "s2", vector(2, dim=64), 1)
    with pytest.raises(ValueError, match="finite"):
        index.put(KEY, 3, "s3", np.zeros(128), 1)
    with pytest.raises(ValueError, match="top_k"):
        index.search(KEY, vector(1), 0)
