"""zalo_seen: message ids the Zalo channels already took in (re-deliveries dropped across restarts)

Revision ID: 0007_zalo_seen
Revises: 0003_features
Create Date: 2026-11-27 14:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_zalo_seen'
down_revision = '0003_features'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('zalo_seen',
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('message_id', sa.String(length=128), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('channel', 'message_id', name=op.f('pk_zalo_seen'))
    )
    with op.batch_alter_table('zalo_seen', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zalo_seen_seen_at'), ['seen_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('zalo_seen', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zalo_seen_seen_at'))
    op.drop_table('zalo_seen')
