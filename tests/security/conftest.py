"""Security tests run against the real app and database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import pytest


@pytest.fixture
async def session(sessionmaker):
    """One session on the test database."""
    async with sessionmaker() as session:
        yield session
