"""Shared fixtures: a real database (SQLite always, PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

import db.models  # noqa: F401  (registers every table)
from db.base import Base, make_engine, make_sessionmaker

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


async def _fresh_pg_database() -> str:
    """Create a throw-away PostgreSQL database and return its URL (tests never share one)."""
    admin = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"htxbot_t_{uuid.uuid4().hex[:12]}"
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


async def _drop_pg_database(url: str) -> None:
    admin = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = make_url(url).database
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


@pytest.fixture(params=BACKENDS)
async def database_url(request, tmp_path):
    """A URL of an empty database on each backend under test; the schema is created by the caller."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    url = await _fresh_pg_database()
    try:
        yield url
    finally:
        await _drop_pg_database(url)


@pytest.fixture
async def engine(database_url):
    """An async engine on a database holding every table."""
    eng = make_engine(database_url)
    async with eng.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield eng
    await eng.dispose()


@pytest.fixture
def sessionmaker(engine):
    """A session factory on the test database."""
    return make_sessionmaker(engine)


@pytest.fixture
def bot_engine(sessionmaker):
    """The conversation engine with every flow, on the test database, on a fixed date."""
    from bot.catalog import all_flows
    from flows.engine.engine import Engine
    from tests.chat import fixed_clock

    return Engine(sessionmaker, all_flows(), clock=fixed_clock())


@pytest.fixture
def chat(bot_engine):
    """A user chatting with the bot."""
    from tests.chat import Chat

    return Chat(bot_engine)
