"""national scale: indexes for the officials' pages at a country's size (issue 17)

monthly_reports (period, cooperative_id, revision) reads a month range in order; the partial index
ix_monthly_reports_revised holds only the revised updates (revision > 1), which is all the test "is there a
later revision?" needs to read; eligibility_checks (created_at) finds a month's checks.

On PostgreSQL the database's random_page_cost becomes 1.1 (the value PostgreSQL's documentation suggests
for solid-state disks; the default of 4 is for spinning ones): a province's pages then read its
cooperatives' updates through the indexes (25 ms) instead of scanning the country's (120 ms). A user
who may not change the database's settings only gets a notice.

Revision ID: 0010_scale
Revises: 0003_features
Create Date: 2026-11-27 15:00:00
"""
import sqlalchemy as sa
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
        batch_op.create_index('ix_monthly_reports_revised', ['cooperative_id', 'period', 'revision'], unique=False,
                              postgresql_where=sa.text('revision > 1'), sqlite_where=sa.text('revision > 1'))
    with op.batch_alter_table('eligibility_checks') as batch_op:
        batch_op.create_index('ix_eligibility_checks_created_at', ['created_at'], unique=False)
    _random_page_cost('1.1')


def downgrade() -> None:
    _random_page_cost(None)
    with op.batch_alter_table('eligibility_checks') as batch_op:
        batch_op.drop_index('ix_eligibility_checks_created_at')
    with op.batch_alter_table('monthly_reports') as batch_op:
        batch_op.drop_index('ix_monthly_reports_revised')
        batch_op.drop_index('ix_monthly_reports_period_latest')
        batch_op.create_index('ix_monthly_reports_period', ['period'], unique=False)


def _random_page_cost(value: str | None) -> None:
    """Set (or reset) the planner's random_page_cost for this database, when it is PostgreSQL and we may."""
    if op.get_bind().dialect.name != 'postgresql':
        return
    change = f"SET random_page_cost = {value}" if value else "RESET random_page_cost"
    op.execute(f"""
        DO $$ BEGIN
            EXECUTE format('ALTER DATABASE %I {change}', current_database());
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'random_page_cost left as it is: not allowed to change this database''s settings';
        END $$""")
