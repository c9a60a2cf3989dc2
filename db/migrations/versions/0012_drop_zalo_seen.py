"""drop zalo_seen: since the durable inbox (0004), re-delivered Zalo updates are dropped by the inbox's
unique (channel, update id), and nothing reads or writes zalo_seen any more

Revision ID: 0012_drop_zalo_seen
Revises: 0007_zalo_seen
Create Date: 2026-11-27 17:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_drop_zalo_seen'
down_revision = '0007_zalo_seen'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('zalo_seen', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zalo_seen_seen_at'))
    op.drop_table('zalo_seen')


def downgrade() -> None:
    op.create_table('zalo_seen',
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('message_id', sa.String(length=128), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('channel', 'message_id', name=op.f('pk_zalo_seen'))
    )
    with op.batch_alter_table('zalo_seen', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zalo_seen_seen_at'), ['seen_at'], unique=False)
