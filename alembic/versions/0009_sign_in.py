"""sign-in with Google or OpenID Connect, sessions and the audit log

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

- `user_session`: `public_id` (`ses_…`, existing sessions get one), how it signed in (`method`), the IP and
  User-Agent it signed in from, and when it was last seen (Settings → Security).
- `audit_log`: who acted by name (`actor_name`) and from where (`ip`, `user_agent`), as it was then.
- Audit actions are named `resource.verb` in the past tense (`api_key.revoked`); older rows are renamed,
  so filters by action find them too.
"""

import secrets
import string
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BASE62 = string.digits + string.ascii_letters

# Audit actions before 0009 → their `resource.verb` names (services/access/audit.py: LEGACY_ACTIONS).
RENAMED = {
    "api_key.create": "api_key.created",
    "api_key.revoke": "api_key.revoked",
    "notification_channel.create": "channel.created",
    "notification_channel.update": "channel.updated",
    "notification_channel.rotate_secret": "channel.secret_rotated",
    "notification_channel.delete": "channel.deleted",
    "notification_channel.test": "channel.tested",
    "notification_channel.resume": "channel.resumed",
    "integration.create": "integration.created",
    "integration.update": "integration.updated",
    "integration.change_key": "integration.key_changed",
    "integration.disconnect": "integration.disconnected",
    "scoring.update": "scoring.updated",
    "scoring.client_update": "client_scoring.updated",
    "scoring.agent_update": "agent_scoring.updated",
    "client.create": "client.created",
    "client.rename": "client.renamed",
    "client.delete": "client.deleted",
    "agent.assign_client": "agent.client_assigned",
    "organization.create": "organization.created",
    "auth.login": "session.created",
}


def _session_id() -> str:
    return "ses_" + "".join(secrets.choice(_BASE62) for _ in range(20))


def upgrade() -> None:
    with op.batch_alter_table("user_session") as batch:
        batch.add_column(sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch.add_column(
            sa.Column(
                "method", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="magic_link"
            )
        )
        batch.add_column(sa.Column("ip", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch.add_column(sa.Column("user_agent", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True))
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    for (session_id,) in bind.execute(sa.text("SELECT id FROM user_session")).fetchall():
        bind.execute(
            sa.text("UPDATE user_session SET public_id = :p WHERE id = :id"), {"p": _session_id(), "id": session_id}
        )
    with op.batch_alter_table("user_session") as batch:
        batch.alter_column("public_id", existing_type=sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False)
        batch.create_unique_constraint("uq_user_session_public_id", ["public_id"])
    op.create_index("ix_user_session_user_expires", "user_session", ["user_id", "expires_at"])

    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("actor_name", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True))
        batch.add_column(sa.Column("ip", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch.add_column(sa.Column("user_agent", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True))
    op.create_index("ix_audit_log_org_action", "audit_log", ["organization_id", "action"])
    op.create_index("ix_audit_log_org_actor", "audit_log", ["organization_id", "actor"])
    for old, new in RENAMED.items():
        bind.execute(sa.text("UPDATE audit_log SET action = :new WHERE action = :old"), {"old": old, "new": new})


def downgrade() -> None:
    bind = op.get_bind()
    for old, new in RENAMED.items():
        bind.execute(sa.text("UPDATE audit_log SET action = :old WHERE action = :new"), {"old": old, "new": new})
    op.drop_index("ix_audit_log_org_actor", table_name="audit_log")
    op.drop_index("ix_audit_log_org_action", table_name="audit_log")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("user_agent")
        batch.drop_column("ip")
        batch.drop_column("actor_name")
    op.drop_index("ix_user_session_user_expires", table_name="user_session")
    with op.batch_alter_table("user_session") as batch:
        batch.drop_constraint("uq_user_session_public_id", type_="unique")
        batch.drop_column("last_seen_at")
        batch.drop_column("user_agent")
        batch.drop_column("ip")
        batch.drop_column("method")
        batch.drop_column("public_id")
