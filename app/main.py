"""The composition root: `create_app(settings)` builds everything once, in the lifespan, then serves."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine

from app.api import middleware, problems
from app.api.openapi import add_shared_schemas
from app.api.router import api_router
from app.config import Settings
from app.services.context import Services
from app.store import repository
from app.store.db import create_engine, session_factory
from app.store.index import SearchIndex
from app.telemetry.metrics import Metrics
from app.vision.pipeline import load_pipeline

log = logging.getLogger(__name__)


def _build_services(settings: Settings, engine: Engine, metrics: Metrics) -> Services:
    started = time.perf_counter()
    pipeline = load_pipeline(settings.runtime, settings.detection, settings.limits)
    pipeline.pipeline(settings.default_model)
    pipeline.warm_up()
    sessions = session_factory(engine)
    with sessions() as session:
        index = SearchIndex.build(repository.all_faces_for_index(session))
    metrics.model_load.set(time.perf_counter() - started)
    metrics.watch_galleries(index.galleries)
    log.info("ready: models %s, index %s", sorted(pipeline.embedders), index.galleries())
    return Services(pipeline, sessions, index, settings.decisions, settings.default_model, settings.quality,
                    metrics)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        app.state.engine = engine
        try:
            app.state.services = await run_in_threadpool(_build_services, settings, engine, app.state.metrics)
            yield
        finally:
            app.state.services = None
            engine.dispose()

    app = FastAPI(
        title="facegate",
        version="1.0.0",
        summary="Self-hosted face verification: enroll, verify and identify.",
        lifespan=lifespan,
        generate_unique_id_function=lambda route: route.name,  # operationId = function name: stable for SDKs
    )
    app.state.settings = settings
    app.state.services = None
    app.state.metrics = Metrics()
    problems.install(app)
    middleware.install(app)
    app.include_router(api_router)

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = add_shared_schemas(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
