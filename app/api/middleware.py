"""Per-request plumbing: a request id (accepted from the client or made here, echoed in `X-Request-ID` and in
every log line), the request-latency metric by route template and status, the request's stage timings as a
`Server-Timing` header (app/telemetry/timing.py); and the order of the middleware.

From the outside in: security headers (on every answer, even Starlette's last-resort 500), this observer (so
refused preflights, cross-origin refusals and 500s get a request id and a metric), CORS, the cross-origin guard,
then the failsafe that turns an unexpected error into a 500 problem.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from app.api.browser import CrossOriginGuard, SecurityHeaders, add_cors
from app.api.failsafe import Failsafe
from app.config import HttpSettings
from app.telemetry import timing
from app.telemetry.logging import request_id

HEADER = "X-Request-ID"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def install(app: FastAPI, http: HttpSettings) -> None:
    """Each `add_middleware` wraps the ones added before it: innermost first."""
    app.add_middleware(Failsafe)
    app.add_middleware(CrossOriginGuard, trusted=http.cors_origins)
    add_cors(app, http)

    @app.middleware("http")
    async def observe(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        incoming = request.headers.get(HEADER, "")
        current = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        # Not reset afterwards: each request runs in a task of its own, and uvicorn's access log line, written
        # as the response goes out, should carry the id too.
        request_id.set(current)
        timings = timing.start()
        start = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        template = getattr(route, "path", "unmatched")
        request.app.state.metrics.requests.labels(request.method, template, str(response.status_code)).observe(
            time.perf_counter() - start)
        response.headers[HEADER] = current
        if timings:
            response.headers[timing.HEADER] = timing.header(timings)
        return response

    app.add_middleware(SecurityHeaders)
