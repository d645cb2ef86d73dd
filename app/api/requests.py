"""Request bodies: one model per operation, filled from multipart/form-data or from JSON alike.

Images arrive as files in multipart or as `{"data": "<base64>"}` in JSON, under the same field names; both end
up as bytes in the same pydantic model, so validation and errors are identical whichever way a client sends.
Sizes are capped before the body is read: `Content-Length`, then each multipart part, then the bytes read.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from app.api.schemas import Gallery, ImageBytes, SubjectId, Threshold
from app.config import LimitSettings
from app.errors import ImageTooLarge, UnsupportedMediaType

Body = TypeVar("Body", bound=BaseModel)


def _json_object(value: Any) -> Any:
    """Multipart carries `metadata` as text: accept a JSON object written out."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError("metadata must be a JSON object") from exc
    return value


Metadata = Annotated[dict[str, Any] | None, BeforeValidator(_json_object)]
ModelName = Annotated[
    str | None, Field(None, description="Embedding pipeline (see /v1/models); the default if omitted.")
]
OperatingPoint = Literal["fmr_1e-2", "fmr_1e-3", "fmr_1e-4", "fmr_1e-5", "fmr_1e-6"]


class _Decided(BaseModel):
    """A decision is made at an explicit `threshold` or at a named, calibrated `operating_point`, not both."""

    threshold: Threshold | None = None
    operating_point: OperatingPoint | None = Field(
        None, description="Threshold by false-match rate, from the pipeline's calibration (e.g. fmr_1e-4).")

    @model_validator(mode="after")
    def _one_way(self) -> _Decided:
        if self.threshold is not None and self.operating_point is not None:
            raise ValueError("give threshold or operating_point, not both")
        return self


class EnrollRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: SubjectId
    gallery: Gallery = "default"
    images: list[ImageBytes] = Field(min_length=1, description="One face each.")
    name: str | None = Field(None, max_length=256)
    metadata: Metadata = None
    face_selection: Literal["require_single", "largest"] = Field(
        "require_single", description="`require_single` rejects an image with several faces; `largest` takes it."
    )
    model: ModelName = None


class VerifyRequest(_Decided):
    model_config = ConfigDict(extra="forbid")

    image_a: ImageBytes | None = None
    image_b: ImageBytes | None = None
    image: ImageBytes | None = None
    subject: SubjectId | None = None
    gallery: Gallery = "default"
    face_selection: Literal["largest", "require_single"] = "largest"
    model: ModelName = None

    @model_validator(mode="after")
    def _one_form(self) -> VerifyRequest:
        pair = self.image_a is not None and self.image_b is not None
        against_subject = self.image is not None and self.subject is not None
        if pair == against_subject:
            raise ValueError("send either image_a and image_b, or image and subject")
        return self


class IdentifyRequest(_Decided):
    model_config = ConfigDict(extra="forbid")

    image: ImageBytes
    gallery: Gallery = "default"
    top_k: int = Field(5, ge=1, le=100)
    face_selection: Literal["largest", "all"] = "largest"
    model: ModelName = None


IMAGE_FIELDS = {"images", "image", "image_a", "image_b"}
LIST_FIELDS = {"images"}


def _body_cap(limits: LimitSettings) -> int:
    # Base64 grows data by 4/3; leave room for the other fields.
    return limits.max_images_per_request * limits.max_image_bytes * 4 // 3 + 64 * 1024


async def _read_json(request: Request, cap: int) -> Any:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise ImageTooLarge(f"the request body is over {cap} bytes")
        chunks.append(chunk)
    try:
        return json.loads(b"".join(chunks) or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body",), "msg": str(exc), "input": None}]) \
            from exc


async def _read_form(request: Request, limits: LimitSettings) -> dict[str, Any]:
    try:
        form = await request.form(max_files=limits.max_images_per_request + 2, max_fields=32,
                                  max_part_size=limits.max_image_bytes)
    except MultiPartException as exc:
        if "size" in str(exc).lower():
            raise ImageTooLarge(f"{exc} (the limit is {limits.max_image_bytes} bytes per image)") from exc
        raise RequestValidationError([{"type": "multipart", "loc": ("body",), "msg": str(exc), "input": None}]) \
            from exc
    data: dict[str, Any] = {}
    for key in form:
        values = []
        for value in form.getlist(key):
            if isinstance(value, UploadFile):
                content = await value.read(limits.max_image_bytes + 1)
                if len(content) > limits.max_image_bytes:
                    raise ImageTooLarge(f"{key}: over the limit of {limits.max_image_bytes} bytes")
                values.append(content)
            else:
                values.append(value)
        data[key] = values if key in LIST_FIELDS else values[-1]
    return data


async def parse_body(request: Request, model: type[Body], limits: LimitSettings) -> Body:
    """Read and validate `model` from a multipart/form-data or application/json request."""
    length = request.headers.get("content-length")
    cap = _body_cap(limits)
    if length and length.isdigit() and int(length) > cap:
        raise ImageTooLarge(f"the request body is {length} bytes; the limit is {cap}")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        data = await _read_form(request, limits)
    elif content_type in {"application/json", ""}:
        data = await _read_json(request, cap)
    else:
        raise UnsupportedMediaType(f"send multipart/form-data or application/json, not {content_type!r}")
    if not isinstance(data, dict):
        raise RequestValidationError([{"type": "model_type", "loc": ("body",), "msg": "expected a JSON object",
                                       "input": None}])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_input=False)) from exc
