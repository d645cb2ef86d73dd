"""Verify (1:1) and identify (1:N) by cosine similarity, with thresholds from the model card's calibration."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

import numpy as np
from anyio import to_thread

from app.errors import GalleryNotFound, ModelMismatch, SubjectNotFound
from app.services.audit import Actor
from app.services.container import Services
from app.services.decisions import Decision, expected_fpir
from app.services.views import SeenGeometry, geometry
from app.store import repository, templates
from app.vision.types import FaceSelection


@dataclass(frozen=True)
class Verification:
    score: float
    match: bool
    threshold: float
    operating_point: str | None
    estimated_fmr: float
    model: str
    faces: dict[str, SeenGeometry]


@dataclass(frozen=True)
class Match:
    subject: str
    score: float
    estimated_fmr: float


@dataclass(frozen=True)
class Candidate(Match):
    face_id: str


@dataclass(frozen=True)
class IdentifiedFace(SeenGeometry):
    candidates: list[Candidate]
    match: Match | None


@dataclass(frozen=True)
class Identification:
    faces: list[IdentifiedFace]
    threshold: float
    operating_point: str | None
    fmr_per_comparison: float
    expected_fpir: float
    model: str
    gallery: str
    gallery_size: int


def _verification(services: Services, model: str, decision: Decision, score: float,
                  faces: dict[str, SeenGeometry]) -> Verification:
    return Verification(score, score >= decision.threshold, decision.threshold, decision.operating_point,
                        services.estimated_fmr(model, score), model, faces)


async def verify_pair(services: Services, actor: Actor, image_a: bytes, image_b: bytes, *, threshold: float | None,
                      operating_point: str | None, selection: FaceSelection, model: str | None) -> Verification:
    """Both photos are read at once, each on a model thread of its own: the answer comes in the time of one."""
    model = services.model(model)
    decision = services.decision(model, threshold, operating_point, services.decisions.verify_operating_point)
    a, b = await services.queue.run_each(
        [functools.partial(services.photos.probe, image, model, selection) for image in (image_a, image_b)])
    score = float(np.dot(a.embedding, b.embedding))
    result = _verification(services, model, decision, score, {"image_a": geometry(a), "image_b": geometry(b)})
    await to_thread.run_sync(functools.partial(
        services.audit.record_now, actor, "verify", details={"model": model, "match": result.match}))
    return result


def verify_subject(services: Services, actor: Actor, image: bytes, subject: str, gallery: str, *,
                   threshold: float | None, operating_point: str | None, selection: FaceSelection,
                   model: str | None) -> Verification:
    """Score = similarity between the probe and the centroid (normalised mean) of the subject's faces of this
    model: on lfw-dev it beat both the best single face and the mean score (bench/templates.py)."""
    model = services.model(model)
    decision = services.decision(model, threshold, operating_point, services.decisions.verify_operating_point)
    with services.sessions() as session:
        record = repository.get_subject(session, gallery, subject)
        if record is None and not repository.gallery_exists(session, gallery):
            raise GalleryNotFound.named(gallery)
        if record is None:
            raise SubjectNotFound(f"no subject {subject!r} in gallery {gallery!r}")
        template = templates.centroid(session, record.id, model, services.version(model))
        if template is None:
            kinds = sorted({f"{face.model} ({face.model_version})" for face in repository.list_faces(session, record)})
            raise ModelMismatch(f"subject {subject!r} has faces embedded with {kinds}, none with {model!r} "
                                f"({services.version(model)}); embeddings of different pipelines are never compared")
        centroid, _ = template
    probe = services.photos.probe(image, model, selection)
    score = float(probe.embedding @ centroid)
    result = _verification(services, model, decision, score, {"image": geometry(probe)})
    services.audit.record_now(actor, "verify", gallery=gallery, subject=subject,
                              details={"model": model, "match": result.match})
    return result


def identify(services: Services, actor: Actor, image: bytes, gallery: str, *, top_k: int, threshold: float | None,
             operating_point: str | None, selection: FaceSelection, model: str | None) -> Identification:
    """1:N search. A search compares the probe with every enrolled subject, so the chance that some stranger
    passes grows with the gallery: expected FPIR = 1 - (1 - FMR)^N for N subjects, reported with the answer."""
    model = services.model(model)
    with services.sessions() as session:
        if not repository.gallery_exists(session, gallery):
            raise GalleryNotFound.named(gallery)
    faces: list[IdentifiedFace] = []
    usable = services.photos.probes(image, model, selection)
    key = (gallery, model, services.version(model))
    started = time.perf_counter()
    searched = services.search.search(key, [probe.embedding for probe in usable], top_k)
    services.metrics.observe_stages({"search": time.perf_counter() - started})
    counts = searched.counts
    decision = services.decision(model, threshold, operating_point, services.decisions.identify_operating_point,
                                 counts.subjects)
    cut = decision.threshold
    with services.sessions() as session:
        best_faces = [templates.best_faces(session, [hit.subject_id for hit in hits], model, key[2], probe.embedding)
                      for probe, hits in zip(usable, searched.hits, strict=True)]
    for probe, hits, best_face in zip(usable, searched.hits, best_faces, strict=True):
        candidates = [Candidate(hit.subject, hit.score, services.estimated_fmr(model, hit.score),
                                best_face.get(hit.subject_id, "")) for hit in hits]
        best = candidates[0] if candidates and candidates[0].score >= cut else None
        faces.append(IdentifiedFace(**vars(geometry(probe)), candidates=candidates,
                                    match=Match(best.subject, best.score, best.estimated_fmr) if best else None))
    matched = [face.match.subject for face in faces if face.match]
    services.audit.record_now(actor, "identify", gallery=gallery, subject=matched[0] if len(matched) == 1 else None,
                              details={"model": model, "faces": len(faces), "matched": matched})
    return Identification(faces, cut, decision.operating_point, decision.fmr,
                          expected_fpir(decision.fmr, counts.subjects), model, gallery,
                          counts.faces)
