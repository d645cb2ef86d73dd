"""Start-up upkeep of the templates: faces stored under an older name of a pipeline version are relabelled, and
faces without a template (stored before templates existed) get one, with the change every index follows."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from app.store import changes, templates
from app.store.orm import utcnow
from app.vision.pipelines import EmbeddingPipeline

log = logging.getLogger(__name__)


# Changes older than this are pruned: a process that far behind (none should be) rebuilds its index instead.
CHANGES_KEPT = timedelta(days=1)


def prune_changes(sessions: sessionmaker[Session]) -> int:
    """Keep the change log short; without it, it grows by a row for every write, for ever."""
    with sessions.begin() as session:
        return changes.prune(session, utcnow() - CHANGES_KEPT)


def prepare(sessions: sessionmaker[Session], pipelines: Iterable[EmbeddingPipeline]) -> None:
    with sessions.begin() as session:
        in_use = templates.versions_in_use(session)
        renamed = 0
        for pipeline in pipelines:
            if (pipeline.name, pipeline.legacy_version) not in in_use:
                continue
            count = templates.rename_version(session, pipeline.name, pipeline.legacy_version, pipeline.version)
            renamed += count
            log.info("relabelled %d faces of %s from %r to %r", count, pipeline.name, pipeline.legacy_version,
                     pipeline.version)
        # Faces without a template exist only in data from before templates did (or whose templates a rename
        # just dropped): once the change log has a row, every write since kept them in step, so the scan
        # (0.7 s at 1M faces) is skipped.
        missing = templates.missing(session) if renamed or changes.latest(session) == 0 else []
        for subject_id, gallery, model, version in missing:
            templates.refresh(session, subject_id, gallery, model, version)
        if missing:
            log.info("built %d missing templates", len(missing))
            changes.template_changed(session, missing)
