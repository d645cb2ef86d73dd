"""Queries on templates: rewrite one from its faces, read them for verify and for building an index.

The caller owns the transaction. `refresh` recomputes a template from the faces it summarises (a subject has a
handful), so a template always equals a recomputation; on PostgreSQL the subject's row is locked first, so two
requests enrolling the same subject at once cannot each write a template missing the other's face (on SQLite,
writers are serialised by the database).

Every function here that adds or removes templates also adjusts `template_counts` in the same transaction, so a
gallery's size is one row to read, never a count over its templates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Executable, LargeBinary, Select, delete, func, insert, select, type_coerce, update
from sqlalchemy.orm import Session

from app.store.db import upsert
from app.store.orm import Face, FloatArray, Subject, Template, TemplateCount, utcnow
from app.store.repository import embedding_of, sealer_of

BATCH_SIZE = 2000


@dataclass(frozen=True)
class TemplateRow:
    """A template as an index holds it."""

    subject_id: int
    subject: str
    gallery: str
    model: str
    model_version: str
    face_count: int
    centroid: FloatArray


def seal_id(subject_id: int, model_version: str) -> str:
    """What a sealed centroid is bound to (AES-GCM associated data): its subject and pipeline version."""
    return f"template-{subject_id}-{model_version}"


def _count(session: Session, gallery: str, model: str, model_version: str, subjects: int, faces: int) -> None:
    """Add to (or take from) a gallery's counts for one pipeline version; a row whose subjects reach 0 goes."""
    if not subjects and not faces:
        return
    insert = upsert(session, TemplateCount).values(gallery=gallery, model=model, model_version=model_version,
                                                  subjects=subjects, faces=faces)
    session.execute(insert.on_conflict_do_update(
        index_elements=[TemplateCount.gallery, TemplateCount.model, TemplateCount.model_version],
        set_={"subjects": TemplateCount.subjects + insert.excluded.subjects,
              "faces": TemplateCount.faces + insert.excluded.faces}))
    if subjects < 0:
        session.execute(delete(TemplateCount).where(
            TemplateCount.gallery == gallery, TemplateCount.model == model,
            TemplateCount.model_version == model_version, TemplateCount.subjects <= 0))


def _centroid_of(session: Session, template: Template) -> FloatArray:
    return embedding_of(session, seal_id(template.subject_id, template.model_version), template.centroid,
                        template.centroid_sealed)


def refresh(session: Session, subject_id: int, gallery: str, model: str, model_version: str) -> Template | None:
    """Rewrite the template of (subject, model, version) from its faces; delete it when none is left."""
    rows = session.execute(select(Face.id, Face.embedding, Face.embedding_sealed).where(
        Face.subject_id == subject_id, Face.model == model, Face.model_version == model_version))
    vectors = [embedding_of(session, *row) for row in rows]
    existing = session.scalars(select(Template).where(
        Template.subject_id == subject_id, Template.model == model, Template.model_version == model_version)
    ).one_or_none()
    if not vectors:
        if existing is not None:
            _count(session, gallery, model, model_version, -1, -existing.face_count)
            session.delete(existing)
            session.flush()
        return None
    return _write(session, existing, subject_id, gallery, model, model_version, vectors)


def create(session: Session, subject_id: int, gallery: str, model: str, model_version: str,
           vectors: list[FloatArray]) -> Template:
    """The template of a subject created in this transaction, whose only faces are `vectors`: what `refresh`
    would write, without reading back the faces just inserted or looking for a template that cannot exist."""
    return _write(session, None, subject_id, gallery, model, model_version, vectors)


def _write(session: Session, existing: Template | None, subject_id: int, gallery: str, model: str,
           model_version: str, vectors: list[FloatArray]) -> Template:
    total = np.sum(np.asarray(vectors, np.float64), axis=0)
    norm = float(np.linalg.norm(total))
    centroid = (total / max(norm, 1e-12)).astype(np.float32)
    _count(session, gallery, model, model_version, 0 if existing else 1,
           len(vectors) - (existing.face_count if existing else 0))
    template = existing or Template(subject_id=subject_id, gallery=gallery, model=model, model_version=model_version)
    template.face_count, template.norm, template.updated_at = len(vectors), norm, utcnow()
    sealer = sealer_of(session)
    template.centroid = None if sealer else centroid
    if sealer:
        if template.id is None:
            session.add(template)
            session.flush()
        template.centroid_sealed = sealer.seal(centroid, seal_id(subject_id, model_version))
    session.add(template)
    session.flush()
    return template


def centroid(session: Session, subject_id: int, model: str, model_version: str) -> tuple[FloatArray, int] | None:
    """A subject's centroid and face count for one pipeline version, or None."""
    template = session.scalars(select(Template).where(
        Template.subject_id == subject_id, Template.model == model, Template.model_version == model_version)
    ).one_or_none()
    return None if template is None else (_centroid_of(session, template), template.face_count)


def remove_subject(session: Session, subject_id: int) -> list[tuple[int, str, str, str]]:
    """Delete every template of a subject about to be deleted; returns their (subject id, gallery, model,
    version), what the change log must record."""
    rows = session.execute(select(Template.gallery, Template.model, Template.model_version, Template.face_count)
                           .where(Template.subject_id == subject_id)
                           .order_by(Template.model, Template.model_version)).all()
    for gallery, model, version, faces in rows:
        _count(session, gallery, model, version, -1, -faces)
    session.execute(delete(Template).where(Template.subject_id == subject_id))
    return [(subject_id, gallery, model, version) for gallery, model, version, _ in rows]


def remove_gallery(session: Session, gallery: str) -> None:
    """Forget the counts of a gallery whose subjects (and with them their templates) are being deleted."""
    session.execute(delete(TemplateCount).where(TemplateCount.gallery == gallery))


def recount(session: Session) -> None:
    """Rewrite every gallery's counts from the templates: for templates written in bulk, straight into the table
    (the migration that made the counts fills them the same way)."""
    session.execute(delete(TemplateCount))
    session.execute(insert(TemplateCount).from_select(
        ["gallery", "model", "model_version", "subjects", "faces"],
        select(Template.gallery, Template.model, Template.model_version, func.count(), func.sum(Template.face_count))
        .group_by(Template.gallery, Template.model, Template.model_version)))


def counts(session: Session, gallery: str, model: str, model_version: str) -> tuple[int, int]:
    """(subjects, faces) of one gallery and pipeline version: one row."""
    row = session.execute(select(TemplateCount.subjects, TemplateCount.faces).where(
        TemplateCount.gallery == gallery, TemplateCount.model == model,
        TemplateCount.model_version == model_version)).one_or_none()
    return (0, 0) if row is None else (int(row[0]), int(row[1]))


def gallery_sizes(session: Session) -> dict[tuple[str, str], int]:
    """Faces per (gallery, model), every version added up, for the metrics."""
    query = select(TemplateCount.gallery, TemplateCount.model, func.sum(TemplateCount.faces)).group_by(
        TemplateCount.gallery, TemplateCount.model)
    return {(gallery, model): int(faces) for gallery, model, faces in session.execute(query)}


_COLUMNS = (Template.subject_id, Subject.external_id, Template.gallery, Template.model, Template.model_version,
            Template.face_count, Template.centroid, Template.centroid_sealed)


def _rows(session: Session, query: Executable) -> Iterator[TemplateRow]:
    """Plain column rows, not ORM objects: at 500,000 templates the ORM's bookkeeping took most of start-up
    (13.3 s of 25 s measured by bench/scale.py at 1M faces)."""
    for subject_id, external_id, gallery, model, version, count, clear, sealed in session.execute(query):
        yield TemplateRow(subject_id, external_id, gallery, model, version, count,
                          embedding_of(session, seal_id(subject_id, version), clear, sealed))


@dataclass(frozen=True)
class TemplateBlock:
    """Every template of one (gallery, model, version), as columns: what an in-process index loads at start-up."""

    key: tuple[str, str, str]
    subject_ids: list[int]
    subjects: list[str]
    counts: list[int]
    centroids: FloatArray
    """One row per subject, in the order of `subject_ids`."""


class _Columns:
    def __init__(self) -> None:
        self.subject_ids: list[int] = []
        self.subjects: list[str] = []
        self.counts: list[int] = []
        self.vectors = bytearray()
        self.row_bytes = 0

    def add(self, subject_id: int, subject: str, count: int, vector: bytes) -> None:
        if self.row_bytes and len(vector) != self.row_bytes:
            raise ValueError(f"subject {subject!r}: {len(vector) // 4} dimensions, not {self.row_bytes // 4}")
        self.row_bytes = len(vector)
        self.subject_ids.append(subject_id)
        self.subjects.append(subject)
        self.counts.append(count)
        self.vectors += vector


def all_templates(session: Session) -> list[TemplateBlock]:
    """Every template, grouped by (gallery, model, version), each group's vectors in one float32 matrix.

    Streamed in batches (a server-side cursor on PostgreSQL). A clear centroid is read as bytes (SQLite: as
    stored, little-endian; PostgreSQL: pgvector's binary form, big-endian after a 4-byte header) and appended to
    its group's buffer, which becomes the matrix without a copy (byte-swapped in place on PostgreSQL): at 500,000
    templates, decoding row by row into arrays took most of start-up (on PostgreSQL, parsing the vectors' text
    form took 30 s)."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    order = "<f4" if sqlite else ">f4"
    centroid = (type_coerce(Template.centroid, LargeBinary) if sqlite
                else func.vector_send(Template.centroid, type_=LargeBinary))
    header = 0 if sqlite else 4
    query = (select(Template.subject_id, Subject.external_id, Template.gallery, Template.model,
                    Template.model_version, Template.face_count, centroid, Template.centroid_sealed)
             .join(Subject, Template.subject_id == Subject.id))
    rows = session.execute(query.execution_options(yield_per=BATCH_SIZE)) if sqlite else _binary_rows(session, query)
    groups: dict[tuple[str, str, str], _Columns] = {}
    for subject_id, external_id, gallery, model, version, count, clear, sealed in rows:
        if sealed is not None:
            vector = embedding_of(session, seal_id(subject_id, version), None, sealed).astype(order).tobytes()
        else:
            vector = clear[header:]
        key = (gallery, model, version)
        columns = groups.get(key) or groups.setdefault(key, _Columns())
        columns.add(subject_id, external_id, count, vector)
    return [TemplateBlock(key, c.subject_ids, c.subjects, c.counts, _matrix(c.vectors, order, len(c.subject_ids)))
            for key, c in groups.items()]


def _binary_rows(session: Session, query: Select[*tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """PostgreSQL: the rows of `query` (which binds no parameters) through psycopg's binary protocol on a
    server-side cursor, in the session's transaction. At 500,241 templates this read took 3.1 s against 6.6 s
    through SQLAlchemy, whose psycopg cursors fetch text."""
    connection = session.connection()
    sql = str(query.compile(connection, compile_kwargs={"literal_binds": True}))
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor(name="facegate_all_templates", binary=True) as cursor:
        cursor.itersize = BATCH_SIZE
        cursor.execute(sql)
        yield from cursor


def _matrix(buffer: bytearray, order: str, rows: int) -> FloatArray:
    matrix = np.frombuffer(buffer, order).reshape(rows, -1)
    if order != "<f4":
        matrix.byteswap(inplace=True)
    return matrix.view("<f4")


def templates_of(session: Session, keys: Iterable[tuple[int, str, str]]) -> dict[tuple[int, str, str], TemplateRow]:
    """The templates of these (subject id, model, version) keys that exist."""
    wanted = set(keys)
    subject_ids = {subject_id for subject_id, _, _ in wanted}
    found: dict[tuple[int, str, str], TemplateRow] = {}
    ids = sorted(subject_ids)
    for start in range(0, len(ids), BATCH_SIZE):
        query = (select(*_COLUMNS).join(Subject, Template.subject_id == Subject.id)
                 .where(Template.subject_id.in_(ids[start:start + BATCH_SIZE])))
        for row in _rows(session, query):
            key = (row.subject_id, row.model, row.model_version)
            if key in wanted:
                found[key] = row
    return found


def best_faces(session: Session, subject_ids: list[int], model: str, model_version: str, probe: FloatArray
               ) -> dict[int, str]:
    """Per subject, the id of its face most similar to `probe` (what identify names beside the centroid)."""
    rows = session.execute(select(Face.subject_id, Face.id, Face.embedding, Face.embedding_sealed).where(
        Face.subject_id.in_(subject_ids), Face.model == model, Face.model_version == model_version))
    best: dict[int, tuple[float, str]] = {}
    for subject_id, face_id, clear, sealed in rows:
        score = float(embedding_of(session, face_id, clear, sealed) @ probe)
        if subject_id not in best or score > best[subject_id][0]:
            best[subject_id] = (score, face_id)
    return {subject_id: face_id for subject_id, (_, face_id) in best.items()}


def missing(session: Session) -> list[tuple[int, str, str, str]]:
    """(subject id, gallery, model, version) of faces that have no template: data from before templates
    existed, which start-up fills in."""
    query = (select(Face.subject_id, Face.gallery, Face.model, Face.model_version).distinct()
             .outerjoin(Template, (Template.subject_id == Face.subject_id) & (Template.model == Face.model)
                        & (Template.model_version == Face.model_version))
             .where(Template.id.is_(None)))
    return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def versions_in_use(session: Session, *, scan_faces: bool) -> set[tuple[str, str]]:
    """(model, version) pairs that faces are stored under: from the faces themselves, or (when templates are known
    to be in step with them) from the small counts table."""
    query = (select(Face.model, Face.model_version) if scan_faces
             else select(TemplateCount.model, TemplateCount.model_version))
    return {(row[0], row[1]) for row in session.execute(query.distinct())}


def rename_version(session: Session, model: str, old: str, new: str) -> int:
    """Relabel faces (and templates) stored under an older name of the same pipeline version."""
    faces = session.execute(update(Face).where(Face.model == model, Face.model_version == old)
                            .values(model_version=new))
    session.execute(delete(Template).where(Template.model == model, Template.model_version == old))
    session.execute(delete(TemplateCount).where(TemplateCount.model == model, TemplateCount.model_version == old))
    return int(getattr(faces, "rowcount", 0) or 0)


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Template)) or 0

