"""deployment_pins: choices a deployment's data fixed, which a newer release's defaults must not change under it

Revision ID: 0005_deployment_pins
Revises: 0004_template_counts

The release that made `fusion_int8` the default embedding pipeline adds this table. A database that already
holds `fusion` templates is pinned to `fusion`: its galleries were enrolled with it, `fusion_int8` vectors
cannot be compared with them, and a default that moved silently would answer every identify with no match. An
explicit FACEGATE_DEFAULT_MODEL still wins; README "Upgrading from `fusion`" gives the way over to `fusion_int8`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005_deployment_pins"
down_revision: str | None = "0004_template_counts"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "deployment_pins",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.String(255), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_deployment_pins"),
    )
    op.execute("INSERT INTO deployment_pins (name, value, reason) "
               "SELECT 'default_model', 'fusion', 'galleries enrolled under fusion before fusion_int8 became the "
               "default' WHERE EXISTS (SELECT 1 FROM templates WHERE model = 'fusion')")


def downgrade() -> None:
    op.drop_table("deployment_pins")
