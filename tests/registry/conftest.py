"""Registry tests run on a real database; this module registers the registry tables."""

from __future__ import annotations

import pytest

import db.models.registry  # noqa: F401  (registers the registry tables before the schema is created)


@pytest.fixture
async def session(sessionmaker):
    """One session on the test database."""
    async with sessionmaker() as session:
        yield session
