"""The composition root: `create_app(settings)` builds everything once, in the lifespan, then serves."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.api import middleware, openapi, problems
from app.api.guards import RequestGuard
from app.api.router import api_router
from app.api.routes import console
from app.config import DEFAULT_MODEL, Settings
from app.errors import ConfigurationError
from app.services import bootstrap, templates
from app.services.audit import AuditLog
from app.services.container import Services
from app.services.keys import KeyService
from app.services.ratelimit import RateLimiter
from app.services.search import DatabaseSearch, IndexedPipeline, InProcessSearch, TemplateSearch
from app.services.workqueue import ModelQueue
from app.store import pins
from app.store.db import create_engine, session_factory
from app.store.sealing import Sealer
from app.telemetry.logging import configure as configure_logging
from app.telemetry.metrics import Metrics
from app.vision.pipeline import load_pipeline
from app.vision.pipelines import EmbeddingPipeline

log = logging.getLogger(__name__)


# How often the audit log and the change log are pruned, besides at start-up.
PRUNE_EVERY_S = 3600


def _secret(value: SecretStr | None) -> str | None:
    """The secret, or None when unset or empty (compose passes unset variables as empty strings)."""
    return (value.get_secret_value() if value is not None else None) or None


def key_service(settings: Settings, sessions: sessionmaker[Session], *, bootstrap_admin: bool = True) -> KeyService:
    """The key service with its pepper; on a first start, also the admin key in the data folder."""
    auth = settings.auth
    pepper = bootstrap.load_pepper(_secret(auth.pepper), auth.pepper_file or settings.data_dir / "pepper")
    admin_secret = _secret(settings.admin_key)
    if admin_secret is not None and len(admin_secret) < 32:
        raise ConfigurationError("FACEGATE_ADMIN_KEY must be at least 32 characters (e.g. `openssl rand -hex 32`)")
    keys = KeyService(sessions, pepper, admin_secret=admin_secret, touch_every_s=auth.last_used_resolution_s)
    if not auth.enabled:
        log.warning("AUTHENTICATION IS OFF (FACEGATE_AUTH__ENABLED=false): anyone who reaches this port can "
                    "enroll, identify and delete. For local experiments only.")
    elif admin_secret is None and bootstrap_admin:
        bootstrap.ensure_admin_key(keys, auth.admin_key_file or settings.data_dir / "admin.key")
    return keys


def sealer(settings: Settings) -> Sealer | None:
    """The embedding sealer when encryption at rest is configured (server and command line alike)."""
    key = _secret(settings.privacy.embedding_key)
    return Sealer.from_base64(key) if key else None


def default_model(settings: Settings, sessions: sessionmaker[Session]) -> str:
    """The pipeline requests get when they name none: FACEGATE_DEFAULT_MODEL, else the one this database is pinned
    to, else the release's. Read from the database, so every worker and replica on it agrees."""
    if settings.default_model:
        return settings.default_model
    with sessions() as session:
        pin = pins.pinned(session, "default_model")
    if pin is None:
        return DEFAULT_MODEL
    log.warning("default model: %s, pinned by this database (%s), not this release's %s; set "
                "FACEGATE_DEFAULT_MODEL to choose (README, Upgrading from fusion)", pin.value, pin.reason,
                DEFAULT_MODEL)
    return pin.value


def choose_search(settings: Settings, engine: Engine, sessions: sessionmaker[Session],
                  pipelines: Iterable[EmbeddingPipeline]) -> TemplateSearch:
    """The search backend settings.search.backend asks for. The database searches only vectors it can read: with
    embeddings encrypted at rest (privacy.embedding_key) it holds none in clear, so `auto` falls back to the
    in-process index, and `database` is refused rather than silently not honoured."""
    wanted = settings.search.backend
    postgres = engine.dialect.name == "postgresql"
    encrypted = _secret(settings.privacy.embedding_key) is not None
    if wanted == "database" and not postgres:
        raise ConfigurationError(f"FACEGATE_SEARCH__BACKEND=database needs PostgreSQL with pgvector, not "
                                 f"{engine.dialect.name}; use `auto` or `memory`")
    if wanted == "database" and encrypted:
        raise ConfigurationError("FACEGATE_SEARCH__BACKEND=database cannot search embeddings encrypted at rest "
                                 "(FACEGATE_PRIVACY__EMBEDDING_KEY is set); use `auto` or `memory`")
    if wanted == "memory" or not postgres or encrypted:
        why = "asked for"
        if wanted != "memory":
            why = ("embeddings are encrypted at rest, so the database cannot search them" if postgres
                   else f"{engine.dialect.name} has no vector search")
        log.info("search backend: in-process index following the change log (%s)", why)
        return InProcessSearch(engine, sessions, exact_below=settings.search.exact_below,
                               candidates=settings.search.candidates)
    log.info("search backend: pgvector in the database (%s)", "asked for" if wanted == "database" else "auto")
    search = settings.search
    return DatabaseSearch(engine, [IndexedPipeline(p.name, p.version, p.dim) for p in pipelines],
                          candidates=search.candidates, exact_below=search.exact_below, ef_search=search.ef_search,
                          build_memory=search.index_build_memory)


def _build_services(settings: Settings, engine: Engine, metrics: Metrics) -> Services:
    started = time.perf_counter()
    pipeline = load_pipeline(settings.runtime, settings.detection, settings.limits)
    sessions = session_factory(engine, sealer(settings))
    model = default_model(settings, sessions)
    pipeline.pipeline(model)
    pipeline.warm_up()
    keys = key_service(settings, sessions)
    audit = AuditLog(sessions, settings.privacy.audit_retention_days)
    audit.prune()
    templates.prune_changes(sessions)
    templates.prepare(sessions, pipeline.pipelines.values())
    search = choose_search(settings, engine, sessions, pipeline.pipelines.values())
    search.rebuild()
    metrics.model_load.set(time.perf_counter() - started)
    metrics.watch_galleries(search.gallery_sizes, by_gallery=settings.http.metrics != "public")
    log.info("ready: models %s, galleries %s", sorted(pipeline.embedders), search.gallery_sizes())
    abuse = settings.abuse
    return Services(pipeline, sessions, search, settings.decisions, model, settings.quality,
                    metrics, keys, audit, RateLimiter(abuse.rate_per_second, abuse.burst),
                    ModelQueue(abuse.model_threads, abuse.max_queue_seconds), auth_enabled=settings.auth.enabled)


async def _prune_forever(services: Services) -> None:
    while True:
        await asyncio.sleep(PRUNE_EVERY_S)
        try:
            await run_in_threadpool(services.audit.prune)
            await run_in_threadpool(templates.prune_changes, services.sessions)
        except SQLAlchemyError as exc:  # the database is away for a while: try again next time
            log.warning("pruning failed: %s", exc)


def worker_app() -> FastAPI:
    """What each worker of `serve --workers N` runs: its own logging and settings, from the same environment."""
    configure_logging()
    return create_app()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        app.state.engine = engine
        pruning = None
        try:
            services = await run_in_threadpool(_build_services, settings, engine, app.state.metrics)
            app.state.services = services
            pruning = asyncio.create_task(_prune_forever(services))
            yield
        finally:
            if pruning is not None:
                pruning.cancel()
            if app.state.services is not None:
                app.state.services.queue.shutdown()
            app.state.services = None
            engine.dispose()

    app = FastAPI(
        title="facegate",
        version="1.0.0",
        summary="Self-hosted face verification: enroll, verify and identify.",
        lifespan=lifespan,
        docs_url=None,  # app/api/routes/docs.py serves both pages with local assets instead of CDN ones
        redoc_url=None,
        generate_unique_id_function=lambda route: route.name,  # operationId = function name: stable for SDKs
    )
    app.state.settings = settings
    app.state.services = None
    app.state.metrics = Metrics(settings.metrics_dir)
    problems.install(app)
    app.add_middleware(RequestGuard, limits=settings.limits)  # innermost: inside the observer's request id
    middleware.install(app, settings.http)
    app.include_router(api_router)
    if settings.http.console:
        app.include_router(console.router)

    def cached_document() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = openapi.document(FastAPI.openapi(app), settings.limits)
        return app.openapi_schema

    app.openapi = cached_document  # type: ignore[method-assign]
    return app
