"""conversations.scratch: a flow's working notes kept apart from the user's answers

Revision ID: 0009_scratch
Revises: 0003_features
Create Date: 2026-11-27 14:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_scratch'
down_revision = '0003_features'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversations') as batch_op:
        batch_op.add_column(sa.Column('scratch', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('conversations') as batch_op:
        batch_op.drop_column('scratch')
