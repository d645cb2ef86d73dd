"""Search over templates, kept in step with the database: the in-process index follows the change log.

Before it answers, every search makes one cheap check (the newest committed change's number); if the index is
behind, it applies what it missed first. So a client reads its own writes whichever process it reaches, and a
deletion through one process holds in all of them at once. If the index cannot apply a change, the process
turns not ready (readyz answers 503) and searches answer 503 rather than from stale data.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass
from typing import Protocol

import numpy.typing as npt
from sqlalchemy.orm import Session, sessionmaker

from app.errors import ServiceNotReady
from app.store import changes, templates
from app.store.index import Hit, Key, TemplateIndex
from app.store.orm import Change

log = logging.getLogger(__name__)

CHANGES_PER_BATCH = 5000


@dataclass(frozen=True)
class GalleryCounts:
    subjects: int
    faces: int


class TemplateSearch(Protocol):
    """What identify and readiness need from a search, whichever backend answers (settings.search.backend)."""

    failure: str | None

    def rebuild(self) -> None:
        """Get ready to answer (load what must be loaded)."""

    def catch_up(self) -> None:
        """Be in step with everything committed; raise ServiceNotReady when that cannot be."""

    def search(self, key: Key, probe: npt.ArrayLike, top_k: int) -> list[Hit]:
        """The `top_k` subjects of (gallery, model, version) whose centroid is most similar, best first."""

    def counts(self, key: Key) -> GalleryCounts:
        """Subjects and faces of (gallery, model, version), as committed."""

    def gallery_sizes(self) -> dict[tuple[str, str], int]:
        """Faces per (gallery, model), for the metrics."""


class InProcessSearch:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self.index = TemplateIndex()
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
        self.index.clear()
        self.index.load(((row.gallery, row.model, row.model_version), row.subject_id, row.subject, row.centroid,
                         row.face_count) for row in templates.all_templates(session))
        self.applied = seq
        log.info("search index built: %d templates, up to change %d", len(self.index.entries()), seq)

    def catch_up(self) -> None:
        """Apply every change committed since the last one applied."""
        try:
            with self._sync, self._sessions() as session:
                if changes.latest(session) <= self.applied:
                    return
                if changes.oldest(session) > self.applied + 1:  # pruned past us: start again
                    self._rebuild(session)
                    return
                while batch := changes.since(session, self.applied, CHANGES_PER_BATCH):
                    self._apply(session, batch)
                    self.applied = batch[-1].seq
            self.failure = None
        except Exception as exc:
            self.failure = f"the search index could not follow the database: {exc}"
            log.exception("search index out of step")
            raise ServiceNotReady(self.failure) from exc

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

    def search(self, key: Key, probe: npt.ArrayLike, top_k: int) -> list[Hit]:
        self.catch_up()
        return self.index.search(key, probe, top_k)

    def counts(self, key: Key) -> GalleryCounts:
        self.catch_up()
        subjects, faces = self.index.counts(key)
        return GalleryCounts(subjects, faces)

    def gallery_sizes(self) -> dict[tuple[str, str], int]:
        """Faces per (gallery, model) for the metrics, caught up first; a scrape never fails for it."""
        with contextlib.suppress(ServiceNotReady):  # readyz says so; the sizes are those last known
            self.catch_up()
        return self.index.galleries()
