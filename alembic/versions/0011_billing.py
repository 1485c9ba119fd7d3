"""billing: Stripe subscription state, monitored agents, credit pools, Stripe events

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organization", recreate="never") as batch:
        batch.add_column(
            sa.Column(
                "billing_status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="active"
            )
        )
        batch.add_column(sa.Column("period_end", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("cancel_at_period_end", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("stripe_customer_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch.add_column(
            sa.Column("stripe_subscription_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch.add_column(sa.Column("overage", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("payment_failed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("grace_ends_at", sa.DateTime(timezone=True), nullable=True))
    # Unique indexes, not constraints: SQLite adds them without rebuilding tables others point at.
    op.create_index("ix_organization_stripe_customer_id", "organization", ["stripe_customer_id"], unique=True)
    # Every agent known today stays monitored: the plan's limit is applied by the next sync, which
    # keeps the most active ones.
    with op.batch_alter_table("agent") as batch:
        batch.add_column(
            sa.Column("monitoring", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False, server_default="auto")
        )
        batch.add_column(sa.Column("monitored", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("backfill_pending", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("credit_ledger") as batch:
        batch.add_column(
            sa.Column("pool", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False, server_default="monthly")
        )
        batch.add_column(sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("external_ref", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
    op.create_index("ix_credit_ledger_external_ref", "credit_ledger", ["external_ref"], unique=True)
    op.create_table(
        "stripe_event",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("organization_id", sa.Integer(), sa.ForeignKey("organization.id"), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_stripe_event_organization_id", "stripe_event", ["organization_id"])


def downgrade() -> None:
    op.drop_index("ix_stripe_event_organization_id", table_name="stripe_event")
    op.drop_table("stripe_event")
    op.drop_index("ix_credit_ledger_external_ref", table_name="credit_ledger")
    with op.batch_alter_table("credit_ledger") as batch:
        batch.drop_column("external_ref")
        batch.drop_column("reported_at")
        batch.drop_column("pool")
    with op.batch_alter_table("agent") as batch:
        batch.drop_column("backfill_pending")
        batch.drop_column("monitored")
        batch.drop_column("monitoring")
    op.drop_index("ix_organization_stripe_customer_id", table_name="organization")
    with op.batch_alter_table("organization") as batch:
        for column in (
            "grace_ends_at",
            "payment_failed_at",
            "overage",
            "stripe_subscription_id",
            "stripe_customer_id",
            "cancel_at_period_end",
            "period_end",
            "billing_status",
        ):
            batch.drop_column(column)
