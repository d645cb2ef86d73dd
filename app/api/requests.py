"""Request bodies: one model per operation, filled from multipart/form-data or from JSON alike.

Images arrive as files in multipart (`/v1/enroll`) or as `{"data": "<base64>"}` in JSON (`/v1/enroll/json`),
under the same field names; both end up as bytes in the same pydantic model, so validation and errors are
identical whichever way a client sends.
The body as a whole is capped as it streams in (app/api/guards.py); here each multipart text field is held to
`max_text_bytes`, and the number of parts to what an operation can use.
"""

from __future__ import annotations

import json
from contextlib import aclosing
from typing import Annotated, Any, TypeVar

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from app.api.schemas import (
    DisplayName,
    Gallery,
    ImageBytes,
    NewSubjectId,
    OneFaceSelection,
    OperatingPoint,
    SearchFaceSelection,
    SearchOperatingPoint,
    SubjectId,
    Threshold,
)
from app.config import LimitSettings
from app.errors import ImageTooLarge, UnsupportedMediaType

Body = TypeVar("Body", bound=BaseModel)


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _loads(text: str | bytes) -> Any:
    """`json.loads` without what is not JSON (NaN, Infinity), and with nesting too deep for Python's parser
    (about 1,000 levels, 2 KB of brackets) a ValueError like any other syntax error, not a RecursionError."""
    try:
        return json.loads(text, parse_constant=_not_json)
    except RecursionError as exc:
        raise ValueError("nested too deeply") from exc


def _json_object(value: Any) -> Any:
    """Multipart carries `metadata` as text: accept a JSON object written out."""
    if isinstance(value, str):
        try:
            return _loads(value)
        except ValueError as exc:
            raise ValueError(f"metadata must be a JSON object ({exc})") from exc
    return value


Metadata = Annotated[dict[str, Any] | None, BeforeValidator(_json_object)]
ModelName = Annotated[
    str | None, Field(None, description="Model (see /v1/models); the default if omitted.")
]
_RULES = ("`primary` (default): the face the photo is of, by size, nearness to the centre and detection score; "
          "`center`: the face nearest the centre; `largest`: the biggest")
OneFace = Annotated[OneFaceSelection, Field(
    description=f"Which face of the photo to use. {_RULES}; `require_single`: refuse a photo with several faces "
    "(MULTIPLE_FACES).")]
SearchFaces = Annotated[SearchFaceSelection, Field(
    description=f"Which faces of the photo to search for. {_RULES}; `all`: every face, each with its own answer.")]


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

    subject: NewSubjectId
    gallery: Gallery = "default"
    images: list[ImageBytes] = Field(min_length=1, description="One face each.")
    name: DisplayName | None = None
    metadata: Metadata = None
    face_selection: OneFace = OneFaceSelection.PRIMARY
    model: ModelName = None


class VerifyRequest(_Decided):
    model_config = ConfigDict(extra="forbid")

    image_a: ImageBytes | None = None
    image_b: ImageBytes | None = None
    image: ImageBytes | None = None
    subject: SubjectId | None = None
    gallery: Gallery = "default"
    face_selection: OneFace = OneFaceSelection.PRIMARY
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

    operating_point: SearchOperatingPoint | None = Field(  # type: ignore[assignment]
        None, description="Threshold from the pipeline's calibration: `fpir_1e-2` (the default) matches a stranger "
        "to someone in this gallery once in 100 searches, whatever its size; `fmr_1e-6` is a false-match rate per "
        "comparison.")

    image: ImageBytes
    gallery: Gallery = "default"
    top_k: int = Field(5, ge=1, le=100)
    face_selection: SearchFaces = SearchFaceSelection.PRIMARY
    model: ModelName = None


BODIES = (EnrollRequest, VerifyRequest, IdentifyRequest)
IMAGE_FIELDS = {"images", "image", "image_a", "image_b"}
LIST_FIELDS = {"images"}


# Starlette's messages for the parts over a limit (the others are malformed multipart).
_PART_LIMITS = ("Too many files", "Too many fields", "Part exceeded")


async def _read_json(request: Request) -> Any:
    try:
        return _loads(await request.body() or b"null")
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors too
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body",), "msg": str(exc), "input": None}]) \
            from exc


async def _read_form(request: Request, limits: LimitSettings) -> dict[str, Any]:
    """Starlette's parser is used directly because `request.form()` answers a part over a limit with a 400."""
    async with aclosing(request.stream()) as stream:
        parser = MultiPartParser(request.headers, stream, max_files=limits.max_images_per_request + 2,
                                 max_fields=32, max_part_size=limits.max_text_bytes)
        try:
            form = await parser.parse()
        except MultiPartException as exc:
            raise HTTPException(413 if exc.message.startswith(_PART_LIMITS) else 400, exc.message) from exc
    try:
        data: dict[str, Any] = {}
        for key in form:
            values: list[bytes | str] = []
            for value in form.getlist(key):
                if isinstance(value, UploadFile):
                    content = await value.read(limits.max_image_bytes + 1)
                    if len(content) > limits.max_image_bytes:
                        raise ImageTooLarge(f"{key}: over the limit of {limits.max_image_bytes} bytes")
                    values.append(content)
                elif value:  # an empty text field, as HTML forms send for one left blank, is an absent one
                    values.append(value)
            if values:
                data[key] = values if key in LIST_FIELDS else values[-1]
        return data
    finally:
        await form.close()


async def parse_body(request: Request, model: type[Body], limits: LimitSettings, media_type: str) -> Body:
    """Read and validate `model` from the operation's one content type: `multipart/form-data` (files) or
    `application/json` (base64). The other is refused with 415, naming the operation that takes it."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != media_type and not (media_type == "application/json" and content_type == ""):
        path = request.url.path
        other = path.removesuffix("/json") if media_type == "application/json" else path + "/json"
        raise UnsupportedMediaType(f"{path} takes {media_type}, not {content_type or 'a body without a type'!r}; "
                                   f"{other} takes the other form")
    if content_type == "multipart/form-data":
        data = await _read_form(request, limits)
    else:
        data = await _read_json(request)
    if not isinstance(data, dict):
        raise RequestValidationError([{"type": "model_type", "loc": ("body",), "msg": "expected a JSON object",
                                       "input": None}])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_input=False)) from exc
