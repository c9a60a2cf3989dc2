"""web_mailbox: messages for web-chat visitors sent outside a request (answers, announcements, reminders)

Revision ID: 0011_mailbox
Revises: 0003_features
Create Date: 2026-11-27 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_mailbox'
down_revision = '0003_features'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('web_mailbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_web_mailbox_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_mailbox'))
    )
    with op.batch_alter_table('web_mailbox', schema=None) as batch_op:
        batch_op.create_index('ix_web_mailbox_user_id_id', ['user_id', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('web_mailbox', schema=None) as batch_op:
        batch_op.drop_index('ix_web_mailbox_user_id_id')
    op.drop_table('web_mailbox')
