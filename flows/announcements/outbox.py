"""Enqueue an announcement with one delivery row per recipient, cancel it, and report its progress.

The delivery rows are written by one INSERT ... SELECT from the users table in the caller's
transaction, so an announcement and all its deliveries are committed together (or not at all).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import DateTime, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.models.core import AuditLog, User
from db.models.outbox import Announcement, AnnouncementStatus, Delivery, DeliveryStatus
from flows.announcements import audience
from flows.join.scope import Scope

_D = Delivery.__table__


@dataclass(frozen=True, slots=True)
class Progress:
    """How far an announcement's deliveries are; `remaining` counts pending and in-flight ones."""

    total: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    cancelled: int = 0
    remaining: int = 0

    @classmethod
    def from_counts(cls, counts: dict[str, int]) -> Progress:
        """Build from a {status: count} map of delivery rows."""
        remaining = counts.get(DeliveryStatus.PENDING, 0) + counts.get(DeliveryStatus.SENDING, 0)
        return cls(
            total=sum(counts.values()),
            sent=counts.get(DeliveryStatus.SENT, 0),
            failed=counts.get(DeliveryStatus.FAILED, 0),
            blocked=counts.get(DeliveryStatus.BLOCKED, 0),
            cancelled=counts.get(DeliveryStatus.CANCELLED, 0),
            remaining=remaining,
        )


async def create_announcement(
    session: AsyncSession,
    author: User | int | None,
    scope: Scope,
    text: str,
    spec: audience.Spec,
    scheduled_at: dt.datetime | None = None,
    *,
    now: dt.datetime | None = None,
) -> Announcement:
    """Add an announcement and a pending delivery for every recipient of `spec` in `scope` (caller commits).

    Raises audience.AudienceRefused before writing anything when the spec leaves the scope.
    """
    if not text.strip():
        raise ValueError("an announcement needs text")
    if scheduled_at is not None and scheduled_at.tzinfo is None:
        raise ValueError("scheduled_at must be timezone-aware")
    where = audience.condition(scope, spec)
    now = now or utcnow()
    announcement = Announcement(
        author_id=author.id if isinstance(author, User) else author,
        text=text,
        audience=dict(spec),
        scope_level=scope.level,
        province_code=scope.province_code,
        commune_code=scope.commune_code,
        status=AnnouncementStatus.SCHEDULED if scheduled_at else AnnouncementStatus.SENDING,
        scheduled_at=scheduled_at,
        created_at=now,
    )
    session.add(announcement)
    await session.flush()
    recipients = (
        select(
            literal(announcement.id),
            User.id,
            User.channel,
            User.external_id,
            literal(DeliveryStatus.PENDING.value),
            literal(0),
            literal(scheduled_at or now, DateTime(timezone=True)),
        )
        .where(where)
        .order_by(User.id)
    )
    columns = ["announcement_id", "user_id", "channel", "external_id", "status", "attempts", "next_attempt_at"]
    result = await session.execute(insert(_D).from_select(columns, recipients))
    announcement.recipients = result.rowcount
    if announcement.recipients == 0:
        announcement.status = AnnouncementStatus.DONE
        announcement.finished_at = now
    detail = {"announcement_id": announcement.id, "recipients": announcement.recipients, "audience": dict(spec)}
    session.add(AuditLog(user_id=announcement.author_id, action="announcement.create", detail=detail))
    await session.flush()
    return announcement


async def cancel(
    session: AsyncSession, announcement_id: int, *, by: int | None = None, now: dt.datetime | None = None
) -> int:
    """Cancel what is not sent yet (pending and claimed rows; workers skip them); returns how many (caller commits)."""
    result = await session.execute(
        update(_D)
        .where(
            _D.c.announcement_id == announcement_id,
            _D.c.status.in_((DeliveryStatus.PENDING, DeliveryStatus.SENDING)),
        )
        .values(status=DeliveryStatus.CANCELLED, claimed_by=None, claimed_at=None)
    )
    await session.execute(
        update(Announcement)
        .where(
            Announcement.id == announcement_id,
            Announcement.status.not_in((AnnouncementStatus.DONE, AnnouncementStatus.CANCELLED)),
        )
        .values(status=AnnouncementStatus.CANCELLED, finished_at=now or utcnow())
    )
    cancelled = result.rowcount or 0
    detail = {"announcement_id": announcement_id, "cancelled": cancelled}
    session.add(AuditLog(user_id=by, action="announcement.cancel", detail=detail))
    return cancelled


async def progress_of(session: AsyncSession, announcement_ids: Collection[int]) -> dict[int, Progress]:
    """The progress of several announcements, from one GROUP BY over their delivery rows."""
    counts: dict[int, dict[str, int]] = {aid: {} for aid in announcement_ids}
    if counts:
        rows = await session.execute(
            select(_D.c.announcement_id, _D.c.status, func.count())
            .where(_D.c.announcement_id.in_(counts))
            .group_by(_D.c.announcement_id, _D.c.status)
        )
        for aid, status, n in rows:
            counts[aid][status] = n
    return {aid: Progress.from_counts(c) for aid, c in counts.items()}


async def progress(session: AsyncSession, announcement_id: int) -> Progress:
    """How many deliveries of an announcement were sent, failed, blocked, cancelled, or remain."""
    return (await progress_of(session, [announcement_id]))[announcement_id]


async def history(session: AsyncSession, scope: Scope, limit: int = 20) -> list[tuple[Announcement, Progress]]:
    """The latest announcements sent within a scope, newest first, each with its progress."""
    rows = await session.execute(
        select(Announcement)
        .where(scope.where(Announcement.province_code, Announcement.commune_code))
        .order_by(Announcement.created_at.desc(), Announcement.id.desc())
        .limit(limit)
    )
    announcements = list(rows.scalars())
    progresses = await progress_of(session, [a.id for a in announcements])
    return [(a, progresses[a.id]) for a in announcements]
