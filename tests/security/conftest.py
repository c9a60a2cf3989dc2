"""Security tests run against the real app and database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import pytest


@pytest.fixture
async def session(sessionmaker):
    """One session on the test database."""
    async with sessionmaker() as session:
        yield session


@pytest.fixture
async def site(engine, database_url):
    """The officials' dashboard on a seeded database (tests/web/dashboard_site.py), not signed in."""
    from tests.web.dashboard_site import make_site, seed

    site = await make_site(database_url)
    site.ids = await seed(site.app.sessionmaker)
    yield site
    await site.client.close()
    await site.app.close()


@pytest.fixture
async def other_browser(site):
    """A second browser (its own cookies) on the same server."""
    from aiohttp.test_utils import TestClient

    client = TestClient(site.client.server)
    yield client
    await client.session.close()
