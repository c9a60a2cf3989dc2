"""The outbox as a work queue: claim due deliveries, record outcomes, reclaim claims of dead workers.

On PostgreSQL a claim is `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)`, so several
worker processes share the work without taking the same row; on SQLite writes are serialised and
the same UPDATE is atomic. A claim is a lease: `claimed_at` older than the lease means the worker
died (kill -9) and the rows go back to pending, which is the only way a message is sent twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.core import User
from db.models.outbox import Announcement, AnnouncementStatus, Delivery, DeliveryStatus

_D = Delivery.__table__
_A = Announcement.__table__
_CHUNK = 1000
_OPEN = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


@dataclass(slots=True)
class Claimed:
    """A delivery a worker holds: where it goes, and how many real attempts it has had."""

    id: int
    announcement_id: int
    user_id: int | None
    channel: str
    external_id: str
    attempts: int
    rate_limited: int = 0  # 429 answers seen for it in this worker (not attempts)

    @property
    def chat(self) -> Hashable:
        return (self.channel, self.external_id)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one claimed delivery: sent, failed, blocked, or pending again at `retry_at`."""

    item: Claimed
    status: DeliveryStatus
    error: str | None = None
    retry_at: dt.datetime | None = None


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """A stored timestamp as timezone-aware UTC (SQLite hands them back naive)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def _chunks(values: Sequence, size: int = _CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


async def claim(
    session: AsyncSession, worker_id: str, channels: Collection[str], now: dt.datetime, limit: int
) -> list[Claimed]:
    """Claim up to `limit` pending deliveries due by `now` on the given channels, oldest first."""
    due = (
        select(_D.c.id)
        .where(_D.c.status == DeliveryStatus.PENDING, _D.c.next_attempt_at <= now, _D.c.channel.in_(channels))
        .order_by(_D.c.next_attempt_at, _D.c.id)
        .limit(limit)
    )
    if session.bind.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    stmt = (
        update(_D)
        .where(_D.c.id.in_(due.scalar_subquery()))
        .values(status=DeliveryStatus.SENDING, claimed_by=worker_id, claimed_at=now)
        .returning(_D.c.id, _D.c.announcement_id, _D.c.user_id, _D.c.channel, _D.c.external_id, _D.c.attempts)
    )
    items = sorted((Claimed(*row) for row in await session.execute(stmt)), key=lambda c: c.id)
    announcement_ids = {c.announcement_id for c in items}
    if announcement_ids:
        await session.execute(
            update(_A)
            .where(_A.c.id.in_(announcement_ids), _A.c.status == AnnouncementStatus.SCHEDULED)
            .values(status=AnnouncementStatus.SENDING)
        )
    return items


async def record(session: AsyncSession, worker_id: str, outcomes: Sequence[Outcome], now: dt.datetime) -> None:
    """Write the outcomes of sends; a 403 also marks the user blocked. Sent is written even after a cancel."""
    sent = [o.item.id for o in outcomes if o.status == DeliveryStatus.SENT]
    for ids in _chunks(sent):
        await session.execute(
            update(_D)
            .where(_D.c.id.in_(ids))
            .values(status=DeliveryStatus.SENT, sent_at=now, attempts=_D.c.attempts + 1, last_error=None)
        )
    final = [o for o in outcomes if o.status in (DeliveryStatus.FAILED, DeliveryStatus.BLOCKED)]
    if final:
        await session.execute(
            update(_D)
            .where(_D.c.id == bindparam("_id"))
            .values(status=bindparam("_status"), last_error=bindparam("_error"), attempts=_D.c.attempts + 1),
            [{"_id": o.item.id, "_status": o.status.value, "_error": o.error} for o in final],
        )
    gone = sorted({o.item.user_id for o in final if o.status == DeliveryStatus.BLOCKED and o.item.user_id})
    for ids in _chunks(gone):
        await session.execute(update(User).where(User.id.in_(ids)).values(blocked=True))
    retry = [o for o in outcomes if o.status == DeliveryStatus.PENDING]
    if retry:
        await session.execute(
            update(_D)
            .where(_D.c.id == bindparam("_id"), _D.c.claimed_by == worker_id, _D.c.status == DeliveryStatus.SENDING)
            .values(
                status=DeliveryStatus.PENDING,
                next_attempt_at=bindparam("_at"),
                last_error=bindparam("_error"),
                attempts=_D.c.attempts + 1,
                claimed_by=None,
                claimed_at=None,
            ),
            [{"_id": o.item.id, "_at": o.retry_at, "_error": o.error} for o in retry],
        )


async def release(session: AsyncSession, worker_id: str, ids: Sequence[int]) -> None:
    """Hand claimed but unsent deliveries back (a worker stopping cleanly)."""
    for chunk in _chunks(ids):
        await session.execute(
            update(_D)
            .where(_D.c.id.in_(chunk), _D.c.claimed_by == worker_id, _D.c.status == DeliveryStatus.SENDING)
            .values(status=DeliveryStatus.PENDING, claimed_by=None, claimed_at=None)
        )


async def renew(session: AsyncSession, worker_id: str, now: dt.datetime) -> None:
    """Extend this worker's lease on everything it holds."""
    await session.execute(
        update(_D)
        .where(_D.c.status == DeliveryStatus.SENDING, _D.c.claimed_by == worker_id)
        .values(claimed_at=now)
    )


async def reclaim_stale(session: AsyncSession, now: dt.datetime, lease: dt.timedelta) -> int:
    """Put deliveries whose claim is older than the lease back to pending; returns how many."""
    result = await session.execute(
        update(_D)
        .where(_D.c.status == DeliveryStatus.SENDING, _D.c.claimed_at < now - lease)
        .values(status=DeliveryStatus.PENDING, claimed_by=None, claimed_at=None)
    )
    return result.rowcount or 0


async def cancelled_among(session: AsyncSession, announcement_ids: Collection[int]) -> set[int]:
    """Which of these announcements have been cancelled."""
    if not announcement_ids:
        return set()
    rows = await session.execute(
        select(_A.c.id).where(_A.c.id.in_(announcement_ids), _A.c.status == AnnouncementStatus.CANCELLED)
    )
    return set(rows.scalars())


async def texts(session: AsyncSession, announcement_ids: Collection[int]) -> dict[int, str]:
    """The text of each announcement."""
    rows = await session.execute(select(_A.c.id, _A.c.text).where(_A.c.id.in_(announcement_ids)))
    return {aid: text for aid, text in rows}


async def finish(session: AsyncSession, announcement_ids: Collection[int], now: dt.datetime) -> list[int]:
    """Mark done the announcements with nothing left to send; returns the ones that just finished."""
    if not announcement_ids:
        return []
    still_open = exists().where(_D.c.announcement_id == _A.c.id, _D.c.status.in_(_OPEN))
    result = await session.execute(
        update(_A)
        .where(
            _A.c.id.in_(announcement_ids),
            _A.c.status.in_((AnnouncementStatus.SENDING, AnnouncementStatus.SCHEDULED)),
            ~still_open,
        )
        .values(status=AnnouncementStatus.DONE, finished_at=now)
        .returning(_A.c.id)
    )
    return list(result.scalars())


async def next_retry_at(session: AsyncSession, channels: Collection[str]) -> dt.datetime | None:
    """When the earliest pending retry (a delivery that already had an attempt) falls due."""
    stmt = select(func.min(_D.c.next_attempt_at)).where(
        _D.c.status == DeliveryStatus.PENDING, _D.c.attempts > 0, _D.c.channel.in_(channels)
    )
    return aware((await session.execute(stmt)).scalar_one())
