"""Models and health: what is loaded, is the process alive, is it ready to serve."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from prometheus_client import CONTENT_TYPE_LATEST

from app.api import schemas
from app.api.auth import AnyCaller, Credentials, require
from app.api.deps import ServicesDep
from app.api.openapi import problems
from app.errors import NotFound, ServiceNotReady
from app.services.keys import Scope
from app.store.db import ping

router = APIRouter()


@router.get("/v1/models", response_model=schemas.ModelList, tags=["models"], responses=problems())
async def list_models(services: ServicesDep, _caller: AnyCaller) -> schemas.ModelList:
    """The models a request can choose, each with its version, and the network files they are made of, with their
    cards: provenance, input contract, measured accuracy and calibration."""
    return schemas.ModelList(
        models=[
            schemas.ModelInfo.model_validate({**pipeline.record.model_dump(exclude={"parts"}), "name": name,
                                              "networks": pipeline.record.parts, "version": pipeline.version,
                                              "default": name == services.default_model})
            for name, pipeline in services.pipeline.pipelines.items()
        ],
        networks=[schemas.NetworkInfo.model_validate(card.model_dump()) for card in services.pipeline.cards],
    )


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, credentials: Credentials) -> Response:
    """Prometheus exposition format (text), for scrapers rather than API clients: behind an admin key unless the
    operator made it public (then without gallery names) or turned it off."""
    mode = request.app.state.settings.http.metrics
    if mode == "off":
        raise NotFound("metrics are turned off (FACEGATE_HTTP__METRICS)")
    if mode == "key":
        await require(Scope.ADMIN)(request, credentials)
    return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE_LATEST)


@router.get("/healthz", response_model=schemas.Health, tags=["health"])
async def healthz() -> schemas.Health:
    """The process is alive."""
    return schemas.Health(status="ok")


@router.get("/readyz", response_model=schemas.Health, tags=["health"],
            responses=problems(ServiceNotReady, "SEALING_ERROR"))
async def readyz(request: Request) -> schemas.Health:
    """Models loaded and warmed up, the database reachable, and the search index in step with it (a process
    whose index cannot apply a change is taken out of rotation rather than answering from stale data)."""
    services = getattr(request.app.state, "services", None)
    if services is None:
        raise ServiceNotReady("the models are still loading")
    if not await run_in_threadpool(ping, request.app.state.engine):
        raise ServiceNotReady("the database is unreachable")
    await run_in_threadpool(services.search.catch_up)
    return schemas.Health(status="ready")
