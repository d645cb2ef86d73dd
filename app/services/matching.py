"""Verify (1:1) and identify (1:N) by cosine similarity, with thresholds from the model card's calibration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from app.errors import ModelMismatch, SubjectNotFound
from app.services.context import Services, geometry
from app.store import repository
from app.vision.types import EmbeddedFace, FaceSelection


@dataclass(frozen=True)
class Verification:
    score: float
    match: bool
    threshold: float
    model: str
    faces: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Identification:
    faces: list[dict[str, Any]]
    threshold: float
    model: str
    gallery: str
    gallery_size: int


def _one_face(services: Services, data: bytes, model: str, selection: FaceSelection) -> EmbeddedFace:
    return services.pipeline.process(data, model, selection)[0]


def verify_pair(services: Services, image_a: bytes, image_b: bytes, *, threshold: float | None,
                selection: FaceSelection, model: str | None) -> Verification:
    model = services.model(model)
    cut = threshold if threshold is not None else services.threshold(model, services.decisions.verify_operating_point)
    a = _one_face(services, image_a, model, selection)
    b = _one_face(services, image_b, model, selection)
    score = float(np.dot(a.embedding, b.embedding))
    return Verification(score, score >= cut, cut, model, {"image_a": geometry(a.face), "image_b": geometry(b.face)})


def verify_subject(services: Services, image: bytes, subject: str, gallery: str, *, threshold: float | None,
                   selection: FaceSelection, model: str | None) -> Verification:
    """Score = the best similarity between the probe and any of the subject's faces of this model."""
    model = services.model(model)
    cut = threshold if threshold is not None else services.threshold(model, services.decisions.verify_operating_point)
    with services.sessions() as session:
        record = repository.get_subject(session, gallery, subject)
        if record is None:
            raise SubjectNotFound(f"no subject {subject!r} in gallery {gallery!r}")
        enrolled = repository.subject_embeddings(session, record, model)
        if not enrolled:
            models = sorted({face.model for face in repository.list_faces(session, record)})
            raise ModelMismatch(f"subject {subject!r} has faces embedded with {models}, none with {model!r}; "
                                "embeddings of different models are never compared")
        matrix = np.stack([np.asarray(face.embedding, np.float32) for face in enrolled])
    probe = _one_face(services, image, model, selection)
    score = float((matrix @ probe.embedding).max())
    return Verification(score, score >= cut, cut, model, {"image": geometry(probe.face)})


def identify(services: Services, image: bytes, gallery: str, *, top_k: int, threshold: float | None,
             selection: FaceSelection, model: str | None) -> Identification:
    model = services.model(model)
    cut = threshold if threshold is not None else services.threshold(
        model, services.decisions.identify_operating_point)
    faces = []
    for probe in services.pipeline.process(image, model, selection):
        candidates = services.index.search(gallery, model, probe.embedding, top_k)
        best = candidates[0] if candidates and candidates[0].score >= cut else None
        faces.append({
            **geometry(probe.face),
            "candidates": [{"subject": c.subject, "score": c.score, "face_id": c.face_id} for c in candidates],
            "match": {"subject": best.subject, "score": best.score} if best else None,
        })
    return Identification(faces, cut, model, gallery, services.index.size(gallery, model))
