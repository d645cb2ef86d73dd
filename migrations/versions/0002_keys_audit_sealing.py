"""API keys, the audit log, and sealed (encrypted) embeddings

Revision ID: 0002_keys_audit_sealing
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0002_keys_audit_sealing"
down_revision: str | None = "0001_initial"
branch_labels: str | None = None
depends_on: str | None = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
EMBEDDING = sa.LargeBinary().with_variant(Vector(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("scopes", JSON, nullable=False),
        sa.Column("galleries", JSON, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("created_by", sa.String(16), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=True),
        sa.Column("operation", sa.String(32), nullable=False),
        sa.Column("gallery", sa.String(128), nullable=True),
        sa.Column("subject", sa.String(256), nullable=True),
        sa.Column("face_ids", JSON, nullable=False),
        sa.Column("outcome", sa.String(64), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=True),
        sa.Column("details", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_key_id", "audit_log", ["key_id"])
    op.create_index("ix_audit_log_gallery_subject", "audit_log", ["gallery", "subject"])
    with op.batch_alter_table("faces") as batch:
        batch.add_column(sa.Column("embedding_sealed", sa.LargeBinary(), nullable=True))
        batch.alter_column("embedding", existing_type=EMBEDDING, nullable=True)


def downgrade() -> None:
    # Sealed embeddings cannot go back to a column that requires the vector in clear.
    op.execute("DELETE FROM faces WHERE embedding IS NULL")
    with op.batch_alter_table("faces") as batch:
        batch.alter_column("embedding", existing_type=EMBEDDING, nullable=False)
        batch.drop_column("embedding_sealed")
    op.drop_table("audit_log")
    op.drop_table("api_keys")
