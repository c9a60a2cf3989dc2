"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import db.models  # noqa: F401
from db.base import Base, make_engine
from db.migrate import upgrade_async


async def test_upgrade_matches_the_models(database_url):
    await upgrade_async(database_url)
    await upgrade_async(database_url)  # running it again changes nothing
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}),
                                              Base.metadata)
            )
    finally:
        await engine.dispose()
    assert diff == []
