"""Conversation logs are kept for a number of months (CONVERSATION_LOG_MONTHS), then purged.

A conversation log is an audit-log entry tied to a person (what they opened, when: the funnels).
Officials' accountability entries (OFFICIAL_ACTIONS: dashboard sign-ins and exports, announcements,
appointments) are not conversation logs and stay. One run a day: the run is claimed in job_runs
first, and the primary key (job, day) lets only one process claim it, however many run.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import and_, delete, null, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.base import utcnow
from db.models.core import AuditLog, Conversation
from db.models.privacy import JobRun

log = logging.getLogger(__name__)

JOB = "purge_conversation_logs"
BATCH = 5000  # rows deleted per transaction, so that no purge holds a long lock
OFFICIAL_ACTIONS = ("dashboard.signed_in", "dashboard.exported", "announcement.create", "announcement.cancel",
                    "official.add")


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same moment `months` calendar months earlier (the day clamped to the month's length)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (following - dt.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


async def claim(session: AsyncSession, job: str, day: dt.date, worker: str) -> bool:
    """Claim a job's run for a day (the caller commits); False when another run has it already."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    result = await session.execute(insert(JobRun).values(job=job, day=day, claimed_by=worker[:64],
                                                         claimed_at=utcnow()).on_conflict_do_nothing())
    return result.rowcount == 1


def _old_logs(cutoff: dt.datetime):
    return and_(AuditLog.at < cutoff, AuditLog.user_id.is_not(None), AuditLog.action.not_in(OFFICIAL_ACTIONS))


async def purge(sessionmaker: async_sessionmaker, cutoff: dt.datetime, batch: int = BATCH) -> int:
    """Delete conversation logs older than `cutoff`, a batch per transaction; how many went. The last
    replies kept with a conversation (to resend them after a crash) go too when it is that old."""
    async with sessionmaker() as session, session.begin():
        await session.execute(update(Conversation).where(Conversation.updated_at < cutoff,
                                                         Conversation.last_replies.is_not(None))
                              .values(last_replies=null()))  # SQL NULL, not JSON null
    removed = 0
    while True:
        async with sessionmaker() as session, session.begin():
            ids = (await session.scalars(select(AuditLog.id).where(_old_logs(cutoff)).limit(batch))).all()
            if ids:
                await session.execute(delete(AuditLog).where(AuditLog.id.in_(ids)))
        removed += len(ids)
        if len(ids) < batch:
            return removed


async def run_once(sessionmaker: async_sessionmaker, day: dt.date, months: int, worker: str,
                   now: dt.datetime | None = None) -> int | None:
    """The day's purge, when this process claims it: rows removed, or None (claimed elsewhere already)."""
    async with sessionmaker() as session, session.begin():
        if not await claim(session, JOB, day, worker):
            return None
    removed = await purge(sessionmaker, months_before(now or utcnow(), months))
    async with sessionmaker() as session, session.begin():
        await session.execute(update(JobRun).where(JobRun.job == JOB, JobRun.day == day)
                              .values(finished_at=utcnow(), removed=removed))
    log.info("conversation logs older than %d months: %d removed", months, removed)
    return removed
