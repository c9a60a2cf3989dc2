"""National-scale tests run on a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import pytest

import db.models.registry  # noqa: F401  (registers the registry tables before the schema is created)


@pytest.fixture
async def session(sessionmaker):
    """One session on the test database."""
    async with sessionmaker() as session:
        yield session
