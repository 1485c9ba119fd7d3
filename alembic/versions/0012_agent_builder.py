"""agent builder: versions, deployments, drift, calls attributed to a version

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "agent_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), sa.ForeignKey("organization.id"), nullable=False),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("agent.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("spec", JSON, nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agent_id", "number", name="uq_agent_version_number"),
    )
    op.create_index("ix_agent_version_organization_id", "agent_version", ["organization_id"])
    op.create_table(
        "agent_deployment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), sa.ForeignKey("organization.id"), nullable=False),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("agent.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("deployed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_agent_deployment_organization_id", "agent_deployment", ["organization_id"])
    op.create_index("ix_agent_deployment_agent_at", "agent_deployment", ["agent_id", "deployed_at"])
    with op.batch_alter_table("agent", recreate="never") as batch:
        batch.add_column(sa.Column("deployed_version", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("drift", JSON, nullable=True))
        batch.add_column(sa.Column("builder_refs", JSON, nullable=False, server_default="{}"))
    with op.batch_alter_table("call", recreate="never") as batch:
        batch.add_column(sa.Column("agent_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("call") as batch:
        batch.drop_column("agent_version")
    with op.batch_alter_table("agent") as batch:
        batch.drop_column("builder_refs")
        batch.drop_column("drift")
        batch.drop_column("deployed_version")
    op.drop_index("ix_agent_deployment_agent_at", table_name="agent_deployment")
    op.drop_index("ix_agent_deployment_organization_id", table_name="agent_deployment")
    op.drop_table("agent_deployment")
    op.drop_index("ix_agent_version_organization_id", table_name="agent_version")
    op.drop_table("agent_version")
