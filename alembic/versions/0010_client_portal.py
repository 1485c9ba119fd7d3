"""client portals: per-client visibility and agency branding

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # What a client's viewers see: neither costs nor agent configuration unless the agency says so.
    with op.batch_alter_table("client") as batch:
        batch.add_column(sa.Column("show_costs", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("show_agent_config", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "branding",
        sa.Column("organization_id", sa.Integer(), sa.ForeignKey("organization.id"), nullable=False),
        sa.Column("accent_color", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=True),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_content_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("logo_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("organization_id"),
    )


def downgrade() -> None:
    op.drop_table("branding")
    with op.batch_alter_table("client") as batch:
        batch.drop_column("show_agent_config")
        batch.drop_column("show_costs")
