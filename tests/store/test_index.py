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


def test_face_counts_follow_every_put_replace_and_remove() -> None:
    """The face total is kept up as rows change (not summed per identify): after a random mix of writes on a
    loaded shard it equals a recount of what the index holds."""
    rng = np.random.default_rng(3)
    index = TemplateIndex()
    index.load(KEY, list(range(50)), [f"s{i}" for i in range(50)], [2] * 50,
               np.stack([vector(i) for i in range(50)]))
    held = dict.fromkeys(range(50), 2)
    for step in range(400):
        subject_id = int(rng.integers(80))
        if rng.random() < 0.3:
            index.remove(KEY, subject_id)
            held.pop(subject_id, None)
        else:
            held[subject_id] = count = int(rng.integers(1, 6))
            index.put(KEY, subject_id, f"s{subject_id}", vector(1000 + step), count)
    assert index.counts(KEY) == (len(held), sum(held.values()))
    assert index.galleries() == {("staff", "sface"): sum(held.values())}
    assert {subject_id: count for (_, subject_id), count in index.entries().items()} == held


def test_bad_vectors_are_refused() -> None:
    index = TemplateIndex()
    index.put(KEY, 1, "s1", vector(1), 1)
    with pytest.raises(ValueError, match="dimensions"):
        index.put(KEY, 2, "s2", vector(2, dim=64), 1)
    with pytest.raises(ValueError, match="finite"):
        index.put(KEY, 3, "s3", np.zeros(128), 1)
    with pytest.raises(ValueError, match="top_k"):
        index.search(KEY, vector(1), 0)


def cluster_vectors(count: int, dim: int = 64, seed: int = 0) -> np.ndarray:
    """Unit vectors sharing a common direction, like real embeddings (not spread evenly over the sphere)."""
    rng = np.random.default_rng(seed)
    values = 2.0 + rng.standard_normal((count, dim)).astype(np.float32)
    return values / np.linalg.norm(values, axis=1, keepdims=True)


def test_large_shards_search_approximately_with_exact_scores() -> None:
    vectors = cluster_vectors(3000)
    index = TemplateIndex(exact_below=1000, candidates=50)
    index.load(KEY, list(range(3000)), [f"s{i}" for i in range(3000)], [1] * 3000, vectors * 3)
    probes = vectors[:200] + 0.05 * cluster_vectors(200, seed=1)
    agree = 0
    for probe in probes:
        hits = index.search(KEY, probe, top_k=5)
        unit_probe = probe / np.linalg.norm(probe)
        exact = np.argsort(-(vectors @ unit_probe))[:5]
        agree += hits[0].subject_id == exact[0]
        assert hits[0].score == pytest.approx(float(vectors[hits[0].subject_id] @ unit_probe), abs=1e-5)
        assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    assert agree >= 0.97 * len(probes)
    assert index.counts(KEY) == (3000, 3000)


def test_the_approximate_index_follows_puts_and_removals() -> None:
    vectors = cluster_vectors(1200)
    index = TemplateIndex(exact_below=1000)
    for subject_id, vector in enumerate(vectors[:999]):
        index.put(KEY, subject_id, f"s{subject_id}", vector, 1)
    index.put(KEY, 999, "s999", vectors[999], 1)  # reaches exact_below: approximate from here on
    index.put(KEY, 5, "s5", vectors[1100], 2)  # re-enrolled
    assert index.search(KEY, vectors[1100], 1)[0].subject_id == 5
    assert index.search(KEY, vectors[5], 1)[0].subject_id != 5
    index.remove(KEY, 7)
    assert all(hit.subject_id != 7 for hit in index.search(KEY, vectors[7], 10))
    for subject_id in range(600):  # below half of exact_below: exact again
        index.remove(KEY, subject_id)
    assert index.search(KEY, vectors[700], 1)[0].subject_id == 700
    assert index.counts(KEY) == (400, 400)


def test_load_refuses_bad_vectors_and_keeps_the_shard_it_had() -> None:
    index = TemplateIndex()
    index.put(KEY, 9, "s9", vector(9), 1)
    with pytest.raises(ValueError, match="finite"):
        index.load(KEY, [1, 2], ["s1", "s2"], [1, 1], np.stack([vector(1), np.zeros(128, np.float32)]))
    with pytest.raises(ValueError, match="twice"):
        index.load(KEY, [1, 1], ["s1", "s1"], [1, 1], np.stack([vector(1), vector(2)]))
    assert [hit.subject for hit in index.search(KEY, vector(9), 5)] == ["s9"]


def test_replacing_many_subjects_rebuilds_the_approximate_index() -> None:
    vectors = cluster_vectors(2400)
    index = TemplateIndex(exact_below=1000)
    index.load(KEY, list(range(1200)), [f"s{i}" for i in range(1200)], [1] * 1200, vectors[:1200].copy())
    for subject_id in range(400):  # a third re-enrolled: their old codes go stale, then the index is rebuilt
        index.put(KEY, subject_id, f"s{subject_id}", vectors[1200 + subject_id], 2)
    assert all(index.search(KEY, vectors[1200 + i], 1)[0].subject_id == i for i in range(0, 400, 7))
    shard = index._shards[KEY]
    assert shard.approximate is not None
    assert shard.approximate.stale <= len(shard) // 4
    assert len(shard.approximate) < 1200 + 400
