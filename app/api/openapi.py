"""OpenAPI pieces FastAPI cannot infer: the image bodies (JSON or multipart), and the problem responses."""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel

from app.api.codes import STATUS
from app.api.requests import BODIES
from app.api.schemas import ImageData, Problem
from app.config import LimitSettings
from app.errors import FacegateError

PROBLEM_JSON = "application/problem+json"
_IMAGE_JSON = {"$ref": "#/components/schemas/ImageData"}
_IMAGE_FILE = {"type": "string", "format": "binary", "contentMediaType": "application/octet-stream"}


def _swap_images(node: Any, image: dict[str, Any]) -> Any:
    """Replace each bytes field of a request schema with the image form of one content type."""
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("format") == "binary":
            return copy.deepcopy(image)
        return {key: _swap_images(value, image) for key, value in node.items()}
    if isinstance(node, list):
        return [_swap_images(value, image) for value in node]
    return node


def _without_null(field: dict[str, Any]) -> dict[str, Any]:
    """A form field's schema without the `null` branch: a form field is absent or text, never null."""
    branches = [branch for branch in field.get("anyOf", []) if branch.get("type") != "null"]
    if not branches:
        return field
    rest = {key: value for key, value in field.items() if key not in {"anyOf", "default"}}
    if field.get("default") is not None:
        rest["default"] = field["default"]
    return {**branches[0], **rest} if len(branches) == 1 else {**rest, "anyOf": branches}


JSON = "application/json"
MULTIPART = "multipart/form-data"


def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema(ref_template="#/components/schemas/{model}")


def request_body(model: type[BaseModel], media_type: str) -> dict[str, Any]:
    """`openapi_extra` documenting `model` as the operation's one body: a JSON object with base64 images, or a
    multipart form with files. One content type per operation, because SDK generators handle a body of two kinds
    badly or not at all (docs/decisions.md). In the form, optional fields lose their `null` branch (an empty
    field counts as absent) and `metadata` is text."""
    schema = _schema(model)
    schema.pop("$defs", None)  # the enums it names: components of their own (`add_shared_schemas`)
    schema.pop("title", None)
    if media_type == JSON:
        body = _swap_images(schema, _IMAGE_JSON)
    else:
        body = _swap_images(schema, _IMAGE_FILE)
        body["properties"] = {
            key: ({"type": "string", "contentMediaType": "application/json",
                   "description": "A JSON object, as text."} if key == "metadata" else _without_null(value))
            for key, value in body["properties"].items()
        }
    return {"requestBody": {"required": True, "content": {media_type: {"schema": body}}}}


# The codes any operation can answer, whatever it does: a body over its cap (the request guard, even on a GET),
# and the last resort.
EVERY_OPERATION = ("REQUEST_TOO_LARGE", "INTERNAL_ERROR")
# Those of an operation with parameters or a body (FastAPI's validation; a body FastAPI cannot parse, or a NUL
# in a path parameter, is a 400), and those of the key check (app/api/auth.py: the services must be up to check a key).
VALIDATION = ("VALIDATION_ERROR",)
MALFORMED = ("BAD_REQUEST",)
KEY_CHECK = ("UNAUTHENTICATED", "FORBIDDEN", "RATE_LIMITED", "NOT_READY")
# A browser's request of another origin, refused before any route for every method that changes something.
CROSS_ORIGIN = ("CROSS_ORIGIN_REFUSED",)
_DESCRIPTIONS = {
    400: "Malformed request", 401: "No API key, or an unknown, expired or revoked one",
    403: "Not allowed: the key lacks the operation's scope, or a browser page of another origin sent it",
    404: "Not found", 409: "Conflict", 413: "Image or request too large", 415: "Unsupported media type",
    422: "Invalid request or unusable image", 429: "Rate limit of the key reached (see Retry-After)",
    500: "Server failure (logged; the code says which)", 503: "Not ready, or overloaded (see Retry-After)",
}
CODES_KEY = "x-problem-codes"


def problems(*raised: type[FacegateError] | str) -> dict[int | str, dict[str, Any]]:
    """`responses` entries for the problems an operation's own work can raise (error classes or HTTP-layer
    codes), by status; `declare_problems` adds those every operation shares when the document is built."""
    responses: dict[int | str, dict[str, Any]] = {}
    for code in sorted({item if isinstance(item, str) else item.code for item in raised}):
        responses.setdefault(STATUS[code], {CODES_KEY: []})[CODES_KEY].append(code)
    return responses


def declare_problems(spec: dict[str, Any]) -> dict[str, Any]:
    """Give every operation the problems it shares with others (`EVERY_OPERATION`, validation where it takes
    input, the key check where it needs a key, the cross-origin refusal where it changes something), and write
    each error response out in full: the Problem schema, and a description and `x-problem-codes` listing the
    codes it can carry."""
    problem = {"$ref": "#/components/schemas/Problem"}
    for operations in spec["paths"].values():
        for method, operation in operations.items():
            parameters = {parameter["in"] for parameter in operation.get("parameters", [])}
            shared = [*EVERY_OPERATION, *(KEY_CHECK if operation.get("security") else ()),
                      *(VALIDATION if parameters or "requestBody" in operation else ()),
                      *(MALFORMED if "path" in parameters or "requestBody" in operation else ()),
                      *(CROSS_ORIGIN if method in {"post", "put", "patch", "delete"} else ())]
            responses = operation.setdefault("responses", {})
            for status, entry in problems(*shared).items():
                codes = responses.setdefault(str(status), {}).setdefault(CODES_KEY, [])
                codes[:] = sorted(set(codes) | set(entry[CODES_KEY]))
            for status, response in responses.items():
                if CODES_KEY in response:
                    codes = response[CODES_KEY]
                    response["description"] = f"{_DESCRIPTIONS[int(status)]}: {', '.join(codes)}."
                    response["content"] = {PROBLEM_JSON: {"schema": problem}}
            operation["responses"] = dict(sorted(responses.items()))
    return spec


def add_shared_schemas(spec: dict[str, Any]) -> dict[str, Any]:
    """Register the schemas referenced only from hand-written request bodies and error responses, and drop
    FastAPI's own validation-error schema: every error, validation included, is a Problem."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for model in (ImageData, Problem):
        schema = _schema(model)
        schemas.update(schema.pop("$defs", {}))  # ProblemCode, the enum of codes
        schemas[model.__name__] = schema
    for body in BODIES:  # documented through `request_body`: their enums are components like any other
        schemas.update(_schema(body).get("$defs", {}))
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    return spec


def declare_limits(spec: dict[str, Any], limits: LimitSettings) -> dict[str, Any]:
    """Write the configured limits that request models cannot know when they are declared into the document."""
    for path in ("/v1/enroll", "/v1/enroll/json"):
        for media in spec["paths"][path]["post"]["requestBody"]["content"].values():
            media["schema"]["properties"]["images"]["maxItems"] = limits.max_images_per_request
    return spec


def document(generated: dict[str, Any], limits: LimitSettings) -> dict[str, Any]:
    """The app's OpenAPI document: FastAPI's, with what it cannot infer added. Made on a copy, because FastAPI
    shares the routes' `responses` and `openapi_extra` dicts between apps, and the steps above write in place."""
    spec = copy.deepcopy(generated)
    return declare_limits(declare_problems(add_shared_schemas(spec)), limits)
