"""scoring: client and agent score settings, cached coaching, AI-credit ledger

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: Union[str, None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "client_scoring",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("weights", JSON, nullable=True),
        sa.Column("alert_threshold", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"]),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("client_id"),
    )
    with op.batch_alter_table("client_scoring", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_client_scoring_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "agent_scoring",
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("alert_threshold", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agent.id"]),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("agent_id"),
    )
    with op.batch_alter_table("agent_scoring", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_scoring_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "coaching",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("mode", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("input_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("content", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["call.id"]),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("call_id", "version"),
    )
    with op.batch_alter_table("coaching", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coaching_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "credit_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("entry", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["call.id"]),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organization_id", "call_id", "reason", name="uq_credit_ledger_org_call_reason"),
    )
    with op.batch_alter_table("credit_ledger", schema=None) as batch_op:
        batch_op.create_index("ix_credit_ledger_org_period", ["organization_id", "period"], unique=False)
        batch_op.create_index("uq_credit_ledger_monthly_grant", ["organization_id", "period"], unique=True,
                              sqlite_where=sa.text("reason = 'monthly_grant'"),
                              postgresql_where=sa.text("reason = 'monthly_grant'"))


def downgrade() -> None:
    with op.batch_alter_table("credit_ledger", schema=None) as batch_op:
        batch_op.drop_index("uq_credit_ledger_monthly_grant")
        batch_op.drop_index("ix_credit_ledger_org_period")
    op.drop_table("credit_ledger")
    with op.batch_alter_table("coaching", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coaching_organization_id"))
    op.drop_table("coaching")
    with op.batch_alter_table("agent_scoring", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_scoring_organization_id"))
    op.drop_table("agent_scoring")
    with op.batch_alter_table("client_scoring", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_scoring_organization_id"))
    op.drop_table("client_scoring")
