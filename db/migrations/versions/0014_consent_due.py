"""users.consent_due: people onboarded before onboarding asked for consent to the privacy notice
(0005) are asked at their next menu; nobody else is

Revision ID: 0014_consent_due
Revises: 0005_data_rights
Create Date: 2026-11-27 18:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_consent_due'
down_revision = '0005_data_rights'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN, never batch mode: on SQLite a batch rebuild drops and recreates users, and
    # with foreign keys on, the drop cascades to every row that refers to a user
    op.add_column('users', sa.Column('consent_due', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE users SET consent_due = TRUE WHERE onboarded = TRUE"
               " AND NOT EXISTS (SELECT 1 FROM consents WHERE consents.user_id = users.id)")


def downgrade() -> None:
    op.drop_column('users', 'consent_due')  # SQLite ≥ 3.35 drops a column in place
