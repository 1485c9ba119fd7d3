"""calls keep what the platforms send: raw payloads, cost breakdowns and credits, measured latency,
other recordings, and where the start time comes from

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COUNTED = "(CASE WHEN (score_excluded IS true) THEN NULL ELSE score END)"
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("call") as batch:
        batch.add_column(
            sa.Column(
                "started_at_source",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="platform",
            )
        )
        batch.add_column(sa.Column("cost_from_credits", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("cost_credits", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("cost_breakdown", _JSON, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("recording_urls", _JSON, nullable=False, server_default="{}"))
        batch.add_column(sa.Column("platform_latency", _JSON, nullable=False, server_default="{}"))
    # Calls stored without a start fell out of every date filter: they start when they were first seen.
    bind = op.get_bind()
    moved = bind.execute(
        sa.text("UPDATE call SET started_at = created_at, started_at_source = 'first_seen' WHERE started_at IS NULL")
    ).rowcount
    if moved:
        _count_them_in_the_daily_rollups(bind)
    # Sorting by score orders by the score that counts (a call scored 0 for having no transcript has none).
    if bind.dialect.name == "postgresql":
        op.drop_index("ix_call_org_score_desc", table_name="call")
        op.execute(f"CREATE INDEX ix_call_org_counted_score ON call (organization_id, {_COUNTED}, id)")
        op.execute(
            f"CREATE INDEX ix_call_org_counted_score_desc ON call (organization_id, {_COUNTED} DESC NULLS LAST, id DESC)"
        )
    op.create_table(
        "call_payload",
        sa.Column("call_id", sa.Integer(), sa.ForeignKey("call.id", ondelete="CASCADE"), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("call_id"),
    )


def _count_them_in_the_daily_rollups(bind: sa.Connection) -> None:
    """The rollups left undated calls out; rebuild them now that they have a day. Uses today's rollup code
    (only where a database held undated calls, so never on a fresh install): a later migration that
    changes `call_daily_rollup` must move this step after its own."""
    from sqlmodel import Session

    from voiceconsole.services.analytics.rollups import rebuild_rollups

    with Session(bind=bind) as session:
        rebuild_rollups(session)
        session.flush()


def downgrade() -> None:
    op.drop_table("call_payload")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_call_org_counted_score_desc", table_name="call")
        op.drop_index("ix_call_org_counted_score", table_name="call")
        op.execute("CREATE INDEX ix_call_org_score_desc ON call (organization_id, score DESC NULLS LAST, id DESC)")
    with op.batch_alter_table("call") as batch:
        for name in (
            "platform_latency",
            "recording_urls",
            "cost_breakdown",
            "cost_credits",
            "cost_from_credits",
            "started_at_source",
        ):
            batch.drop_column(name)
