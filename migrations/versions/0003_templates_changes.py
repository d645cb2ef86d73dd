"""templates (one per subject and pipeline version) and the change log that in-process indexes follow

Revision ID: 0003_templates_changes
Revises: 0002_keys_audit_sealing

Templates are filled by the application at start-up from the faces already stored (it alone can open sealed
embeddings and knows the pipeline versions).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import Vector

revision: str = "0003_templates_changes"
down_revision: str | None = "0002_keys_audit_sealing"
branch_labels: str | None = None
depends_on: str | None = None

EMBEDDING = sa.LargeBinary().with_variant(Vector(), "postgresql")
# BIGINT on PostgreSQL; on SQLite only INTEGER PRIMARY KEY is the auto-incrementing rowid.
SEQUENCE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "templates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("gallery", sa.String(128), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("face_count", sa.Integer(), nullable=False),
        sa.Column("norm", sa.Double(), nullable=False),
        sa.Column("centroid", EMBEDDING, nullable=True),
        sa.Column("centroid_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"], name="fk_templates_subject_id_subjects",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_templates"),
        sa.UniqueConstraint("subject_id", "model", "model_version",
                            name="uq_templates_subject_id_model_model_version"),
    )
    op.create_index("ix_templates_gallery_model_model_version", "templates", ["gallery", "model", "model_version"])
    op.create_table(
        "changes",
        sa.Column("seq", SEQUENCE, autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("gallery", sa.String(128), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("model", sa.String(64), nullable=True),
        sa.Column("model_version", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_changes"),
    )
    op.create_index("ix_changes_at", "changes", ["at"])


def downgrade() -> None:
    op.drop_table("changes")
    op.drop_table("templates")
