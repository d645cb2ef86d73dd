"""Dependencies shared by the routes: the services and settings built at start-up."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.config import LimitSettings
from app.errors import ServiceNotReady
from app.services.container import Services


def get_services(request: Request) -> Services:
    services = getattr(request.app.state, "services", None)
    if services is None:
        raise ServiceNotReady("the models are still loading")
    return services


def get_limits(request: Request) -> LimitSettings:
    return request.app.state.settings.limits


ServicesDep = Annotated[Services, Depends(get_services)]
LimitsDep = Annotated[LimitSettings, Depends(get_limits)]
