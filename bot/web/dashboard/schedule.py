"""Announcements sent later, and cancelled, from the dashboard (issue 18); each form carries a one-time key.

POST /quan-ly/thong-bao/hen-gio: the previewed announcement, to be delivered at a time the official
picks in Vietnam's time (at least a few minutes ahead, at most 90 days); its deliveries wait until
then (flows.announcements.outbox.create_announcement with `scheduled_at`).
POST /quan-ly/thong-bao/{id}/huy: cancel what is not sent yet, of an announcement in the official's scope.
"""

from __future__ import annotations

import datetime as dt

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.models.outbox import Announcement, AnnouncementStatus
from flows.announcements import audience, outbox
from flows.engine.numbers import ascii_int
from flows.join.scope import Scope

from .announce import BASE, _checked, _compose, _refused
from .auth import Viewer
from .once import once_action
from .views import LOCAL, BadRequest, Refused

EARLIEST = dt.timedelta(minutes=5)
LATEST = dt.timedelta(days=90)


def parse_when(value: str) -> dt.datetime | None:
    """A datetime-local value ('2026-12-01T08:00') read in Vietnam's time, as an aware UTC datetime; None if malformed."""
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is not None or not value.isascii():
        return None
    return moment.replace(tzinfo=LOCAL).astimezone(dt.UTC)  # stored in UTC, as every timestamp


@once_action
async def schedule(request: web.Request, session: AsyncSession, viewer: Viewer) -> str | web.StreamResponse:
    """POST: enqueue the announcement for delivery at the chosen time, and go to its page (once per form)."""
    form = await request.post()
    text, spec, problem = _checked(form)
    when = parse_when(str(form.get("hen_gio", "")))
    now = utcnow()
    if not problem and (when is None or not now + EARLIEST <= when <= now + LATEST):
        problem = "when"
    if problem:
        return await _compose(session, viewer, form=form, status=400, problem=problem)
    try:
        announcement = await outbox.create_announcement(session, viewer.user_id, viewer.scope, text, spec,
                                                        scheduled_at=when)
    except audience.AudienceRefused as refused:
        await session.rollback()
        return await _refused(session, viewer, form, refused)
    return f"{BASE}/{announcement.id}"


@once_action
async def cancel(request: web.Request, session: AsyncSession, viewer: Viewer) -> str | web.StreamResponse:
    """POST: cancel the deliveries not made yet of an announcement in the official's scope (once per form)."""
    number = ascii_int(request.match_info["announcement_id"], 11)
    announcement = await session.get(Announcement, number) if number is not None else None
    if announcement is None:
        raise BadRequest("not_found")
    if not viewer.scope.contains(Scope(announcement.scope_level, announcement.province_code,
                                       announcement.commune_code)):
        raise Refused()
    if announcement.status in (AnnouncementStatus.DONE, AnnouncementStatus.CANCELLED):
        return f"{BASE}/{announcement.id}?huy=muon"
    cancelled = await outbox.cancel(session, announcement.id, by=viewer.user_id)
    return f"{BASE}/{announcement.id}?huy={cancelled}"
