"""What web browsers may do with facegate: security headers on every answer, and cross-origin access only for the
operator's `http.cors_origins`.

Answers carry faces, embeddings and keys, so by default no page of another origin may read them (no CORS), frame
them, sniff them into scripts or keep them in a cache. CORS alone does not stop a page of another origin from
*sending* a simple request (a multipart POST needs no preflight), so unsafe methods coming from another origin are
refused before they reach a route, the way Go's `http.CrossOriginProtection` does: by `Sec-Fetch-Site` where the
browser sends it, else by comparing `Origin` with `Host`. Clients other than browsers send neither and pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import problem
from app.config import HttpSettings

API_POLICY = "default-src 'none'; frame-ancestors 'none'"
_EVERY_ANSWER = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SecurityHeaders:
    """Adds the headers above to every answer (a pure ASGI middleware: no extra task per request).

    A page that needs another Content-Security-Policy (the docs) sets its own; /v1 answers are never cached.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"].removeprefix(scope.get("root_path", ""))
        api = path == "/v1" or path.startswith("/v1/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _EVERY_ANSWER.items():
                    headers[name] = value
                if "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = API_POLICY
                if api or "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CrossOriginGuard:
    """Refuses unsafe requests sent by a browser from an origin that is neither this server nor trusted."""

    def __init__(self, app: ASGIApp, trusted: Iterable[str]) -> None:
        self.app = app
        self.trusted = frozenset(trusted)

    def _cross_origin(self, headers: Headers) -> bool:
        origin = headers.get("origin")
        if origin is not None and (origin in self.trusted or "*" in self.trusted):
            return False
        site = headers.get("sec-fetch-site")
        if site is not None:
            return site not in {"same-origin", "none"}
        if origin is None:
            return False
        return urlsplit(origin).netloc.lower() != headers.get("host", "").lower()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in _SAFE_METHODS and self._cross_origin(
                Headers(scope=scope)):
            response = problem(Request(scope, receive), 403, "CROSS_ORIGIN_REFUSED", "Cross-origin request refused",
                               "this origin may not call the API (see the http.cors_origins setting)")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def add_cors(app: FastAPI, http: HttpSettings) -> None:
    """CORS for the configured origins only; none configured, no CORS at all (preflights are refused).

    Keys travel as `Authorization: Bearer`, never as cookies, so credentials stay off.
    """
    if http.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=http.cors_origins, allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After", "Server-Timing"], max_age=600)
