"""Enroll: add one face per usable image to a subject, creating the subject if new."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

from anyio import to_thread

from app.errors import FaceError, InvalidImage, LowQuality, NothingEnrolled, QualityFailure
from app.services import audit
from app.services.audit import Actor
from app.services.container import Services
from app.services.views import SeenGeometry, SubjectView, geometry
from app.store import changes, repository, templates
from app.store.db import begin_write
from app.vision.types import EmbeddedFace, FaceSelection


@dataclass(frozen=True)
class EnrolledFace(SeenGeometry):
    face_id: str
    image_index: int


@dataclass(frozen=True)
class Rejection:
    image_index: int
    code: str
    detail: str
    failures: list[QualityFailure] = field(default_factory=list)


@dataclass(frozen=True)
class EnrollResult:
    subject: SubjectView
    faces: list[EnrolledFace]
    rejected: list[Rejection]


async def enroll(services: Services, actor: Actor, *, subject: str, gallery: str, images: list[bytes],
                 name: str | None, metadata: dict[str, Any] | None, selection: FaceSelection, model: str | None
                 ) -> EnrollResult:
    """Embed every image on the model queue, then store the accepted faces, the subject's template, the change
    that every index follows and the audit entry in one transaction: all of it, or (a crash, a failure) none of
    it. The transaction runs off the model threads, which go on to the next request's photos meanwhile (and
    do not sit in SQLite's busy wait while another request writes).

    An image that cannot be used is reported in `rejected` with its reason; if none can, nothing is written
    and `NothingEnrolled` carries every reason. Raw images are not stored, only their sha256.
    """
    model = services.model(model)
    accepted, rejected = await services.queue.run(len(images), _read, services, images, model, selection)
    if not accepted:
        raise NothingEnrolled(f"none of the {len(images)} image(s) could be enrolled",
                              [asdict(rejection) for rejection in rejected])
    return await to_thread.run_sync(functools.partial(
        _store, services, actor, subject=subject, gallery=gallery, name=name, metadata=metadata, model=model,
        accepted=accepted, rejected=rejected))


Accepted = tuple[int, EmbeddedFace, str]  # image index, its face, the image's sha256


def _read(services: Services, images: list[bytes], model: str, selection: FaceSelection
          ) -> tuple[list[Accepted], list[Rejection]]:
    accepted: list[Accepted] = []
    rejected: list[Rejection] = []
    for index, data in enumerate(images):
        try:
            face = services.photos.enrollee(data, model, selection)
        except LowQuality as error:
            rejected.append(Rejection(index, error.code, error.detail, error.failures))
            continue
        except (InvalidImage, FaceError) as error:
            rejected.append(Rejection(index, error.code, error.detail))
            continue
        accepted.append((index, face, hashlib.sha256(data).hexdigest()))
    return accepted, rejected


def _store(services: Services, actor: Actor, *, subject: str, gallery: str, name: str | None,
           metadata: dict[str, Any] | None, model: str, accepted: list[Accepted], rejected: list[Rejection]
           ) -> EnrollResult:
    version = services.version(model)
    with services.sessions() as session:
        begin_write(session)
        record, created = repository.get_or_create_subject(session, gallery, subject, name, metadata)
        if name is not None:
            record.name = name
        if metadata is not None:
            record.metadata_ = metadata
        face_ids = repository.add_faces(session, record, model=model, model_version=version, faces=[
            repository.NewFace(face.embedding, face.face.score, face.face.box, face.face.landmarks, digest)
            for _, face, digest in accepted])
        if created:  # its faces are the ones just added: nothing to read back
            templates.create(session, record.id, gallery, model, version, [face.embedding for _, face, _ in accepted])
            face_count = len(face_ids)
        else:
            templates.refresh(session, record.id, gallery, model, version)
            face_count = repository.count_faces(session, record)
        view = SubjectView.of(record, face_count)
        audit.record(session, actor, "enroll", gallery=gallery, subject=subject,
                     face_ids=face_ids, details={"model": model, "rejected": len(rejected)})
        changes.template_changed(session, [(record.id, gallery, model, version)])
        session.commit()
    faces = [EnrolledFace(**vars(geometry(face)), face_id=face_id, image_index=index)
             for (index, face, _), face_id in zip(accepted, face_ids, strict=True)]
    return EnrollResult(view, faces, rejected)
