"""Collects the per-resource routers; nothing else."""

from fastapi import APIRouter

from app.api.routes import audit, docs, galleries, keys, recognition, subjects, system

api_router = APIRouter()
api_router.include_router(recognition.router)
api_router.include_router(subjects.router)
api_router.include_router(galleries.router)
api_router.include_router(keys.router)
api_router.include_router(audit.router)
api_router.include_router(system.router)
api_router.include_router(docs.router)
