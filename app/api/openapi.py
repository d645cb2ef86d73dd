"""OpenAPI pieces FastAPI cannot infer: bodies accepted as JSON or multipart, and the problem responses."""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel

from app.api.schemas import ImageData, Problem
from app.config import LimitSettings

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


def request_body(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` documenting `model` as a JSON body (base64 images) or a multipart form (files). In the
    form, optional fields lose their `null` branch (an empty field counts as absent) and `metadata` is text."""
    schema = model.model_json_schema()
    schema.pop("title", None)
    form = _swap_images(schema, _IMAGE_FILE)
    form["properties"] = {
        key: ({"type": "string", "contentMediaType": "application/json",
               "description": "A JSON object, as text."} if key == "metadata" else _without_null(value))
        for key, value in form["properties"].items()
    }
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": _swap_images(schema, _IMAGE_JSON)},
                "multipart/form-data": {"schema": form},
            },
        }
    }


# What any operation that needs a key can answer besides its own errors.
AUTH_ERRORS = (401, 403, 429)


def problems(*statuses: int, authenticated: bool = True) -> dict[int | str, dict[str, Any]]:
    """`responses` entries for the error statuses an operation can answer, all with the problem schema;
    `authenticated` operations add those of the key check."""
    statuses = tuple(sorted(set(statuses) | (set(AUTH_ERRORS) if authenticated else set())))
    descriptions = {
        400: "Malformed request", 401: "No API key, or an unknown, expired or revoked one",
        403: "The key lacks the operation's scope", 404: "Not found", 409: "Conflict",
        413: "Image or request too large", 415: "Unsupported media type", 422: "Invalid request or unusable image",
        429: "Rate limit of the key reached (see Retry-After)", 503: "Not ready, or overloaded (see Retry-After)",
    }
    schema = {"$ref": "#/components/schemas/Problem"}
    return {
        status: {"description": descriptions[status], "content": {PROBLEM_JSON: {"schema": schema}}}
        for status in statuses
    }


def add_shared_schemas(spec: dict[str, Any]) -> dict[str, Any]:
    """Register the schemas referenced only from hand-written request bodies and error responses, and drop
    FastAPI's own validation-error schema: every error, validation included, is a Problem."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas["ImageData"] = ImageData.model_json_schema()
    schemas["Problem"] = Problem.model_json_schema()
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    return spec


def declare_limits(spec: dict[str, Any], limits: LimitSettings) -> dict[str, Any]:
    """Write the configured limits that request models cannot know when they are declared into the document
    (a copy: FastAPI shares the `openapi_extra` dicts between apps)."""
    spec = copy.deepcopy(spec)
    for media in spec["paths"]["/v1/enroll"]["post"]["requestBody"]["content"].values():
        media["schema"]["properties"]["images"]["maxItems"] = limits.max_images_per_request
    return spec
