"""SearchIndex against a brute-force reference: order, one candidate per subject, removal, concurrency."""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Callable

import numpy as np
import pytest

from app.store.index import Candidate, SearchIndex

DIM = 16


def unit(vector: np.ndarray) -> np.ndarray:
    return vector / np.linalg.norm(vector)


def reference(faces: dict[str, tuple[str, np.ndarray]], query: np.ndarray, top_k: int) -> list[tuple[str, str]]:
    """(subject, face id) of the best face per subject, best first, by plain Python."""
    scored = sorted(((float(unit(v) @ unit(query)), s, f) for f, (s, v) in faces.items()), reverse=True)
    best: dict[str, str] = {}
    for _, subject, face_id in scored:
        best.setdefault(subject, face_id)
    return list(best.items())[:top_k]


def test_search_ranks_subjects_by_their_best_face() -> None:
    index = SearchIndex()
    query = np.array([1.0, 0.0, 0.0])
    index.add("g", "m", "a1", "alice", [1.0, 0.1, 0.0])  # cos 0.995
    index.add("g", "m", "a2", "alice", [0.0, 1.0, 0.0])  # cos 0
    index.add("g", "m", "b1", "bob", [1.0, 1.0, 0.0])  # cos 0.707
    index.add("g", "m", "c1", "carol", [-1.0, 0.0, 0.0])  # cos -1
    index.add("g", "m", "b2", "bob", [3.0, 1.0, 0.0])  # cos 0.949, bob's best

    results = index.search("g", "m", query, top_k=10)

    assert [(c.subject, c.face_id) for c in results] == [("alice", "a1"), ("bob", "b2"), ("carol", "c1")]
    assert [c.score for c in results] == pytest.approx([1 / np.sqrt(1.01), 3 / np.sqrt(10), -1.0], abs=1e-6)
    assert index.search("g", "m", query * 7, top_k=2) == results[:2]  # the query's length does not matter
    assert isinstance(results[0], Candidate)


def test_top_k_subjects_behind_many_faces_of_one_subject() -> None:
    """Alice's 50 faces outscore everyone else's: the answer still has 3 different subjects."""
    rng = np.random.default_rng(0)
    query = unit(rng.standard_normal(DIM))
    faces = {f"a{i}": ("alice", query + 0.01 * rng.standard_normal(DIM)) for i in range(50)}
    faces |= {f"o{i}": (f"other{i % 7}", rng.standard_normal(DIM)) for i in range(40)}
    index = SearchIndex()
    for face_id, (subject, vector) in faces.items():
        index.add("g", "m", face_id, subject, vector)

    results = index.search("g", "m", query, top_k=3)

    assert [(c.subject, c.face_id) for c in results] == reference(faces, query, 3)
    assert results[0].subject == "alice"
    assert len({c.subject for c in results}) == 3


def test_galleries_and_models_are_searched_apart() -> None:
    index = SearchIndex()
    index.add("staff", "sface", "f1", "ada", np.ones(DIM))
    index.add("staff", "dlib", "f2", "ada", np.ones(8))
    index.add("visitors", "sface", "f3", "bob", np.ones(DIM))

    assert [c.face_id for c in index.search("staff", "sface", np.ones(DIM), 5)] == ["f1"]
    assert [c.face_id for c in index.search("staff", "dlib", np.ones(8), 5)] == ["f2"]
    assert index.search("nobody", "sface", np.ones(DIM), 5) == []
    assert index.galleries() == {("staff", "sface"): 1, ("staff", "dlib"): 1, ("visitors", "sface"): 1}
    assert (index.size("staff", "sface"), index.size("nobody", "sface")) == (1, 0)
    assert index.face_ids() == {"f1", "f2", "f3"}
    with pytest.raises(ValueError, match="dimensions"):
        index.add("staff", "sface", "f4", "ada", np.ones(8))
    with pytest.raises(ValueError, match="dimensions"):
        index.search("staff", "sface", np.ones(8), 5)
    with pytest.raises(ValueError, match="non-zero"):
        index.add("staff", "sface", "f5", "ada", np.zeros(DIM))


def test_remove_and_replace() -> None:
    rng = np.random.default_rng(1)
    faces = {f"f{i}": (f"s{i % 5}", rng.standard_normal(DIM)) for i in range(30)}
    index = SearchIndex.build(("g", "m", f, s, v) for f, (s, v) in faces.items())

    removed = ["f0", "f29", "f13", "f14", "does-not-exist"]
    index.remove_faces(removed)
    for face_id in removed:
        faces.pop(face_id, None)
    index.add("g", "m", "f5", "s9", faces["f5"][1] * -1)  # re-adding an id replaces it
    faces["f5"] = ("s9", faces["f5"][1] * -1)

    assert index.face_ids() == set(faces)
    assert index.size("g", "m") == len(faces) == 26
    for _ in range(20):
        query = rng.standard_normal(DIM)
        assert [(c.subject, c.face_id) for c in index.search("g", "m", query, 4)] == reference(faces, query, 4)

    index.remove_faces(list(faces))
    assert index.galleries() == {}
    assert index.search("g", "m", np.ones(DIM), 3) == []


def test_many_single_adds_grow_the_matrix() -> None:
    rng = np.random.default_rng(2)
    faces = {f"f{i}": (f"s{i}", rng.standard_normal(DIM)) for i in range(1000)}
    index = SearchIndex()
    for face_id, (subject, vector) in faces.items():
        index.add("g", "m", face_id, subject, vector)
    assert index.size("g", "m") == 1000
    for face_id in ("f0", "f63", "f64", "f999"):
        (best,) = index.search("g", "m", faces[face_id][1], 1)
        assert (best.face_id, best.score) == (face_id, pytest.approx(1.0, abs=1e-5))


def test_concurrent_add_remove_search_ends_consistent() -> None:
    """Writers add and remove faces while readers search; afterwards the index holds exactly the faces that
    were added and not removed, and every one of them is found by its own vector."""
    rng = np.random.default_rng(3)
    vectors = {f"w{w}-{i}": rng.standard_normal(DIM) for w in range(4) for i in range(300)}
    index = SearchIndex()
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def writer(w: int) -> None:
        start.wait()
        mine = [face_id for face_id in vectors if face_id.startswith(f"w{w}-")]
        for i, face_id in enumerate(mine):
            index.add("g", "m", face_id, face_id, vectors[face_id])
            if i % 3 == 2:
                index.remove_faces([mine[i - 1]])

    def reader() -> None:
        start.wait()
        local = random.Random(0)
        for _ in range(300):
            query = vectors[local.choice(list(vectors))]
            results = index.search("g", "m", query, 5)
            assert len({c.subject for c in results}) == len(results) <= 5
            assert all(a.score >= b.score for a, b in itertools.pairwise(results))

    def guarded(target: Callable[..., None], *args: object) -> None:
        try:
            target(*args)
        except BaseException as exc:  # asserted on below, so a failure in a thread is not lost
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(writer, w)) for w in range(4)]
    threads += [threading.Thread(target=guarded, args=(reader,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    expected = {f"w{w}-{i}" for w in range(4) for i in range(300) if i % 3 != 1}
    assert index.face_ids() == expected
    assert index.size("g", "m") == len(expected) == 800
    for face_id in expected:
        (best,) = index.search("g", "m", vectors[face_id], 1)
        assert best.face_id == face_id


def test_centroid_search_scores_the_mean_of_a_subjects_faces() -> None:
    index = SearchIndex()
    a1, a2, b = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]), np.array([0.8, 0.6, 0.0])
    index.add("g", "m", "a1", "alice", a1)
    index.add("g", "m", "a2", "alice", a2)
    index.add("g", "m", "b", "bob", b)
    query = np.array([0.6, 0.8, 0.0])
    by_face = index.search("g", "m", query, 2)
    assert [c.subject for c in by_face] == ["bob", "alice"]
    by_centroid = index.search("g", "m", query, 2, centroids=True)
    # alice's centroid is (1, 1, 0)/sqrt(2): 1.4/sqrt(2) = 0.990 > bob's 0.96.
    assert [c.subject for c in by_centroid] == ["alice", "bob"]
    assert by_centroid[0].score == pytest.approx(1.4 / np.sqrt(2), abs=1e-6)
    assert by_centroid[0].face_id == "a2"
    index.remove_faces(["a2"])
    after = index.search("g", "m", query, 2, centroids=True)
    assert [c.subject for c in after] == ["bob", "alice"]
    assert after[1].score == pytest.approx(0.6, abs=1e-6)
