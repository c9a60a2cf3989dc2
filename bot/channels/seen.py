"""Message ids a channel already took in, kept in the database so that a restart does not forget them.

Zalo re-delivers: getUpdates has no offset and hands back consumed updates; the OA retries webhook
events. Deliberately small and self-contained: the durable inbox of issue 15 will replace it.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import async_sessionmaker

from db.base import utcnow
from db.models.zalo import ZaloSeen

MAX_ID = 128  # longer ids are stored as their sha256


class SeenMessages:
    """One channel's seen message ids; ids older than `keep` are forgotten (purged at most once an hour)."""

    def __init__(self, sessionmaker: async_sessionmaker, channel: str, keep: dt.timedelta = dt.timedelta(days=7)) -> None:
        self.sessionmaker, self.channel, self.keep = sessionmaker, channel, keep
        self._purged: dt.datetime | None = None

    async def first_time(self, message_id: str) -> bool:
        """Record `message_id`; True the first time it is seen, False for a re-delivery."""
        if len(message_id) > MAX_ID:
            message_id = hashlib.sha256(message_id.encode()).hexdigest()
        now = utcnow()
        async with self.sessionmaker() as session, session.begin():
            dialect = session.bind.dialect.name
            stmt = _insert_new(dialect).values(channel=self.channel, message_id=message_id, seen_at=now)
            new = (await session.execute(stmt.returning(ZaloSeen.message_id))).first() is not None
            if self._purged is None or now - self._purged > dt.timedelta(hours=1):
                self._purged = now
                await session.execute(delete(ZaloSeen).where(ZaloSeen.channel == self.channel,
                                                             ZaloSeen.seen_at < now - self.keep))
        return new


def _insert_new(dialect: str):  # noqa: ANN202 - a dialect's Insert
    """INSERT ... ON CONFLICT DO NOTHING on PostgreSQL and SQLite."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:  # pragma: no cover - only the two supported databases
        return insert(ZaloSeen)
    return dialect_insert(ZaloSeen).on_conflict_do_nothing(index_elements=["channel", "message_id"])
