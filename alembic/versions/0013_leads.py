"""leads: leads and their tags, the do-not-call list, lead imports (file chunks, refused rows)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def _str(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "lead",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", _str(32), nullable=False),
        sa.Column("organization_id", sa.Integer(), sa.ForeignKey("organization.id"), nullable=False),
        sa.Column("client_id", sa.Integer(), sa.ForeignKey("client.id"), nullable=True),
        sa.Column("first_name", _str(100), nullable=True),
        sa.Column("last_name", _str(100), nullable=True),
        sa.Column("phone", _str(16), nullable=False),
        sa.Column("email", _str(320), nullable=True),
        sa.Column("company", _str(200), nullable=True),
        sa.Column("timezone", _str(64), nullable=True),
        sa.Column("custom_fields", JSON, nullable=False),
        sa.Column("consent", JSON, nullable=True),
        sa.Column("status", _str(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_id"),
        sa.UniqueConstraint("organization_id", "phone", name="uq_lead_org_phone"),
    )
    op.create_index("ix_lead_client_id", "lead", ["client_id"])
    op.create_index("ix_lead_org_created", "lead", ["organization_id", "created_at"])
    op.create_index("ix_lead_org_status", "lead", ["organization_id", "status"])
    op.create_table(
        "lead_tag",
        sa.Column("lead_id", sa.Integer(), sa.ForeignKey("lead.id"), nullable=False),
        sa.Column("tag", _str(50), nullable=False),
        sa.Column("organization_id", sa.Integer(), sa.ForeignKey("organization.id"), nullable=False),
        sa.PrimaryKeyConstraint("lead_id", "tag"),
    )
    op.create_index("ix_lead_tag_org_tag", "lead_tag", ["organization_id", "tag"])
    op.create_table(
        "do_not_call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), sa.ForeignKey("organization.id"), nullable=False),
        sa.Column("phone", _str(16), nullable=False),
        sa.Column("reason", _str(500), nullable=True),
        sa.Column("source", _str(16), nullable=False),
        sa.Column("added_by", _str(320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organization_id", "phone", name="uq_do_not_call_org_phone"),
    )
    op.create_index("ix_do_not_call_org_created", "do_not_call", ["organization_id", "created_at"])
    op.create_table(
        "lead_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", _str(32), nullable=False),
        sa.Column("organization_id", sa.Integer(), sa.ForeignKey("organization.id"), nullable=False),
        sa.Column("status", _str(16), nullable=False),
        sa.Column("filename", _str(255), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("columns", JSON, nullable=False),
        sa.Column("mapping", JSON, nullable=False),
        sa.Column("options", JSON, nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("created_count", sa.Integer(), nullable=False),
        sa.Column("updated_count", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("failure", _str(1000), nullable=True),
        sa.Column("created_by", _str(320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_id"),
    )
    op.create_index("ix_lead_import_org_created", "lead_import", ["organization_id", "created_at"])
    op.create_table(
        "lead_import_chunk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), sa.ForeignKey("lead_import.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("import_id", "seq", name="uq_lead_import_chunk_seq"),
    )
    op.create_table(
        "lead_import_error",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), sa.ForeignKey("lead_import.id"), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("field", _str(64), nullable=False),
        sa.Column("message", _str(500), nullable=False),
        sa.Column("values", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_lead_import_error_import_row", "lead_import_error", ["import_id", "row"])


def downgrade() -> None:
    op.drop_index("ix_lead_import_error_import_row", table_name="lead_import_error")
    op.drop_table("lead_import_error")
    op.drop_table("lead_import_chunk")
    op.drop_index("ix_lead_import_org_created", table_name="lead_import")
    op.drop_table("lead_import")
    op.drop_index("ix_do_not_call_org_created", table_name="do_not_call")
    op.drop_table("do_not_call")
    op.drop_index("ix_lead_tag_org_tag", table_name="lead_tag")
    op.drop_table("lead_tag")
    op.drop_index("ix_lead_org_status", table_name="lead")
    op.drop_index("ix_lead_org_created", table_name="lead")
    op.drop_index("ix_lead_client_id", table_name="lead")
    op.drop_table("lead")
