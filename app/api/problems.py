"""The single place where errors become HTTP responses: RFC 9457 problem details with a stable `code`."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match

from app.api.openapi import PROBLEM_JSON
from app.errors import FacegateError, LowQuality, NothingEnrolled, Overloaded, Unauthenticated

log = logging.getLogger(__name__)
TYPE_BASE = "https://facegate.dev/problems/"
_HTTP_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 400: "BAD_REQUEST", 413: "REQUEST_TOO_LARGE"}
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


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
    if isinstance(exc, Overloaded):  # the service protecting itself, as designed: worth a line, not an alert
        log.warning("%s: %s", exc.code, exc.detail)
    elif exc.status >= 500:
        log.error("%s: %s", exc.code, exc.detail)
    errors = None
    if isinstance(exc, NothingEnrolled):
        errors = exc.rejected
    elif isinstance(exc, LowQuality):
        errors = [asdict(failure) for failure in exc.failures]
    if isinstance(exc, Unauthenticated):
        log.warning("unauthenticated request from %s: %s", request.client.host if request.client else "?", exc.detail)
    await _audit_failure(request, exc.code)
    return problem(request, exc.status, exc.code, exc.title, exc.detail, errors, headers=exc.headers() or None)


# Operations whose every outcome is audited: the biometric ones, the writes and the key events. Successes are
# recorded by the services (in the transaction of the change); failures here.
AUDITED = frozenset({"enroll", "verify", "identify", "update_subject", "delete_subject", "delete_face",
                     "delete_gallery", "export_gallery", "import_gallery", "create_key", "revoke_key"})


async def _audit_failure(request: Request, outcome: str) -> None:
    """A failed audited operation of a known key, or any operation refused for its scope, goes into the trail."""
    caller = getattr(request.state, "caller", None)
    services = getattr(request.app.state, "services", None)
    operation = getattr(request.scope.get("route"), "name", None)
    if operation is not None:  # `enroll_json` is `enroll` with its images in JSON: one operation in the trail
        operation = operation.removesuffix("_json")
    if caller is None or services is None or (operation not in AUDITED and outcome != "FORBIDDEN"):
        return
    await run_in_threadpool(services.audit.record_now, caller.actor, operation, outcome=outcome,
                            gallery=caller.target_gallery, subject=request.path_params.get("subject"))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_clean(error) for error in exc.errors()]
    detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:5]) or "invalid request"
    await _audit_failure(request, "VALIDATION_ERROR")
    return problem(request, 422, "VALIDATION_ERROR", "Invalid request", detail, errors)


def _allowed_methods(request: Request) -> str:
    """Every method some route takes on this path: Starlette's 405 names those of the first route only. Each
    method is tried against the router (routes can sit in nested routers), not read from route objects."""
    routes = [route for route in request.app.router.routes if isinstance(route, BaseRoute)]
    return ", ".join(method for method in _METHODS if any(
        route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "BAD_REQUEST" if exc.status_code < 500 else "INTERNAL_ERROR")
    headers = getattr(exc, "headers", None)
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": _allowed_methods(request)}
    return problem(request, exc.status_code, code, code.replace("_", " ").capitalize(), str(exc.detail),
                   headers=headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's last resort, for an error in the middleware outside `app.api.failsafe` (which answers every
    error inside it, without dropping the connection)."""
    log.exception("unhandled error", exc_info=exc)
    return problem(request, 500, "INTERNAL_ERROR", "Internal error", "an unexpected error occurred; it has been logged")


def install(app: FastAPI) -> None:
    app.add_exception_handler(FacegateError, _facegate_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
