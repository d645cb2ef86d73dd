"""Export and import of a gallery's faces for one pipeline version: bulk moves, backup and restore.

The format is JSON lines: a header (`format`, gallery, model, model_version, dim), then one line per subject
with its name, metadata and faces (each embedding base64 little-endian float32, with its geometry). An export
holds embeddings in clear, whatever the storage: it is biometric data, for admin keys only. An import writes
new subjects in batches, each batch in one transaction with its templates, changes and audit entry; subjects
already in the gallery are skipped, so an interrupted import is resumed by running it again. Vectors of another
pipeline version are refused (409 MODEL_MISMATCH): they cannot be compared with this server's.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from app.config import LimitSettings
from app.errors import FacegateError, GalleryNotFound, InvalidImport, ModelMismatch
from app.services import audit
from app.services.audit import Actor, AuditLog
from app.services.container import Services
from app.services.subject_rules import check_metadata, check_subject_id
from app.store import changes, repository, templates, transfer
from app.store.db import begin_write
from app.store.orm import utcnow
from app.store.transfer import StoredFace, StoredSubject
from app.vision.pipeline import FacePipeline

FORMAT = "facegate-faces/1"
BATCH = 500


@dataclass(frozen=True)
class Transfer:
    """What export and import need: less than the whole service, so the command line can run them too."""

    sessions: sessionmaker[Session]
    pipeline: FacePipeline
    audit: AuditLog
    default_model: str

    @classmethod
    def of(cls, services: Services) -> Transfer:
        return cls(services.sessions, services.pipeline, services.audit, services.default_model)

    def chosen(self, model: str | None) -> tuple[str, str, int]:
        """(pipeline name, version, vector length) of `model` or the default; ModelNotFound if unknown."""
        pipeline = self.pipeline.pipeline(model or self.default_model)
        return pipeline.name, pipeline.version, pipeline.dim


@dataclass(frozen=True)
class ImportResult:
    gallery: str
    model: str
    model_version: str
    subjects_imported: int
    subjects_skipped: int
    faces_imported: int


def export_lines(services: Transfer, actor: Actor, gallery: str, model: str | None) -> Iterator[str]:
    """The export, line by line (each ends with a newline), streamed from the database."""
    model, version, dim = services.chosen(model)
    with services.sessions() as session:
        if not repository.gallery_exists(session, gallery):
            raise GalleryNotFound.named(gallery)

    def lines() -> Iterator[str]:
        yield json.dumps({"format": FORMAT, "gallery": gallery, "model": model, "model_version": version,
                          "dim": dim, "exported_at": utcnow().isoformat()}) + "\n"
        subjects = faces = 0
        with services.sessions() as session:
            for item in transfer.subjects_with_faces(session, gallery, model, version):
                subjects, faces = subjects + 1, faces + len(item.faces)
                yield json.dumps(_line(item)) + "\n"
        services.audit.record_now(actor, "gallery.export", gallery=gallery,
                                  details={"model": model, "subjects": subjects, "faces": faces})

    return lines()


def _line(item: StoredSubject) -> dict[str, Any]:
    return {"subject": item.subject, "name": item.name, "metadata": item.metadata, "faces": [
        {"embedding": base64.b64encode(face.embedding.astype("<f4").tobytes()).decode(),
         "detection_score": face.detection_score, "box": face.box, "landmarks": face.landmarks,
         "image_sha256": face.image_sha256, "created_at": face.created_at.isoformat()} for face in item.faces]}


def import_lines(services: Transfer, actor: Actor, gallery: str, lines: Iterable[bytes | str],
                 limits: LimitSettings) -> ImportResult:
    numbered = ((number, line) for number, line in enumerate(lines, 1) if line.strip())
    try:
        _, first = next(numbered)
    except StopIteration:
        raise InvalidImport("the file is empty: an export starts with its header line") from None
    header = _json(1, first)
    if header.get("format") != FORMAT:
        raise InvalidImport(f"line 1: not a facegate export (format {header.get('format')!r}, want {FORMAT!r})")
    model, version, dim = services.chosen(str(header.get("model")))
    if header.get("model_version") != version:
        raise ModelMismatch(f"the file holds {model} vectors of version {header.get('model_version')!r}; this "
                            f"server's {model} is {version!r}: vectors of different versions are never compared")
    result = ImportResult(gallery, model, version, 0, 0, 0)
    batch: list[StoredSubject] = []
    for number, line in numbered:
        batch.append(_subject(number, _json(number, line), dim, limits))
        if len(batch) == BATCH:
            result = _write(services, actor, result, batch)
            batch = []
    return _write(services, actor, result, batch) if batch else result


def _json(number: int, line: bytes | str) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise InvalidImport(f"line {number}: not JSON ({exc})") from None
    if not isinstance(value, dict):
        raise InvalidImport(f"line {number}: not a JSON object")
    return value


def _subject(number: int, value: dict[str, Any], dim: int, limits: LimitSettings) -> StoredSubject:
    try:
        subject = value["subject"]
        check_subject_id(subject)
        check_metadata(value.get("metadata") or {}, limits)
        faces = [_face(face, dim) for face in value["faces"]]
        if not faces:
            raise ValueError("a subject without faces")
        return StoredSubject(subject, value.get("name"), dict(value.get("metadata") or {}), faces)
    except (KeyError, TypeError, ValueError, FacegateError) as exc:
        detail = exc.detail if isinstance(exc, FacegateError) else str(exc)
        raise InvalidImport(f"line {number}: {detail}") from None


def _face(value: dict[str, Any], dim: int) -> StoredFace:
    try:
        vector = np.frombuffer(base64.b64decode(value["embedding"], validate=True), dtype="<f4").astype(np.float32)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"embedding is not base64 float32: {exc}") from None
    if vector.shape != (dim,) or not np.all(np.isfinite(vector)) or abs(float(np.linalg.norm(vector)) - 1) > 1e-3:
        raise ValueError(f"an embedding must be {dim} finite float32 of unit length")
    box, landmarks = [float(v) for v in value["box"]], [[float(x), float(y)] for x, y in value["landmarks"]]
    if len(box) != 4 or len(landmarks) != 5:
        raise ValueError("a face has a box of 4 numbers and 5 landmarks")
    digest = str(value["image_sha256"])
    if len(digest) != 64:
        raise ValueError("image_sha256 must be 64 hex characters")
    return StoredFace("", vector, float(value["detection_score"]), box, landmarks, digest,
                      datetime.fromisoformat(value["created_at"]))


def _write(services: Transfer, actor: Actor, result: ImportResult, batch: list[StoredSubject]) -> ImportResult:
    with services.sessions() as session:
        begin_write(session)
        present = transfer.existing_subjects(session, result.gallery, [item.subject for item in batch])
        added = transfer.add_subjects(session, result.gallery, result.model, result.model_version,
                                      [item for item in batch if item.subject not in present])
        ids = list(added.ids.values())
        for subject_id in ids:
            templates.refresh(session, subject_id, result.gallery, result.model, result.model_version)
        faces, skipped = added.faces, len(batch) - len(ids)
        audit.record(session, actor, "gallery.import", gallery=result.gallery,
                     details={"model": result.model, "subjects": len(ids), "skipped": skipped, "faces": faces})
        changes.template_changed(session, [(i, result.gallery, result.model, result.model_version) for i in ids])
        session.commit()
    return ImportResult(result.gallery, result.model, result.model_version, result.subjects_imported + len(ids),
                        result.subjects_skipped + skipped, result.faces_imported + faces)
