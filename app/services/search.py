"""Search over templates, always in step with the database, by one of two backends (settings.search.backend).

`DatabaseSearch` (PostgreSQL) searches inside the database with pgvector: no process keeps a copy, so there is
nothing to follow and nothing to go stale. `InProcessSearch` (SQLite, or embeddings encrypted at rest) keeps an
index in memory that follows the change log: before it answers, every search makes one cheap check (the newest
committed change's number); if the index is behind, it applies what it missed first. Either way a client reads
its own writes whichever process it reaches, and a deletion through one process holds in all of them at once.
If the index cannot apply a change (or the database is unreachable), the process turns not ready (readyz answers
503) and searches answer 503 rather than from stale data.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy.typing as npt
from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.errors import ServiceNotReady
from app.store import changes, templates, vector_search
from app.store.db import ping
from app.store.index import Hit, Key, TemplateIndex
from app.store.orm import Change

log = logging.getLogger(__name__)

CHANGES_PER_BATCH = 5000


@dataclass(frozen=True)
class GalleryCounts:
    subjects: int
    faces: int


@dataclass(frozen=True)
class Searched:
    """What one identify asks of a search: each probe's best subjects, and the size of the gallery they were
    found in, from one look at the database (one catch-up, or one database session)."""

    hits: list[list[Hit]]
    counts: GalleryCounts


class TemplateSearch(Protocol):
    """What identify and readiness need from a search, whichever backend answers (settings.search.backend)."""

    failure: str | None

    def rebuild(self) -> None:
        """Get ready to answer (load what must be loaded)."""

    def catch_up(self) -> None:
        """Be in step with everything committed; raise ServiceNotReady when that cannot be."""

    def search(self, key: Key, probes: Sequence[npt.ArrayLike], top_k: int) -> Searched:
        """For each probe, the `top_k` subjects of (gallery, model, version) whose centroid is most similar, best
        first, and the gallery's counts."""

    def counts(self, key: Key) -> GalleryCounts:
        """Subjects and faces of (gallery, model, version), as committed."""

    def gallery_sizes(self) -> dict[tuple[str, str], int]:
        """Faces per (gallery, model), for the metrics."""


class InProcessSearch:
    def __init__(self, engine: Engine, sessions: sessionmaker[Session], *, exact_below: int = 20_000,
                 candidates: int = 100) -> None:
        self._engine = engine
        self._sessions = sessions
        self.index = TemplateIndex(exact_below, candidates)
        self.applied = 0
        self.failure: str | None = None
        self._sync = threading.Lock()

    def rebuild(self) -> None:
        """Load every template; changes committed meanwhile are applied by the next catch-up (idempotently)."""
        with self._sync, self._sessions() as session:
            self._rebuild(session)
            self.failure = None

    def _rebuild(self, session: Session) -> None:
        seq = changes.latest(session)  # first: what is committed after it is caught up on later
        blocks = templates.all_templates(session)
        self.index.clear()
        for block in blocks:
            self.index.load(block.key, block.subject_ids, block.subjects, block.counts, block.centroids)
        self.applied = seq
        log.info("search index built: %d templates, up to change %d", sum(len(b.subject_ids) for b in blocks), seq)

    def catch_up(self) -> None:
        """Apply every change committed since the last one applied."""
        try:
            if changes.latest_now(self._engine) > self.applied:
                self._follow()
            self.failure = None
        except Exception as exc:
            self.failure = f"the search index could not follow the database: {exc}"
            log.exception("search index out of step")
            raise ServiceNotReady(self.failure) from exc

    def _follow(self) -> None:
        """Apply what was committed since the last change applied (again under the lock: another thread may have
        applied it meanwhile)."""
        with self._sync, self._sessions() as session:
            if changes.latest(session) <= self.applied:
                return
            if changes.oldest(session) > self.applied + 1:  # pruned past us: start again
                self._rebuild(session)
                return
            while batch := changes.since(session, self.applied, CHANGES_PER_BATCH):
                self._apply(session, batch)
                self.applied = batch[-1].seq

    def _apply(self, session: Session, batch: list[Change]) -> None:
        keys = {(c.subject_id, c.model, c.model_version) for c in batch if c.kind == "template"}
        current = templates.templates_of(session, [k for k in keys if k[0] is not None])  # type: ignore[misc]
        for change in batch:
            if change.kind == "gallery":
                self.index.drop_gallery(change.gallery)
                continue
            assert change.subject_id is not None
            assert change.model is not None
            assert change.model_version is not None
            key: Key = (change.gallery, change.model, change.model_version)
            row = current.get((change.subject_id, change.model, change.model_version))
            if row is None:
                self.index.remove(key, change.subject_id)
            else:
                self.index.put(key, row.subject_id, row.subject, row.centroid, row.face_count)

    def search(self, key: Key, probes: Sequence[npt.ArrayLike], top_k: int) -> Searched:
        self.catch_up()
        hits = [self.index.search(key, probe, top_k) for probe in probes]
        return Searched(hits, GalleryCounts(*self.index.counts(key)))

    def counts(self, key: Key) -> GalleryCounts:
        self.catch_up()
        subjects, faces = self.index.counts(key)
        return GalleryCounts(subjects, faces)

    def gallery_sizes(self) -> dict[tuple[str, str], int]:
        """Faces per (gallery, model) for the metrics, caught up first; a scrape never fails for it."""
        with contextlib.suppress(ServiceNotReady):  # readyz says so; the sizes are those last known
            self.catch_up()
        return self.index.galleries()


@dataclass(frozen=True)
class IndexedPipeline:
    """A pipeline version the database keeps an HNSW index for, and the length of its vectors."""

    model: str
    version: str
    dim: int


class DatabaseSearch:
    """Search with pgvector inside PostgreSQL (app/store/vector_search.py). Every answer reads what is committed at
    that moment, whichever process wrote it. Galleries smaller than `exact_below` templates, and pipeline versions
    without an index, are searched exactly; larger ones through the HNSW index, `candidates` re-ranked exactly."""

    def __init__(self, engine: Engine, pipelines: Iterable[IndexedPipeline], *,
                 candidates: int, exact_below: int, ef_search: int = 120, build_memory: str = "1GB") -> None:
        self._engine = engine
        # Searches only read, and each statement sees what is committed when it starts: no transaction, whose
        # BEGIN and ROLLBACK were two of a search's five round trips (0.3 ms of 5.7 at 1M faces, measured).
        self._sessions = sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))
        self._dims = {(p.model, p.version): p.dim for p in pipelines if p.dim > 0}
        self._candidates = candidates
        self._exact_below = exact_below
        vector_search.use_search_settings(engine, ef_search)
        self._build_memory = build_memory
        self.failure: str | None = None

    def rebuild(self) -> None:
        """Make sure every loaded pipeline version has its index (built once, whichever replica starts first)."""
        for (model, version), dim in sorted(self._dims.items()):
            vector_search.ensure_hnsw(self._engine, model, version, dim, build_memory=self._build_memory)

    def catch_up(self) -> None:
        """Nothing to catch up on; only check that the database answers."""
        if not ping(self._engine):
            self.failure = "the database is unreachable"
            raise ServiceNotReady(self.failure)
        self.failure = None

    @contextlib.contextmanager
    def _session(self) -> Iterator[Session]:
        """A session whose lost connection turns into ServiceNotReady (503), not an internal error."""
        try:
            with self._sessions() as session:
                yield session
        except (OperationalError, InterfaceError) as exc:
            self.failure = f"the database is unreachable: {exc}"
            raise ServiceNotReady("the database is unreachable") from exc
        self.failure = None

    def search(self, key: Key, probes: Sequence[npt.ArrayLike], top_k: int) -> Searched:
        gallery, model, version = key
        dim = self._dims.get((model, version))
        with self._session() as session:
            counts = GalleryCounts(*templates.counts(session, gallery, model, version))
            if dim is None or counts.subjects < self._exact_below:
                hits = [vector_search.exact_search(session, gallery, model, version, probe, top_k)
                        for probe in probes]
            else:
                hits = [vector_search.search(session, gallery, model, version, dim, probe, top_k, self._candidates)
                        for probe in probes]
        return Searched(hits, counts)

    def counts(self, key: Key) -> GalleryCounts:
        with self._session() as session:
            return GalleryCounts(*templates.counts(session, *key))

    def gallery_sizes(self) -> dict[tuple[str, str], int]:
        """Faces per (gallery, model), read now; a scrape never fails for it (none while the database is away)."""
        with contextlib.suppress(ServiceNotReady), self._session() as session:
            return templates.gallery_sizes(session)
        return {}
