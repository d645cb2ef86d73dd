"""Choices a deployment's data fixed (the `deployment_pins` table): read at start-up, written by migrations."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.store.orm import DeploymentPin


def pinned(session: Session, name: str) -> DeploymentPin | None:
    """The pin called `name`, or None where this database has none."""
    return session.get(DeploymentPin, name)
