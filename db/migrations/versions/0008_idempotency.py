"""idempotency and limits across identities: one-time keys of dashboard actions (action_keys), and the
network origin of wrong invite codes (code_attempts.origin) so that guessing is limited per address and
for everyone together

Revision ID: 0008_idempotency
Revises: 0003_features
Create Date: 2026-11-27 17:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_idempotency'
down_revision = '0003_features'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('action_keys',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('result_url', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_action_keys_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_action_keys'))
    )
    with op.batch_alter_table('action_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_keys_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('code_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_code_attempts_at'), ['at'], unique=False)
        batch_op.create_index('ix_code_attempts_origin_at', ['origin', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('code_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_code_attempts_origin_at')
        batch_op.drop_index(batch_op.f('ix_code_attempts_at'))
        batch_op.drop_column('origin')
    with op.batch_alter_table('action_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_keys_created_at'))
    op.drop_table('action_keys')
