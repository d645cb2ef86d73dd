"""The tables: subjects (people, per gallery), their enrolled faces (one embedding each), API keys (hashes only)
and the audit log.

Two column types smooth over the databases: `Embedding` (pgvector on PostgreSQL, raw float32 bytes on SQLite)
and `UTCDateTime` (SQLite keeps no time zone, so values come back aware and in UTC on both).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Dialect,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator, TypeEngine

FloatArray = npt.NDArray[np.float32]

# Deterministic constraint names, so later migrations (and SQLite's batch mode, which rebuilds tables) can refer
# to constraints by name on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSONB on PostgreSQL (binary, indexable); plain JSON text elsewhere.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class Embedding(TypeDecorator[FloatArray]):
    """A 1-D float32 vector: pgvector's `vector` on PostgreSQL, little-endian float32 bytes on SQLite.

    The PostgreSQL column has no fixed dimension so that models with different embedding sizes share the table;
    a per-model expression index can be added when searching in the database is needed.
    """

    impl = LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Vector())
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        array = np.asarray(value, dtype=np.float32)
        if array.ndim != 1:
            raise ValueError(f"an embedding must be 1-D, got shape {array.shape}")
        if dialect.name == "postgresql":
            return array
        return array.astype("<f4").tobytes()

    def process_result_value(self, value: Any, dialect: Dialect) -> FloatArray | None:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return np.asarray(value, dtype=np.float32)
        return np.frombuffer(value, dtype="<f4").astype(np.float32)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always time-zone aware and in UTC, even on SQLite, which stores naive text."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one (UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_face_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Subject(Base):
    """A person known to one gallery, identified by the caller's own id (`external_id`)."""

    __tablename__ = "subjects"
    __table_args__ = (UniqueConstraint("gallery", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gallery: Mapped[str] = mapped_column(String(128), default="default", server_default="default")
    external_id: Mapped[str] = mapped_column(String(256))
    name: Mapped[str | None] = mapped_column(String(256))
    metadata_: Mapped[dict[str, Any]] = mapped_column(
        "metadata", JSONType, default=dict, server_default=text("'{}'")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, server_default=func.now()
    )

    # The database deletes a subject's faces (ON DELETE CASCADE); passive_deletes stops the ORM loading them
    # first just to delete them one by one.
    faces: Mapped[list[Face]] = relationship(
        back_populates="subject", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"Subject(id={self.id!r}, gallery={self.gallery!r}, external_id={self.external_id!r})"


class Face(Base):
    """One enrolled face: its embedding from one model version, and where it was found in which image."""

    __tablename__ = "faces"
    # The search index is rebuilt per (gallery, model) at start-up; `gallery` is copied from the subject so that
    # needs no join and can use this index.
    __table_args__ = (Index("ix_faces_gallery_model", "gallery", "model"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_face_id)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"), index=True)
    gallery: Mapped[str] = mapped_column(String(128))
    model: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(64))
    # Exactly one of the two is set: the vector in clear (searchable by pgvector), or sealed with AES-GCM when
    # encryption at rest is configured (app/store/sealing.py).
    embedding: Mapped[FloatArray | None] = mapped_column(Embedding, nullable=True)
    embedding_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    detection_score: Mapped[float] = mapped_column(Double)
    box: Mapped[list[float]] = mapped_column(JSONType)
    landmarks: Mapped[list[list[float]]] = mapped_column(JSONType)
    image_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, server_default=func.now()
    )

    subject: Mapped[Subject] = relationship(back_populates="faces")

    def __repr__(self) -> str:
        return f"Face(id={self.id!r}, subject_id={self.subject_id!r}, model={self.model!r})"


class ApiKey(Base):
    """An API key: never the secret itself, only its keyed hash (HMAC-SHA-256 with the server's pepper).

    `id` is the key's public prefix (the `fg_<id>_` part of the secret), so a presented key is found by primary
    key and then compared in constant time with the one hash stored for that id.
    """

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(JSONType)
    galleries: Mapped[list[str] | None] = mapped_column(JSONType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())
    created_by: Mapped[str | None] = mapped_column(String(16), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AuditEntry(Base):
    """One biometric operation or key event: who, what, where, and how it ended; never images or embeddings."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_gallery_subject", "gallery", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    key_id: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    operation: Mapped[str] = mapped_column(String(32))
    gallery: Mapped[str | None] = mapped_column(String(128), nullable=True)
    subject: Mapped[str | None] = mapped_column(String(256), nullable=True)
    face_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    outcome: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class Template(Base):
    """What a subject is compared by, per pipeline version: the centroid (normalised sum) of its faces' unit
    vectors, with the sum's norm and the face count. Rewritten from the faces in the transaction that changes
    them, so verify and identify read one number, and it never drifts from the faces it summarises."""

    __tablename__ = "templates"
    __table_args__ = (
        UniqueConstraint("subject_id", "model", "model_version"),
        Index("ix_templates_gallery_model_model_version", "gallery", "model", "model_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"))
    gallery: Mapped[str] = mapped_column(String(128))
    model: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(64))
    face_count: Mapped[int] = mapped_column(Integer)
    norm: Mapped[float] = mapped_column(Double)
    centroid: Mapped[FloatArray | None] = mapped_column(Embedding, nullable=True)
    centroid_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class TemplateCount(Base):
    """How many templates (subjects) and faces each gallery holds per pipeline version, kept by the transactions
    that write templates. Counting the templates instead costs a scan that grows with the gallery (12 ms at
    50,000 subjects on PostgreSQL), which identify would pay on every request."""

    __tablename__ = "template_counts"

    gallery: Mapped[str] = mapped_column(String(128), primary_key=True)
    model: Mapped[str] = mapped_column(String(64), primary_key=True)
    model_version: Mapped[str] = mapped_column(String(64), primary_key=True)
    subjects: Mapped[int] = mapped_column(Integer)
    faces: Mapped[int] = mapped_column(Integer)


class Change(Base):
    """One committed change to the templates, in commit order (`seq`): what in-process indexes follow.

    `kind` is `template` (re-read the template of subject_id, model, model_version: changed or gone) or
    `gallery` (the whole gallery went)."""

    __tablename__ = "changes"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    gallery: Mapped[str] = mapped_column(String(128))
    subject_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    model: Mapped[str | None] = mapped_column(String(64), nullable=True)
    model_version: Mapped[str | None] = mapped_column(String(64), nullable=True)


class DeploymentPin(Base):
    """A choice this deployment's data fixed, kept over a newer release's default: `default_model` is `fusion`
    on a database that held `fusion` templates when `fusion_int8` became the default (migration 0005)."""

    __tablename__ = "deployment_pins"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(Text)
