"""Who is calling: the bearer key checked, rate-limited and held to the operation's scope, once per request.

Routes declare the scope they need through the `*Caller` aliases below; the OpenAPI document then shows the
bearer scheme on exactly those operations. A gallery the key may not touch is answered as a gallery that does
not exist (`Caller.gallery`), word for word.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.api.deps import get_services
from app.errors import Forbidden, GalleryNotFound, Unauthenticated
from app.services.audit import Actor
from app.services.keys import ANYONE, Principal, Scope
from app.telemetry.logging import request_id

bearer = HTTPBearer(
    auto_error=False, scheme_name="ApiKey", bearerFormat="fg_<id>_<secret>",
    description="An API key, sent as `Authorization: Bearer fg_...`. Keys are scoped to operations and galleries.",
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


@dataclass
class Caller:
    principal: Principal
    actor: Actor
    scope: Scope | None
    target_gallery: str | None = None

    def gallery(self, name: str) -> str:
        """`name`, if this key may touch it; otherwise the same 404 a gallery that does not exist gets. Either way
        `name` becomes the request's target gallery (`target_gallery`): the audit entry of a refusal names it."""
        self.target_gallery = name
        if not self.principal.may_touch(name):
            raise GalleryNotFound.named(name)
        return name


def require(scope: Scope | None) -> Callable[[Request, Credentials], Awaitable[Caller]]:
    async def authorize(request: Request, credentials: Credentials) -> Caller:
        services = get_services(request)
        if not services.auth_enabled:
            principal = ANYONE
        elif credentials is None:
            raise Unauthenticated("this operation needs an API key: send `Authorization: Bearer <key>`")
        else:
            principal = await run_in_threadpool(services.keys.authenticate, credentials.credentials)
        services.limiter.take(principal.key_id or "anonymous")
        caller = Caller(principal, Actor(principal.key_id, request_id.get()), scope)
        request.state.caller = caller
        if scope is not None and not principal.allows(scope):
            raise Forbidden(f"this key lacks the {scope.value!r} scope")
        return caller

    return authorize


AnyCaller = Annotated[Caller, Depends(require(None))]
"""Any valid key, whatever its scopes."""
EnrollCaller = Annotated[Caller, Depends(require(Scope.ENROLL))]
VerifyCaller = Annotated[Caller, Depends(require(Scope.VERIFY))]
IdentifyCaller = Annotated[Caller, Depends(require(Scope.IDENTIFY))]
ReadCaller = Annotated[Caller, Depends(require(Scope.SUBJECTS_READ))]
WriteCaller = Annotated[Caller, Depends(require(Scope.SUBJECTS_WRITE))]
AdminCaller = Annotated[Caller, Depends(require(Scope.ADMIN))]
