"""The last handler of a request: an exception no route expected becomes a 500 problem, and the connection lives on.

Starlette's own last resort (ServerErrorMiddleware) re-raises after answering, so uvicorn logs the error a second
time and closes the connection: the next request a client sends on that keep-alive connection fails. Here the
error is logged once, with its traceback (the JSON log line carries the request id), answered, and swallowed.
A client that goes away while sending its body is not a server error: one line, no traceback, no 500.
"""

from __future__ import annotations

import logging

from fastapi import Request
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import problem

log = logging.getLogger(__name__)
CLIENT_CLOSED = 499  # nginx's "client closed request": never reaches the client, but metrics tell it apart


class Failsafe:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except ClientDisconnect:
            log.info("client disconnected before its request body was read: %s %s", scope["method"], scope["path"])
            if not started:
                response = problem(Request(scope, receive), CLIENT_CLOSED, "CLIENT_DISCONNECTED",
                                   "Client disconnected", "the client went away before its request was read")
                await response(scope, receive, send)
        except Exception:
            if started:  # part of an answer is out: closing the connection is the only honest end
                raise
            log.exception("unhandled error: %s %s", scope["method"], scope["path"])
            response = problem(Request(scope, receive), 500, "INTERNAL_ERROR", "Internal error",
                               "an unexpected error occurred; it has been logged")
            await response(scope, receive, send)
