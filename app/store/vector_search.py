"""Search templates inside PostgreSQL with pgvector: nothing is cached in any process, so every replica answers
from exactly what is committed, the moment it is committed.

One HNSW index (cosine) per pipeline version: a partial expression index over `templates` on
`centroid::halfvec(dim)` WHERE model = ... AND model_version = .... The column has no fixed dimension (pipelines
of different sizes share the table), and only a cast to a fixed size can be indexed; a query uses the index only
when it orders by that same cast expression and names the same model and version as literals (a bound parameter
cannot prove the partial index's predicate once PostgreSQL switches to a generic plan).

Galleries are filtered in the query (WHERE gallery = :g), not with an index per gallery: pgvector 0.8's iterative
scans (`hnsw.iterative_scan`) keep walking the graph until enough rows pass the filter, and galleries come and go
with requests, which must not create indexes. Measured on 20,000 random 256-d unit templates in one gallery plus
2,000 in another (tests/store/test_vector_search.py, pgvector 0.8.5), the filter costs the large gallery nothing
and the small one none of its recall, but it makes the small one slower than an exact search (the scan passes
over the other gallery's rows): a gallery that is a small part of its pipeline version's templates is better
searched exactly (`exact_search`), and the caller decides by the gallery's size (settings.search.exact_below).

The candidates the index returns are ranked by the cosine distance the database computes from their stored float32
vectors (the index's own order is approximate, and half precision), so scores equal those of the in-process index
and only the choice of candidates is approximate; only ids and distances leave the database.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time
import weakref
from typing import Any

import numpy.typing as npt
from pgvector.sqlalchemy import Vector
from sqlalchemy import Connection, Engine, Float, Select, TextClause, cast, event, literal, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from app.store.index import Hit, unit
from app.store.orm import Subject, Template

log = logging.getLogger(__name__)

# Any fixed 64-bit number other users of the database do not use: b"fghnsw\0\0" read as an integer. One lock for
# every index build, so replicas starting together build each index once, one after the other.
BUILD_LOCK_KEY = int.from_bytes(b"fghnsw\0\0", "big", signed=True)
INDEX_PREFIX = "ix_templates_hnsw_"
LOCK_POLL_S = 0.2
_SETTINGS_KEY = "facegate_hnsw_ef_search"
_EF_SEARCH: weakref.WeakKeyDictionary[Engine, int] = weakref.WeakKeyDictionary()
_POSTGRESQL = postgresql.dialect()
# The graph holds half-precision copies of the templates (`halfvec`): half the pages of float32, so more of the
# graph stays in shared_buffers and each hop reads less; candidates are then re-ranked by the float32 distance,
# so scores are exact. Build effort, measured on the 1M-face gallery of bench/scale.py (500,241 templates of
# lfw-dev people and look-alike distractors, 200 real lfw-dev probes, shared_buffers 2 GB, 2 shared cores; the
# index query alone, p50, 100 candidates): m 16 and ef_construction 200 over float32 (652 MB) gave recall@1 0.89 /
# 0.93 / 0.98 at ef_search 100 / 200 / 400 for 5.8 / 7.5 / 17.6 ms; m 32 over halfvec (491 MB, built in 14 min)
# 0.990 / 0.990 / 0.995 / 1.000 at ef_search 120 / 200 / 250 / 300 for 3.5 / 6.0 / 8.5 / 13.9 ms (recall@10
# 0.977 / 0.988 / 0.993 / 0.997), hence m 32 and the default ef_search of 120 (settings.search.ef_search): on the
# live server, where the pipeline running between searches leaves the caches cold, the search stage took 13.1 ms
# at ef_search 200 and 9.3 at 120 (bench/scale.py, docs/scale.md). On 20,000 random 256-d unit templates (the hard case:
# every template about as far from a probe) m 16 found 74 % of the true top 10 at ef_search 200, m 32 99 %.
INDEX_OPTIONS = "m = 32, ef_construction = 200"
INDEX_FORM = "halfvec"


def index_name(model: str, model_version: str) -> str:
    """A short name that is the same in every process (PostgreSQL truncates names beyond 63 bytes), and changes
    with the index's form and options, so that a release that changes them builds its own index."""
    digest = hashlib.sha256(f"{model}\0{model_version}\0{INDEX_FORM}\0{INDEX_OPTIONS}".encode()).hexdigest()[:16]
    return f"{INDEX_PREFIX}{digest}"


def _quote(value: str) -> str:
    """`value` as a PostgreSQL string literal (this module's SQL names model and version as literals)."""
    return str(literal(value).compile(dialect=_POSTGRESQL, compile_kwargs={"literal_binds": True}))


def _create_sql(model: str, model_version: str, dim: int, concurrently: bool) -> str:
    return (f"CREATE INDEX {'CONCURRENTLY ' if concurrently else ''}IF NOT EXISTS {index_name(model, model_version)} "
            f"ON templates USING hnsw ((centroid::{INDEX_FORM}({int(dim)})) {INDEX_FORM}_cosine_ops) "
            f"WITH ({INDEX_OPTIONS}) "
            f"WHERE model = {_quote(model)} AND model_version = {_quote(model_version)}")


def _superseded(connection: Connection, model: str, model_version: str) -> list[str]:
    """HNSW indexes of this pipeline version that an earlier release built with another form or options: every
    write would keep updating them, and no query of this release uses them."""
    rows = connection.execute(
        text("SELECT indexname FROM pg_indexes WHERE tablename = 'templates' AND indexname LIKE :prefix "
             "AND indexname <> :name AND position(:version IN indexdef) > 0"),
        {"prefix": INDEX_PREFIX + "%", "name": index_name(model, model_version),
         "version": _quote(model_version)})
    return [name for (name,) in rows]


def _valid(connection: Connection, name: str) -> bool | None:
    """Whether the index exists and is usable (None: it does not exist)."""
    return connection.scalar(text("SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                                  "WHERE c.relname = :name AND pg_table_is_visible(c.oid)"), {"name": name})


def ensure_hnsw(bind: Engine | Session, model: str, model_version: str, dim: int, *,
                build_memory: str = "1GB") -> None:
    """Create the HNSW index of one pipeline version unless it exists; safe when several processes call it at once.

    With an engine the index is built CONCURRENTLY (writes go on meanwhile) on an autocommit connection, under a
    session-level advisory lock taken by polling: a process waiting inside pg_advisory_lock would hold a snapshot,
    which the concurrent build waits for, while the build's owner holds the lock it waits for: a deadlock. An
    index left invalid by a build that died half way is dropped and built again. With a session the index is
    built in the caller's transaction (writes to templates wait until it commits), serialised by a transaction-level
    advisory lock. `build_memory` is the build's maintenance_work_mem.
    """
    if isinstance(bind, Session):
        connection = bind.connection()
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": BUILD_LOCK_KEY})
        connection.execute(text(_create_sql(model, model_version, dim, concurrently=False)))
        return
    with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        _lock_by_polling(connection)
        try:
            name = index_name(model, model_version)
            if _valid(connection, name) is False:
                log.warning("dropping index %s, left invalid by an interrupted build", name)
                connection.execute(text(f"DROP INDEX CONCURRENTLY IF EXISTS {name}"))
            if _valid(connection, name) is None:
                connection.execute(text("SELECT set_config('maintenance_work_mem', :memory, false)"),
                                   {"memory": build_memory})
                started = time.perf_counter()
                try:
                    connection.execute(text(_create_sql(model, model_version, dim, concurrently=True)))
                finally:  # the pooled connection goes back with the server's own setting
                    connection.execute(text("RESET maintenance_work_mem"))
                log.info("built HNSW index %s for %s (%s), %d dimensions, in %.1f s", name, model, model_version,
                         dim, time.perf_counter() - started)
            for old in _superseded(connection, model, model_version):
                log.info("dropping index %s, superseded by %s", old, name)
                connection.execute(text(f"DROP INDEX CONCURRENTLY IF EXISTS {old}"))
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": BUILD_LOCK_KEY})


def _lock_by_polling(connection: Connection) -> None:
    waited = False
    while not connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": BUILD_LOCK_KEY}):
        if not waited:
            log.info("waiting for another process building a search index")
            waited = True
        time.sleep(LOCK_POLL_S)


def _ranked(session: Session, inner: Select[int, float], top_k: int) -> list[Hit]:
    """The `top_k` best of the candidates `inner` chose on `templates` alone (so that joining the subjects' external
    ids cannot change the plan that chose them), by the cosine distance the database computed from the stored
    vectors: exact, whatever the index's order (ties: by subject id)."""
    chosen = inner.subquery()
    rows = sorted(((float(distance), subject_id, subject) for subject_id, subject, distance in session.execute(
        select(chosen.c.subject_id, Subject.external_id, chosen.c.distance).join(
            Subject, Subject.id == chosen.c.subject_id))))
    return [Hit(subject_id, subject, 1.0 - distance) for distance, subject_id, subject in rows[:top_k]]


@functools.lru_cache(maxsize=64)
def _search_sql(model: str, model_version: str, dim: int) -> TextClause:
    """The index search of one pipeline version, written once: the candidates by the index's (half-precision)
    order, the best `top_k` of them by the float32 distance, and only those joined to their subjects' ids.
    Written as text, not built per call: the model and version must be literals (see the module's docstring),
    which keeps SQLAlchemy from caching a compiled query, and compiling it took a millisecond a search. The probe
    is declared text: PostgreSQL types a parameter by its first use, and a probe typed halfvec by the index's
    expression would reach the float32 distance rounded to half precision."""
    return text(f"""
        SELECT best.subject_id, subjects.external_id, best.distance
        FROM (SELECT near.subject_id,
                     near.centroid::vector({dim}) <=> CAST(CAST(:probe AS text) AS vector({dim})) AS distance
              FROM (SELECT subject_id, centroid FROM templates
                    WHERE model = {_quote(model)} AND model_version = {_quote(model_version)} AND gallery = :gallery
                      AND centroid IS NOT NULL
                    ORDER BY centroid::{INDEX_FORM}({dim}) <=> CAST(CAST(:probe AS text) AS {INDEX_FORM}({dim}))
                    LIMIT :candidates) AS near
              ORDER BY distance, near.subject_id
              LIMIT :top_k) AS best
        JOIN subjects ON subjects.id = best.subject_id
        ORDER BY best.distance, best.subject_id""")


def use_search_settings(engine: Engine, ef_search: int) -> None:
    """Give every pooled connection of `engine` pgvector's search settings (ef_search, iterative scans) once, at
    its first checkout, instead of a round trip before each search. Committed at once: a SET inside a transaction
    that is later rolled back would be undone with it. Called again for the same engine, the new value holds."""
    registered = engine in _EF_SEARCH
    _EF_SEARCH[engine] = int(ef_search)
    if registered:
        return

    @event.listens_for(engine, "checkout")
    def _configure(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        wanted = _EF_SEARCH.get(engine)
        if wanted is None or record.info.get(_SETTINGS_KEY) == wanted:
            return
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET hnsw.ef_search = {wanted}")
            cursor.execute("SET hnsw.iterative_scan = relaxed_order")
        dbapi_connection.commit()
        record.info[_SETTINGS_KEY] = wanted


def search(session: Session, gallery: str, model: str, model_version: str, dim: int, probe: npt.ArrayLike,
           top_k: int, candidates: int, ef_search: int | None = None) -> list[Hit]:
    """The `top_k` subjects of the gallery whose centroid is most similar to `probe`, best first: the HNSW index
    picks max(candidates, top_k) candidates (an iterative scan, so the gallery filter cannot starve it), which are
    then ranked by their exact distance (ties: by subject id). Only ids and distances leave the database.
    `ef_search` sets the graph search's breadth for this transaction; without it, the connection's setting
    (`use_search_settings`) holds."""
    if top_k < 1:
        raise ValueError("top_k must be at least 1")
    vector = unit(probe)
    if len(vector) != dim:
        raise ValueError(f"{model} ({model_version}): {dim} dimensions, not {len(vector)}")
    connection = session.connection()
    if ef_search is not None:
        connection.execute(text("SELECT set_config('hnsw.ef_search', :ef, true), "
                                "set_config('hnsw.iterative_scan', 'relaxed_order', true)"), {"ef": str(ef_search)})
    statement = _search_sql(model, model_version, dim)
    rows = connection.execute(statement, {"probe": "[" + ",".join(map(str, vector.tolist())) + "]",
                                          "gallery": gallery, "candidates": max(candidates, top_k), "top_k": top_k})
    return [Hit(subject_id, subject, 1.0 - float(distance)) for subject_id, subject, distance in rows]


def exact_search(session: Session, gallery: str, model: str, model_version: str, probe: npt.ArrayLike,
                 top_k: int) -> list[Hit]:
    """The same answer computed over every template of the gallery: ordering by the column itself (not the cast
    the HNSW index is built on) keeps the planner on the btree over (gallery, model, version)."""
    if top_k < 1:
        raise ValueError("top_k must be at least 1")
    vector = unit(probe)
    distance = Template.centroid.op("<=>", return_type=Float())(cast(vector, Vector(len(vector))))
    inner = (select(Template.subject_id, distance.label("distance"))
             .where(Template.gallery == gallery, Template.model == model, Template.model_version == model_version,
                    Template.centroid.is_not(None))
             .order_by(distance, Template.subject_id)
             .limit(top_k))
    return _ranked(session, inner, top_k)
