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

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.browser import CrossOriginGuard, SecurityHeaders, add_cors
from app.api.failsafe import Failsafe
from app.config import HttpSettings
from app.telemetry import timing
from app.telemetry.logging import request_id

HEADER = "X-Request-ID"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class Observer:
    """The request id, the latency metric and the Server-Timing header, as plain ASGI: Starlette's
    `BaseHTTPMiddleware` would run the rest of the request in a task of its own and stream its answer back
    through a memory channel, a cost every request paid for nothing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get(HEADER, "")
        current = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        # Not reset afterwards: uvicorn's access log line, written as the response goes out, carries it too.
        request_id.set(current)
        timings = timing.start()
        start = time.perf_counter()
        status = 500  # what the client gets if no answer starts (the server's last resort)

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers[HEADER] = current
                if timings:
                    headers[timing.HEADER] = timing.header(timings)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            template = getattr(scope.get("route"), "path", "unmatched")
            scope["app"].state.metrics.requests.labels(scope["method"], template, str(status)).observe(
                time.perf_counter() - start)


def install(app: FastAPI, http: HttpSettings) -> None:
    """Each `add_middleware` wraps the ones added before it: innermost first."""
    app.add_middleware(Failsafe)
    app.add_middleware(CrossOriginGuard, trusted=http.cors_origins)
    add_cors(app, http)
    app.add_middleware(Observer)
    app.add_middleware(SecurityHeaders)
