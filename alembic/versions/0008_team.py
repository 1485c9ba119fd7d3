"""members, invitations, roles and API keys that act as their creator

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

- `invitation`: pending invitations to an organization (single-use link, only its hash stored).
- `membership.public_id` (`mem_…`): members are addressed by it in the API; existing rows get one.
- `user_session.organization_id` already exists and is now the session's *current* organization.
- API keys already record `created_by_user_id`; keys without one keep acting with their stored role.
"""

import secrets
import string
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BASE62 = string.digits + string.ascii_letters


def _member_id() -> str:
    return "mem_" + "".join(secrets.choice(_BASE62) for _ in range(20))


def upgrade() -> None:
    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("invited_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"]),
        sa.ForeignKeyConstraint(["invited_by_user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_invitation_org_email", "invitation", ["organization_id", "email"])

    with op.batch_alter_table("membership") as batch:
        batch.add_column(sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
    bind = op.get_bind()
    for (member_id,) in bind.execute(sa.text("SELECT id FROM membership")).fetchall():
        bind.execute(
            sa.text("UPDATE membership SET public_id = :p WHERE id = :id"), {"p": _member_id(), "id": member_id}
        )
    with op.batch_alter_table("membership") as batch:
        batch.alter_column("public_id", existing_type=sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False)
        batch.create_unique_constraint("uq_membership_public_id", ["public_id"])


def downgrade() -> None:
    with op.batch_alter_table("membership") as batch:
        batch.drop_constraint("uq_membership_public_id", type_="unique")
        batch.drop_column("public_id")
    op.drop_index("ix_invitation_org_email", table_name="invitation")
    op.drop_table("invitation")
