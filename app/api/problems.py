"""The single place where errors become HTTP responses: RFC 9457 problem details with a stable `code`."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.openapi import PROBLEM_JSON
from app.errors import FacegateError, LowQuality, NothingEnrolled

log = logging.getLogger(__name__)
TYPE_BASE = "https://facegate.dev/problems/"
_HTTP_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 400: "BAD_REQUEST", 413: "REQUEST_TOO_LARGE"}


def problem(request: Request, status: int, code: str, title: str, detail: str,
            errors: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    metrics = getattr(request.app.state, "metrics", None)
    if metrics is not None:
        metrics.errors.labels(code).inc()
    body: dict[str, Any] = {
        "type": TYPE_BASE + code.lower().replace("_", "-"),
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _clean(error: dict[str, Any]) -> dict[str, Any]:
    """Validation errors without echoing the input back (it can be a whole image)."""
    return {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", "")),
            "type": str(error.get("type", ""))}


async def _facegate_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FacegateError)
    if exc.status >= 500:
        log.error("%s: %s", exc.code, exc.detail)
    errors = None
    if isinstance(exc, NothingEnrolled):
        errors = exc.rejected
    elif isinstance(exc, LowQuality):
        errors = [{"code": reason} for reason in exc.reasons]
    return problem(request, exc.status, exc.code, exc.title, exc.detail, errors)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_clean(error) for error in exc.errors()]
    detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:5]) or "invalid request"
    return problem(request, 422, "VALIDATION_ERROR", "Invalid request", detail, errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, f"HTTP_{exc.status_code}")
    return problem(request, exc.status_code, code, code.replace("_", " ").capitalize(), str(exc.detail),
                   headers=getattr(exc, "headers", None))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return problem(request, 500, "INTERNAL_ERROR", "Internal error", "an unexpected error occurred; it has been logged")


def install(app: FastAPI) -> None:
    app.add_exception_handler(FacegateError, _facegate_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
