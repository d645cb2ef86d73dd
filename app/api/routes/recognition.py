"""POST /v1/enroll, /v1/verify, /v1/identify: parse, hand the work to the model queue, shape the answer.

Each operation comes twice: with images as files in a multipart form (the path itself), and with images as base64
in a JSON object (the path + `/json`). One content type per operation keeps SDK generators on ground they handle:
openapi-python-client, openapi-typescript with openapi-fetch and @hey-api/openapi-ts each get a body type they
can build (docs/decisions.md). Both forms validate into the same request model and run the same code.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from app import errors
from app.api import schemas
from app.api.auth import Caller, EnrollCaller, IdentifyCaller, VerifyCaller
from app.api.deps import LimitsDep, ServicesDep
from app.api.openapi import JSON, MULTIPART, problems, request_body
from app.api.requests import EnrollRequest, IdentifyRequest, VerifyRequest, parse_body
from app.config import LimitSettings
from app.services import enrollment, matching, subject_rules
from app.services.container import Services
from app.vision.types import FaceSelection

router = APIRouter(prefix="/v1", tags=["recognition"])
# What reading a photo can answer: a malformed form, the image itself, its faces, the model named, the queue's
# time budget, stored embeddings the server cannot open.
_PHOTO = ("BAD_REQUEST", errors.UnsupportedMediaType, errors.ImageTooLarge, errors.ImageDecodeFailed,
          errors.InvalidImage, errors.NoFace, errors.MultipleFaces, errors.LowQuality, errors.ModelNotFound,
          errors.Overloaded,
          "SEALING_ERROR")
_ENROLL = problems(*_PHOTO, errors.GalleryNotFound, errors.NothingEnrolled, errors.TooManyImages,
                   errors.InvalidSubjectId, errors.InvalidMetadata)
_VERIFY = problems(*_PHOTO, errors.GalleryNotFound, errors.SubjectNotFound, errors.ModelMismatch,
                   errors.ConfigurationError)
_IDENTIFY = problems(*_PHOTO, errors.GalleryNotFound, errors.ConfigurationError)


async def _enroll(request: Request, media_type: str, services: Services, limits: LimitSettings,
                  caller: Caller) -> schemas.EnrollResult:
    body = await parse_body(request, EnrollRequest, limits, media_type)
    if len(body.images) > limits.max_images_per_request:
        raise errors.TooManyImages(f"{len(body.images)} images; at most {limits.max_images_per_request} per request")
    subject_rules.check_subject_id(body.subject)
    subject_rules.check_metadata(body.metadata, limits)
    result = await enrollment.enroll(
        services, caller.actor, subject=body.subject,
        gallery=caller.gallery(body.gallery), images=body.images, name=body.name, metadata=body.metadata,
        selection=FaceSelection(body.face_selection), model=body.model,
    )
    return schemas.EnrollResult.model_validate(result)


async def _verify(request: Request, media_type: str, services: Services, limits: LimitSettings,
                  caller: Caller) -> schemas.VerifyResult:
    body = await parse_body(request, VerifyRequest, limits, media_type)
    selection = FaceSelection(body.face_selection)
    if body.image_a is not None and body.image_b is not None:
        result = await matching.verify_pair(
            services, caller.actor, body.image_a, body.image_b, threshold=body.threshold,
            operating_point=body.operating_point, selection=selection, model=body.model)
    else:
        assert body.image is not None  # the request model guarantees image + subject here
        assert body.subject is not None
        result = await services.queue.run(
            1, matching.verify_subject, services, caller.actor, body.image, body.subject,
            caller.gallery(body.gallery), threshold=body.threshold, operating_point=body.operating_point,
            selection=selection, model=body.model)
    return schemas.VerifyResult.model_validate(result)


async def _identify(request: Request, media_type: str, services: Services, limits: LimitSettings,
                    caller: Caller) -> schemas.IdentifyResult:
    body = await parse_body(request, IdentifyRequest, limits, media_type)
    result = await services.queue.run(
        1, matching.identify, services, caller.actor, body.image, caller.gallery(body.gallery), top_k=body.top_k,
        threshold=body.threshold, operating_point=body.operating_point,
        selection=FaceSelection(body.face_selection), model=body.model)
    return schemas.IdentifyResult.model_validate(result)


_ENROLL_DOC = ("Add faces to a subject (created if new). Images with no usable face are listed in `rejected`; when "
               "none is usable the answer is 422 ENROLLMENT_REJECTED with every reason, and nothing is stored.")
_VERIFY_DOC = "Compare two images (`image_a`, `image_b`) or an image with an enrolled subject (`image`, `subject`)."
_IDENTIFY_DOC = "Search a gallery for the face(s) in an image. `match` is null when nobody reaches the threshold."


@router.post("/enroll", status_code=status.HTTP_201_CREATED, response_model=schemas.EnrollResult,
             openapi_extra=request_body(EnrollRequest, MULTIPART), responses=_ENROLL, description=_ENROLL_DOC)
async def enroll(request: Request, services: ServicesDep, limits: LimitsDep,
                 caller: EnrollCaller) -> schemas.EnrollResult:
    return await _enroll(request, MULTIPART, services, limits, caller)


@router.post("/enroll/json", status_code=status.HTTP_201_CREATED, response_model=schemas.EnrollResult,
             openapi_extra=request_body(EnrollRequest, JSON), responses=_ENROLL,
             description=_ENROLL_DOC + " Images as base64 in JSON.")
async def enroll_json(request: Request, services: ServicesDep, limits: LimitsDep,
                      caller: EnrollCaller) -> schemas.EnrollResult:
    return await _enroll(request, JSON, services, limits, caller)


@router.post("/verify", response_model=schemas.VerifyResult, openapi_extra=request_body(VerifyRequest, MULTIPART),
             responses=_VERIFY, description=_VERIFY_DOC)
async def verify(request: Request, services: ServicesDep, limits: LimitsDep,
                 caller: VerifyCaller) -> schemas.VerifyResult:
    return await _verify(request, MULTIPART, services, limits, caller)


@router.post("/verify/json", response_model=schemas.VerifyResult, openapi_extra=request_body(VerifyRequest, JSON),
             responses=_VERIFY, description=_VERIFY_DOC + " Images as base64 in JSON.")
async def verify_json(request: Request, services: ServicesDep, limits: LimitsDep,
                      caller: VerifyCaller) -> schemas.VerifyResult:
    return await _verify(request, JSON, services, limits, caller)


@router.post("/identify", response_model=schemas.IdentifyResult,
             openapi_extra=request_body(IdentifyRequest, MULTIPART), responses=_IDENTIFY, description=_IDENTIFY_DOC)
async def identify(request: Request, services: ServicesDep, limits: LimitsDep,
                   caller: IdentifyCaller) -> schemas.IdentifyResult:
    return await _identify(request, MULTIPART, services, limits, caller)


@router.post("/identify/json", response_model=schemas.IdentifyResult,
             openapi_extra=request_body(IdentifyRequest, JSON), responses=_IDENTIFY,
             description=_IDENTIFY_DOC + " Images as base64 in JSON.")
async def identify_json(request: Request, services: ServicesDep, limits: LimitsDep,
                        caller: IdentifyCaller) -> schemas.IdentifyResult:
    return await _identify(request, JSON, services, limits, caller)
