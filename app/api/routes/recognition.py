"""POST /v1/enroll, /v1/verify, /v1/identify: parse, hand the work to the model queue, shape the answer."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from app.api import schemas
from app.api.auth import EnrollCaller, IdentifyCaller, VerifyCaller
from app.api.deps import LimitsDep, ServicesDep
from app.api.openapi import problems, request_body
from app.api.requests import EnrollRequest, IdentifyRequest, VerifyRequest, parse_body
from app.errors import TooManyImages
from app.services import enrollment, matching, subject_rules
from app.vision.types import FaceSelection

router = APIRouter(prefix="/v1", tags=["recognition"])
_IMAGE_ERRORS = problems(400, 404, 413, 415, 422, 503)


@router.post("/enroll", status_code=status.HTTP_201_CREATED, response_model=schemas.EnrollResponse,
             openapi_extra=request_body(EnrollRequest), responses=_IMAGE_ERRORS)
async def enroll(request: Request, services: ServicesDep, limits: LimitsDep,
                 caller: EnrollCaller) -> schemas.EnrollResponse:
    """Add faces to a subject (created if new). Images with no usable face are listed in `rejected`; when
    none is usable the answer is 422 ENROLLMENT_REJECTED with every reason, and nothing is stored."""
    body = await parse_body(request, EnrollRequest, limits)
    if len(body.images) > limits.max_images_per_request:
        raise TooManyImages(f"{len(body.images)} images; at most {limits.max_images_per_request} per request")
    subject_rules.check_subject_id(body.subject)
    subject_rules.check_metadata(body.metadata, limits)
    result = await enrollment.enroll(
        services, caller.actor, subject=body.subject,
        gallery=caller.gallery(body.gallery), images=body.images, name=body.name, metadata=body.metadata,
        selection=FaceSelection(body.face_selection), model=body.model,
    )
    return schemas.EnrollResponse.model_validate(result)


@router.post("/verify", response_model=schemas.VerifyResponse, openapi_extra=request_body(VerifyRequest),
             responses=problems(400, 404, 409, 413, 415, 422, 503))
async def verify(request: Request, services: ServicesDep, limits: LimitsDep,
                 caller: VerifyCaller) -> schemas.VerifyResponse:
    """Compare two images (`image_a`, `image_b`) or an image with an enrolled subject (`image`, `subject`)."""
    body = await parse_body(request, VerifyRequest, limits)
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
    return schemas.VerifyResponse.model_validate(result)


@router.post("/identify", response_model=schemas.IdentifyResponse, openapi_extra=request_body(IdentifyRequest),
             responses=_IMAGE_ERRORS)
async def identify(request: Request, services: ServicesDep, limits: LimitsDep,
                   caller: IdentifyCaller) -> schemas.IdentifyResponse:
    """Search a gallery for the face(s) in an image. `match` is null when nobody reaches the threshold."""
    body = await parse_body(request, IdentifyRequest, limits)
    result = await services.queue.run(
        1, matching.identify, services, caller.actor, body.image, caller.gallery(body.gallery), top_k=body.top_k,
        threshold=body.threshold, operating_point=body.operating_point,
        selection=FaceSelection(body.face_selection), model=body.model)
    return schemas.IdentifyResponse.model_validate(result)
