"""notifications: channels, deliveries and the event outbox

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
import sqlmodel.sql.sqltypes
from sqlalchemy.dialects import postgresql

revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('notification_channel',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('target_encrypted', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('target_hint', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
    sa.Column('events', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('secret_encrypted', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('previous_secret_encrypted', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('previous_secret_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('summary_hour', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.Column('paused_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pause_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('last_delivery_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], ),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('public_id')
    )
    with op.batch_alter_table('notification_channel', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_channel_organization_id'), ['organization_id'], unique=False)

    op.create_table('delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('last_latency_ms', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['channel_id'], ['notification_channel.id'], ),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel_id', 'event_id', name='uq_delivery_channel_event'),
    sa.UniqueConstraint('public_id')
    )
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_channel_created', ['channel_id', 'created_at'], unique=False)
        batch_op.create_index('ix_delivery_due', ['status', 'next_attempt_at'], unique=False)

    op.create_table('delivery_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('latency_ms', sa.Integer(), nullable=True),
    sa.Column('response_snippet', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.ForeignKeyConstraint(['channel_id'], ['notification_channel.id'], ),
    sa.ForeignKeyConstraint(['delivery_id'], ['delivery.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('delivery_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_attempt_channel', ['channel_id', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_attempt_delivery_id'), ['delivery_id'], unique=False)

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('dedupe_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.create_index('ix_event_undispatched', ['id'], unique=False, postgresql_where=sa.text('dispatched_at IS NULL'), sqlite_where=sa.text('dispatched_at IS NULL'))
        batch_op.create_index('uq_event_dedupe_key', ['dedupe_key'], unique=True)
    # Events recorded before notifications existed are history, not news: never fan them out.
    op.execute("UPDATE event SET dispatched_at = created_at WHERE dispatched_at IS NULL")



def downgrade() -> None:
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index('uq_event_dedupe_key')
        batch_op.drop_index('ix_event_undispatched', postgresql_where=sa.text('dispatched_at IS NULL'), sqlite_where=sa.text('dispatched_at IS NULL'))
        batch_op.drop_column('dedupe_key')
        batch_op.drop_column('dispatched_at')

    with op.batch_alter_table('delivery_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_attempt_delivery_id'))
        batch_op.drop_index('ix_delivery_attempt_channel')

    op.drop_table('delivery_attempt')
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_due')
        batch_op.drop_index('ix_delivery_channel_created')

    op.drop_table('delivery')
    with op.batch_alter_table('notification_channel', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_channel_organization_id'))

    op.drop_table('notification_channel')
