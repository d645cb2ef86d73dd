"""template_counts: subjects and faces per gallery and pipeline version, kept with the templates

Revision ID: 0004_template_counts
Revises: 0003_templates_changes

Filled here from the templates already stored; from then on every transaction that writes templates adjusts it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004_template_counts"
down_revision: str | None = "0003_templates_changes"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "template_counts",
        sa.Column("gallery", sa.String(128), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("subjects", sa.Integer(), nullable=False),
        sa.Column("faces", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("gallery", "model", "model_version", name="pk_template_counts"),
    )
    op.execute("INSERT INTO template_counts (gallery, model, model_version, subjects, faces) "
               "SELECT gallery, model, model_version, count(*), sum(face_count) FROM templates "
               "GROUP BY gallery, model, model_version")


def downgrade() -> None:
    op.drop_table("template_counts")
