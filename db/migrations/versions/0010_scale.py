"""national scale: indexes for the officials' pages at a country's size (issue 17)

monthly_reports (period, cooperative_id, revision) finds the latest revision of each update of a
month range without a sort; eligibility_checks (created_at) finds a month's checks.

Revision ID: 0010_scale
Revises: 0003_features
Create Date: 2026-11-27 15:00:00
"""
from alembic import op


revision = '0010_scale'
down_revision = '0003_features'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('monthly_reports') as batch_op:
        batch_op.drop_index('ix_monthly_reports_period')
        batch_op.create_index('ix_monthly_reports_period_latest', ['period', 'cooperative_id', 'revision'],
                              unique=False)
    with op.batch_alter_table('eligibility_checks') as batch_op:
        batch_op.create_index('ix_eligibility_checks_created_at', ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('eligibility_checks') as batch_op:
        batch_op.drop_index('ix_eligibility_checks_created_at')
    with op.batch_alter_table('monthly_reports') as batch_op:
        batch_op.drop_index('ix_monthly_reports_period_latest')
        batch_op.create_index('ix_monthly_reports_period', ['period'], unique=False)
