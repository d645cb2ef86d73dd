"""What the templates must equal: a recomputation from the faces they summarise (shared by the tests that
write concurrently, in one process or several)."""

from __future__ import annotations

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.orm import Face, Template, TemplateCount
from app.store.repository import embedding_of
from app.store.templates import seal_id

Key = tuple[int, str, str]


def recomputed(session: Session) -> dict[Key, tuple[int, np.ndarray]]:
    """(subject id, model, version) -> (face count, centroid) from the faces alone."""
    sums: dict[Key, list[np.ndarray]] = {}
    for face_id, subject_id, model, version, clear, sealed in session.execute(select(
            Face.id, Face.subject_id, Face.model, Face.model_version, Face.embedding, Face.embedding_sealed)):
        sums.setdefault((subject_id, model, version), []).append(embedding_of(session, face_id, clear, sealed))
    result = {}
    for key, vectors in sums.items():
        total = np.sum(np.asarray(vectors, np.float64), axis=0)
        result[key] = (len(vectors), total / np.linalg.norm(total))
    return result


def assert_templates_match_faces(session: Session) -> int:
    """Every template equals its recomputation, every (subject, pipeline version) with faces has one, and each
    gallery's counts equal its templates'; returns how many templates there are."""
    expected = recomputed(session)
    stored = {(t.subject_id, t.model, t.model_version): t for t in session.scalars(select(Template))}
    assert set(stored) == set(expected), (set(stored) ^ set(expected))
    for key, (count, centroid) in expected.items():
        template = stored[key]
        assert template.face_count == count, key
        vector = embedding_of(session, seal_id(key[0], key[2]), template.centroid, template.centroid_sealed)
        np.testing.assert_allclose(vector, centroid, atol=1e-6)
    totals: dict[tuple[str, str, str], list[int]] = {}
    for template in stored.values():
        total = totals.setdefault((template.gallery, template.model, template.model_version), [0, 0])
        total[0] += 1
        total[1] += template.face_count
    kept = {(row.gallery, row.model, row.model_version): [row.subjects, row.faces]
            for row in session.scalars(select(TemplateCount))}
    assert kept == totals
    return len(stored)
