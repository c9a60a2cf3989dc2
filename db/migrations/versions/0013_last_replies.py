"""conversations.last_replies: the replies to a user's last message, committed with its state, so that
replies a crash cut off are sent when the message is handled again (issue 15: nothing lost)

Revision ID: 0013_last_replies
Revises: 0009_scratch
Create Date: 2026-11-27 18:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_last_replies'
down_revision = '0009_scratch'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('conversations', sa.Column('last_replies', sa.JSON(), nullable=True))  # in place, no rebuild


def downgrade() -> None:
    op.drop_column('conversations', 'last_replies')
