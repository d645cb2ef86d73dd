"""subjects and faces

Revision ID: 0001_initial
Revises:

Column types are spelled out here rather than imported from app.store.orm, so this revision keeps creating the
same schema however the models change later.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    ]


def upgrade() -> None:
    postgresql = op.get_context().dialect.name == "postgresql"
    if postgresql:
        op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    # No fixed dimension: embeddings of different models (128-d dlib, 128-d SFace, 512-d ArcFace) share the column.
    embedding = Vector() if postgresql else sa.LargeBinary()

    op.create_table(
        "subjects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gallery", sa.String(128), server_default="default", nullable=False),
        sa.Column("external_id", sa.String(256), nullable=False),
        sa.Column("name", sa.String(256), nullable=True),
        sa.Column("metadata", JSON, server_default=sa.text("'{}'"), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_subjects"),
        sa.UniqueConstraint("gallery", "external_id", name="uq_subjects_gallery_external_id"),
    )
    op.create_table(
        "faces",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("gallery", sa.String(128), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("embedding", embedding, nullable=False),
        sa.Column("detection_score", sa.Double(), nullable=False),
        sa.Column("box", JSON, nullable=False),
        sa.Column("landmarks", JSON, nullable=False),
        sa.Column("image_sha256", sa.String(64), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_faces"),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name="fk_faces_subject_id_subjects", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_faces_subject_id", "faces", ["subject_id"])
    op.create_index("ix_faces_gallery_model", "faces", ["gallery", "model"])


def downgrade() -> None:
    # The vector extension stays: other objects in the database may use it, and it is shared, not ours alone.
    op.drop_index("ix_faces_gallery_model", table_name="faces")
    op.drop_index("ix_faces_subject_id", table_name="faces")
    op.drop_table("faces")
    op.drop_table("subjects")
