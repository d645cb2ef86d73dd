"""Templates and the change log on SQLite and PostgreSQL: a template equals a recomputation from its faces, and
changes come back in commit order."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.store import changes, templates
from app.store import repository as repo
from app.store.db import session_factory
from app.store.sealing import Sealer
from tests.store.test_repository import embedding, enrol
from tests.templates_check import assert_templates_match_faces


def _unit(vectors: list[np.ndarray]) -> np.ndarray:
    total = np.sum(vectors, axis=0, dtype=np.float64)
    return total / np.linalg.norm(total)


def test_refresh_writes_the_centroid_and_removes_an_empty_template(session: Session) -> None:
    ada, _ = repo.get_or_create_subject(session, "staff", "ada")
    first, second = enrol(session, ada, 1), enrol(session, ada, 2)
    template = templates.refresh(session, ada.id, "staff", "sface", "2021dec")
    assert template is not None
    assert template.face_count == 2
    np.testing.assert_allclose(template.centroid, _unit([first.embedding, second.embedding]), atol=1e-6)
    assert template.norm == pytest.approx(float(np.linalg.norm(np.sum([first.embedding, second.embedding], 0))))
    session.commit()
    stored = templates.centroid(session, ada.id, "sface", "2021dec")
    assert stored is not None
    np.testing.assert_allclose(stored[0], template.centroid, atol=1e-7)
    assert stored[1] == 2
    assert templates.centroid(session, ada.id, "sface", "another-version") is None
    assert assert_templates_match_faces(session) == 1

    repo.delete_face(session, first)
    repo.delete_face(session, second)
    assert templates.refresh(session, ada.id, "staff", "sface", "2021dec") is None
    session.commit()
    assert templates.centroid(session, ada.id, "sface", "2021dec") is None


def test_missing_templates_are_found_and_read_back(session: Session) -> None:
    ada, _ = repo.get_or_create_subject(session, "staff", "ada")
    bob, _ = repo.get_or_create_subject(session, "staff", "bob")
    enrol(session, ada, 1)
    enrol(session, bob, 2)
    enrol(session, bob, 3, model="dlib")
    session.commit()
    assert sorted(templates.missing(session)) == sorted(
        [(ada.id, "staff", "sface", "2021dec"), (bob.id, "staff", "sface", "2021dec"),
         (bob.id, "staff", "dlib", "2021dec")])
    for key in templates.missing(session):
        templates.refresh(session, *key)
    session.commit()
    assert templates.missing(session) == []
    blocks = {block.key: block for block in templates.all_templates(session)}
    assert {key: block.subjects for key, block in blocks.items()} == {
        ("staff", "sface", "2021dec"): ["ada", "bob"], ("staff", "dlib", "2021dec"): ["bob"]}
    sface = blocks["staff", "sface", "2021dec"]
    assert sface.subject_ids == [ada.id, bob.id]
    assert sface.counts == [1, 1]
    np.testing.assert_allclose(sface.centroids[1], templates.centroid(session, bob.id, "sface", "2021dec")[0])
    found = templates.templates_of(session, [(bob.id, "dlib", "2021dec"), (bob.id, "dlib", "nope")])
    assert list(found) == [(bob.id, "dlib", "2021dec")]
    best = templates.best_faces(session, [ada.id, bob.id], "sface", "2021dec", embedding(2))
    assert set(best) == {ada.id, bob.id}


def test_changes_are_numbered_in_commit_order_and_pruning_keeps_the_newest(session: Session) -> None:
    assert changes.latest(session) == 0
    changes.template_changed(session, [(1, "g", "sface", "v1"), (2, "g", "sface", "v1")])
    session.commit()
    changes.gallery_deleted(session, "g")
    session.commit()
    rows = changes.since(session, 0, 10)
    assert [(c.kind, c.subject_id) for c in rows] == [("template", 1), ("template", 2), ("gallery", None)]
    assert [c.seq for c in rows] == sorted(c.seq for c in rows)
    assert changes.latest(session) == rows[-1].seq
    assert changes.since(session, rows[0].seq, 10) == rows[1:]
    assert changes.prune(session, rows[-1].at.replace(year=rows[-1].at.year + 1)) == 2
    session.commit()
    assert changes.latest(session) == rows[-1].seq  # never starts again from 1


def test_sealed_templates_hold_no_vector_in_clear(engine: Engine) -> None:
    sessions = session_factory(engine, Sealer(bytes(range(32))))
    with sessions() as session:
        ada, _ = repo.get_or_create_subject(session, "staff", "ada")
        enrol(session, ada, 1)
        template = templates.refresh(session, ada.id, "staff", "sface", "2021dec")
        session.commit()
        assert template is not None
        assert template.centroid is None
        assert template.centroid_sealed is not None
        centroid, _ = templates.centroid(session, ada.id, "sface", "2021dec") or (None, 0)
        np.testing.assert_allclose(centroid, embedding(1) / np.linalg.norm(embedding(1)), atol=1e-6)
        assert assert_templates_match_faces(session) == 1
        (block,) = templates.all_templates(session)  # start-up's bulk read opens sealed ones too
        assert (block.key, block.subjects, block.counts) == (("staff", "sface", "2021dec"), ["ada"], [1])
        np.testing.assert_allclose(block.centroids[0] / np.linalg.norm(block.centroids[0]), centroid, atol=1e-6)


@pytest.mark.parametrize("sealed", [False, True], ids=["clear", "sealed"])
def test_a_new_subjects_template_is_what_refresh_would_write(engine: Engine, sealed: bool) -> None:
    """`create` (enroll of a new subject: no faces read back) and `refresh` write the same template and counts."""
    sessions = session_factory(engine, Sealer(bytes(range(32))) if sealed else None)
    with sessions() as session:
        ada, _ = repo.get_or_create_subject(session, "staff", "ada")
        bob, _ = repo.get_or_create_subject(session, "staff", "bob")
        for who in (ada, bob):
            enrol(session, who, 1)
            enrol(session, who, 2)
        created = templates.create(session, ada.id, "staff", "sface", "2021dec", [embedding(1), embedding(2)])
        refreshed = templates.refresh(session, bob.id, "staff", "sface", "2021dec")
        session.commit()
        assert refreshed is not None
        assert (created.face_count, created.norm) == (refreshed.face_count, refreshed.norm) == (2, created.norm)
        assert (created.centroid is None, created.centroid_sealed is None) == (sealed, not sealed)
        ada_centroid, bob_centroid = (templates.centroid(session, who.id, "sface", "2021dec") for who in (ada, bob))
        assert ada_centroid is not None
        assert bob_centroid is not None
        np.testing.assert_array_equal(ada_centroid[0], bob_centroid[0])
        assert assert_templates_match_faces(session) == 2  # and the gallery's counts: 2 subjects, 4 faces
