"""Declarative base and the async engine factory (SQLite tuned for durability, or PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

CONNECT_TIMEOUT = 5.0  # seconds to open a PostgreSQL connection (asyncpg's own default is 60)

_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every model; JSON columns for dicts and lists, timezone-aware datetimes."""

    metadata = MetaData(naming_convention=_NAMING)
    type_annotation_map = {
        dict[str, Any]: JSON,
        list[Any]: JSON,
        dt.datetime: DateTime(timezone=True),
    }


def utcnow() -> dt.datetime:
    """The current time in UTC, as stored in every timestamp column."""
    return dt.datetime.now(dt.UTC)


def is_sqlite(url: str) -> bool:
    """Whether a database URL names SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
    """WAL with a busy timeout and foreign keys; WAL + synchronous=NORMAL survives kill -9."""
    _pragmas(dbapi_conn, 30.0)


def _pragmas(dbapi_conn, busy_seconds: float) -> None:  # noqa: ANN001
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(url: str, *, connect_timeout: float = CONNECT_TIMEOUT, statement_timeout: float | None = None,
                **kwargs: Any) -> AsyncEngine:
    """Create an async engine with time limits.

    SQLite gets WAL, foreign keys and a busy timeout (`statement_timeout`, else 30 s: how long a
    write waits for another writer). PostgreSQL gets a connect timeout (also the longest wait for
    a pooled connection) and, with `statement_timeout`, a limit on every statement both in the
    server and in the client, so a host that stops answering fails a query instead of hanging it.
    """
    if is_sqlite(url):
        busy = 30.0 if statement_timeout is None else statement_timeout
        kwargs.setdefault("connect_args", {"timeout": busy})
        engine = create_async_engine(url, **kwargs)

        event.listen(engine.sync_engine, "connect", lambda conn, _record: _pragmas(conn, busy))
        return engine
    connect_args: dict[str, Any] = {"timeout": connect_timeout}
    if statement_timeout is not None:
        connect_args["command_timeout"] = statement_timeout
        connect_args["server_settings"] = {"statement_timeout": str(int(statement_timeout * 1000))}
    kwargs.setdefault("connect_args", connect_args)
    kwargs.setdefault("pool_timeout", connect_timeout)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker:
    """A session factory whose objects stay usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


def bind_of(sessionmaker: async_sessionmaker) -> AsyncEngine:
    """The engine a session factory is bound to (a session is made, not connected, to ask it)."""
    bind = sessionmaker().bind
    if not isinstance(bind, AsyncEngine):
        raise TypeError("the session factory is not bound to one async engine")
    return bind
