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
        # Once the change log has a row, every write since kept templates (and their counts) in step with the
        # faces; before, the data may predate templates. So only then are the faces scanned: for the versions in
        # use (3 s at 1M faces, where the counts table answers at once) and for faces without a template.
        predates_templates = changes.latest(session) == 0
        in_use = templates.versions_in_use(session, scan_faces=predates_templates)
        renamed = 0
        for pipeline in pipelines:
            if (pipeline.name, pipeline.legacy_version) not in in_use:
                continue
            count = templates.rename_version(session, pipeline.name, pipeline.legacy_version, pipeline.version)
            renamed += count
            log.info("relabelled %d faces of %s from %r to %r", count, pipeline.name, pipeline.legacy_version,
                     pipeline.version)
        # Faces without a template: data from before templates, or whose templates a rename just dropped.
        missing = templates.missing(session) if renamed or predates_templates else []
        for subject_id, gallery, model, version in missing:
            templates.refresh(session, subject_id, gallery, model, version)
        if missing:
            log.info("built %d missing templates", len(missing))
            changes.template_changed(session, missing)
