"""campaigns: campaigns, their frozen leads and every dial attempt

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def _str(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _time(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", _str(32), nullable=False),
        sa.Column("organization_id", sa.Integer(), sa.ForeignKey("organization.id"), nullable=False),
        sa.Column("client_id", sa.Integer(), sa.ForeignKey("client.id"), nullable=True),
        sa.Column("name", _str(200), nullable=False),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("agent.id"), nullable=False),
        sa.Column("integration_id", sa.Integer(), sa.ForeignKey("integration.id"), nullable=False),
        sa.Column("caller_number", _str(64), nullable=False),
        sa.Column("audience", JSON, nullable=False),
        _time("starts_at"),
        _time("ends_at"),
        sa.Column("window_days", JSON, nullable=False),
        sa.Column("window_start", _str(5), nullable=False),
        sa.Column("window_end", _str(5), nullable=False),
        sa.Column("max_concurrent", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("retry_delay_minutes", sa.Integer(), nullable=False),
        sa.Column("retry_outcomes", JSON, nullable=False),
        sa.Column("leave_voicemail", sa.Boolean(), nullable=False),
        sa.Column("voicemail_message", _str(1000), nullable=True),
        sa.Column("variables", JSON, nullable=False),
        sa.Column("success_rule", JSON, nullable=False),
        sa.Column("status", _str(16), nullable=False),
        sa.Column("paused_reason", _str(500), nullable=True),
        sa.Column("created_by", _str(320), nullable=False),
        _time("created_at", False),
        _time("updated_at", False),
        _time("started_at"),
        _time("paused_at"),
        _time("finished_at"),
        _time("dispatched_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_id"),
    )
    op.create_index("ix_campaign_client_id", "campaign", ["client_id"])
    op.create_index("ix_campaign_org_created", "campaign", ["organization_id", "created_at"])
    op.create_index("ix_campaign_status", "campaign", ["status"])
    op.create_table(
        "campaign_lead",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaign.id"), nullable=False),
        sa.Column("lead_id", sa.Integer(), sa.ForeignKey("lead.id"), nullable=False),
        sa.Column("organization_id", sa.Integer(), sa.ForeignKey("organization.id"), nullable=False),
        sa.Column("state", _str(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _time("next_attempt_at"),
        sa.Column("last_outcome", _str(32), nullable=True),
        sa.Column("converted", sa.Boolean(), nullable=False),
        _time("updated_at", False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "lead_id", name="uq_campaign_lead"),
    )
    op.create_index("ix_campaign_lead_lead_id", "campaign_lead", ["lead_id"])
    op.create_index("ix_campaign_lead_due", "campaign_lead", ["campaign_id", "state", "next_attempt_at"])
    op.create_table(
        "call_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", _str(32), nullable=False),
        sa.Column("organization_id", sa.Integer(), sa.ForeignKey("organization.id"), nullable=False),
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaign.id"), nullable=False),
        sa.Column("lead_id", sa.Integer(), sa.ForeignKey("lead.id"), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("status", _str(16), nullable=False),
        sa.Column("to_number", _str(16), nullable=False),
        sa.Column("platform_call_id", _str(128), nullable=True),
        sa.Column("call_id", sa.Integer(), sa.ForeignKey("call.id"), nullable=True),
        sa.Column("outcome", _str(32), nullable=True),
        sa.Column("outcome_reason", _str(200), nullable=True),
        sa.Column("converted", sa.Boolean(), nullable=False),
        _time("created_at", False),
        _time("updated_at", False),
        _time("dialed_at"),
        _time("ended_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_id"),
        sa.UniqueConstraint("campaign_id", "lead_id", "n", name="uq_call_attempt_n"),
    )
    op.create_index("ix_call_attempt_campaign_status", "call_attempt", ["campaign_id", "status"])
    op.create_index("ix_call_attempt_campaign_created", "call_attempt", ["campaign_id", "created_at"])
    op.create_index("ix_call_attempt_platform_call", "call_attempt", ["platform_call_id"])


def downgrade() -> None:
    op.drop_index("ix_call_attempt_platform_call", table_name="call_attempt")
    op.drop_index("ix_call_attempt_campaign_created", table_name="call_attempt")
    op.drop_index("ix_call_attempt_campaign_status", table_name="call_attempt")
    op.drop_table("call_attempt")
    op.drop_index("ix_campaign_lead_due", table_name="campaign_lead")
    op.drop_index("ix_campaign_lead_lead_id", table_name="campaign_lead")
    op.drop_table("campaign_lead")
    op.drop_index("ix_campaign_status", table_name="campaign")
    op.drop_index("ix_campaign_org_created", table_name="campaign")
    op.drop_index("ix_campaign_client_id", table_name="campaign")
    op.drop_table("campaign")
