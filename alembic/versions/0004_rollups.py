"""rollups: daily call rollups per organization × agent × client × UTC day, backfilled from calls

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: Union[str, None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The same figures as services/rollups.py computes, frozen here as they were when this ran.
_AGGREGATES = """
    count(*),
    sum(CASE WHEN status = 'ended' THEN 1 ELSE 0 END),
    sum(CASE WHEN status = 'ended' AND successful THEN 1 ELSE 0 END),
    sum(CASE WHEN score IS NOT NULL AND NOT score_excluded THEN 1 ELSE 0 END),
    coalesce(sum(CASE WHEN score IS NOT NULL AND NOT score_excluded THEN score END), 0),
    sum(CASE WHEN score IS NOT NULL AND NOT score_excluded AND score >= 80 THEN 1 ELSE 0 END),
    sum(CASE WHEN score IS NOT NULL AND NOT score_excluded AND score >= 60 AND score < 80 THEN 1 ELSE 0 END),
    sum(CASE WHEN score IS NOT NULL AND NOT score_excluded AND score >= 40 AND score < 60 THEN 1 ELSE 0 END),
    sum(CASE WHEN score IS NOT NULL AND NOT score_excluded AND score < 40 THEN 1 ELSE 0 END),
    sum(CASE WHEN status = 'ended' AND duration_ms IS NOT NULL THEN 1 ELSE 0 END),
    coalesce(sum(CASE WHEN status = 'ended' THEN duration_ms END), 0),
    {cost},
    sum(CASE WHEN sentiment = 'Positive' THEN 1 ELSE 0 END),
    sum(CASE WHEN sentiment = 'Neutral' THEN 1 ELSE 0 END),
    sum(CASE WHEN sentiment = 'Negative' THEN 1 ELSE 0 END)
"""


def upgrade() -> None:
    op.create_table(
        "call_daily_rollup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("ended", sa.Integer(), nullable=False),
        sa.Column("successful", sa.Integer(), nullable=False),
        sa.Column("scored", sa.Integer(), nullable=False),
        sa.Column("score_sum", sa.BigInteger(), nullable=False),
        sa.Column("score_excellent", sa.Integer(), nullable=False),
        sa.Column("score_good", sa.Integer(), nullable=False),
        sa.Column("score_attention", sa.Integer(), nullable=False),
        sa.Column("score_poor", sa.Integer(), nullable=False),
        sa.Column("duration_count", sa.Integer(), nullable=False),
        sa.Column("duration_ms_sum", sa.BigInteger(), nullable=False),
        sa.Column("cost_usd", sa.Numeric(16, 6), nullable=False),
        sa.Column("positive", sa.Integer(), nullable=False),
        sa.Column("neutral", sa.Integer(), nullable=False),
        sa.Column("negative", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["agent_id"], ["agent.id"]),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("call_daily_rollup", schema=None) as batch_op:
        batch_op.create_index("ix_call_daily_rollup_org_day", ["organization_id", "day"], unique=False)
        batch_op.create_index("ix_call_daily_rollup_org_agent_day", ["organization_id", "agent_id", "day"],
                              unique=False)
        batch_op.create_index("ix_call_daily_rollup_org_client_day", ["organization_id", "client_id", "day"],
                              unique=False)
    # One row per key: agent and client may be NULL, which a plain unique constraint would not compare.
    op.execute("CREATE UNIQUE INDEX uq_call_daily_rollup_key ON call_daily_rollup "
               "(organization_id, day, coalesce(agent_id, 0), coalesce(client_id, 0))")

    # Backfill from the calls already stored.
    if op.get_bind().dialect.name == "postgresql":
        day, cost, now = "(started_at AT TIME ZONE 'UTC')::date", "coalesce(sum(cost_usd), 0)", "now()"
    else:  # SQLite keeps UTC datetimes as naive text, and NUMERIC as floating point
        day, now = "date(started_at)", "CURRENT_TIMESTAMP"
        cost = "coalesce(sum(CAST(round(cost_usd * 1000000) AS INTEGER)), 0) / 1000000.0"
    op.execute(f"""
        INSERT INTO call_daily_rollup (organization_id, agent_id, client_id, day, calls, ended, successful, scored,
            score_sum, score_excellent, score_good, score_attention, score_poor, duration_count, duration_ms_sum,
            cost_usd, positive, neutral, negative, updated_at)
        SELECT organization_id, agent_id, client_id, {day}, {_AGGREGATES.format(cost=cost)}, {now}
        FROM call WHERE started_at IS NOT NULL
        GROUP BY organization_id, agent_id, client_id, {day}
    """)


def downgrade() -> None:
    op.execute("DROP INDEX uq_call_daily_rollup_key")
    with op.batch_alter_table("call_daily_rollup", schema=None) as batch_op:
        batch_op.drop_index("ix_call_daily_rollup_org_client_day")
        batch_op.drop_index("ix_call_daily_rollup_org_agent_day")
        batch_op.drop_index("ix_call_daily_rollup_org_day")
    op.drop_table("call_daily_rollup")
