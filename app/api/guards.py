"""Checks on the raw request before any route sees it: the body's size, and a NUL in the URL.

A body is capped per operation while it streams in. Enroll, verify and identify take their images (at most
`max_image_bytes` each, 4/3 more as base64 in JSON) plus `max_text_bytes` for the other fields; every other body
(a subject's changes, a new key) takes `max_text_bytes`. A `Content-Length` over the cap is answered at once,
unread; a body that grows past it (chunked, or longer than declared) is cut off at the first chunk beyond it,
by raising from `receive`: an `HTTPException` there passes FastAPI's own body parsing, which would answer any
other exception with a 400. Both answer 413 REQUEST_TOO_LARGE.

FastAPI's own `max_body_size` is not used: it is fixed when a route is declared, before the settings are read,
and for an over-long `Content-Length` it answers in plain text instead of a problem.

No id can hold U+0000 (PostgreSQL refuses it in text, so a lookup would fail with a 500), so a URL whose path
holds one is refused with 400 here, for every route at once.
"""

from __future__ import annotations

import re

from fastapi import HTTPException, Request
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import problem
from app.config import LimitSettings

# The one text body that is large by nature: a gallery's faces, exported elsewhere.
_IMPORT = re.compile(r"^/v1/galleries/[^/]+/import$")
# Images an operation takes; any other body holds text only.
_IMAGES = {"/v1/verify": 2, "/v1/identify": 1, "/v1/verify/json": 2, "/v1/identify/json": 1}


class RequestGuard:
    def __init__(self, app: ASGIApp, limits: LimitSettings) -> None:
        self.app = app
        self.limits = limits
        self.images = {**_IMAGES, "/v1/enroll": limits.max_images_per_request,
                       "/v1/enroll/json": limits.max_images_per_request}

    def body_cap(self, scope: Scope, headers: Headers) -> int:
        image_bytes = self.limits.max_image_bytes
        if not headers.get("content-type", "").lower().startswith("multipart/"):
            image_bytes = image_bytes * 4 // 3  # base64 in JSON
        if _IMPORT.match(scope["path"]):
            return self.limits.max_import_bytes
        return self.images.get(scope["path"], 0) * image_bytes + self.limits.max_text_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"]:
            response = problem(Request(scope), 400, "BAD_REQUEST", "Bad request",
                               "the URL holds a NUL character (%00), which no id can contain")
            await response(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cap = self.body_cap(scope, headers)
        declared = headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > cap:
            response = problem(Request(scope), 413, "REQUEST_TOO_LARGE", "Request too large",
                               f"the body is {declared} bytes; this operation takes at most {cap}")
            await response(scope, receive, send)
            return
        received = 0

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > cap:
                raise HTTPException(413, f"the body is over {cap} bytes, the most this operation takes")
            return message

        await self.app(scope, capped_receive, send)
