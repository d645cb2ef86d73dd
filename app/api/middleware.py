"""Per-request plumbing: a request id (accepted from the client or made here, echoed in `X-Request-ID` and in
every log line) and the request-latency metric by route template and status."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from app.telemetry.logging import request_id

HEADER = "X-Request-ID"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def install(app: FastAPI) -> None:
    @app.middleware("http")
    async def observe(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        incoming = request.headers.get(HEADER, "")
        token = request_id.set(incoming if _VALID.match(incoming) else uuid.uuid4().hex)
        start = time.perf_counter()
        try:
            response = await call_next(request)
        finally:
            current = request_id.get()
            request_id.reset(token)
        route = request.scope.get("route")
        template = getattr(route, "path", "unmatched")
        request.app.state.metrics.requests.labels(request.method, template, str(response.status_code)).observe(
            time.perf_counter() - start)
        response.headers[HEADER] = current or ""
        return response
