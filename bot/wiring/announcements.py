"""Announcements: the delivery worker runs as a background job through every channel's sender, and the
author follows it in ONE progress message that is edited until the final summary.

A channel whose sender can `send_tracked` and `edit` (Telegram) gets the edited message; any other
(Zalo) gets only the final summary, as a new message. `Announcement.progress_ref` keeps the message
id, or a marker claimed atomically so that two worker processes never create two progress messages.
"""

from __future__ import annotations

import logging
import os
import socket
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models.core import User
from db.models.outbox import Announcement, AnnouncementStatus
from flows.announcements.outbox import Progress
from flows.announcements.ratelimit import Limits
from flows.announcements.views import progress_text, summary_text
from flows.announcements.worker import Worker

if TYPE_CHECKING:
    from bot.parts import App

log = logging.getLogger(__name__)

CREATING = "…"  # progress_ref while one process sends the first progress message
SUMMARY_SENT = "summary"  # progress_ref once a channel without edits got its final summary
_FINAL = (AnnouncementStatus.DONE, AnnouncementStatus.CANCELLED)


class ProgressMessages:
    """Keeps each author's progress message up to date; also the worker's `on_progress`."""

    def __init__(self, sessionmaker: async_sessionmaker, senders: dict[str, Any]) -> None:
        self.sessionmaker, self.senders = sessionmaker, senders

    async def __call__(self, announcement_id: int, progress: Progress) -> None:
        async with self.sessionmaker() as session:
            announcement = await session.get(Announcement, announcement_id)
            if announcement is not None:
                await self.show(session, announcement, progress)
                await session.commit()

    async def show(self, session: AsyncSession, announcement: Announcement, progress: Progress,
                   *, in_chat: bool = False) -> None:
        """Show the progress (or the final summary) to the author; the caller commits the session.

        `in_chat`: called while the author's own message is handled (a cancel), whose reply already
        says how it ended; only an existing progress message is edited then, and nothing is committed.
        """
        author = await session.get(User, announcement.author_id) if announcement.author_id else None
        sender = self.senders.get(author.channel) if author is not None else None
        if sender is None or author.blocked:
            return
        final = announcement.status in _FINAL and progress.remaining == 0
        text = summary_text(announcement, progress) if final else progress_text(progress)
        ref = announcement.progress_ref
        if not (hasattr(sender, "send_tracked") and hasattr(sender, "edit")):
            if final and await _claim(session, announcement, None, SUMMARY_SENT) and not in_chat:
                await sender.send(author.external_id, text)
            return
        if ref not in (None, CREATING):
            await sender.edit(author.external_id, ref, text)
            return
        if not in_chat and ref is None and await _claim(session, announcement, None, CREATING):
            await session.commit()  # other processes now see the claim and leave the message to us
            try:
                ref = await sender.send_tracked(author.external_id, text)
            except Exception:
                await _set(session, announcement, None)
                raise
            await _set(session, announcement, ref)


async def _claim(session: AsyncSession, announcement: Announcement, expected: str | None, value: str) -> bool:
    """Set progress_ref from `expected` to `value` unless another process did first."""
    table = Announcement.__table__
    same = table.c.progress_ref.is_(None) if expected is None else table.c.progress_ref == expected
    result = await session.execute(update(table).where(table.c.id == announcement.id, same).values(progress_ref=value))
    won = result.rowcount == 1
    if won:
        announcement.progress_ref = value
    return won


async def _set(session: AsyncSession, announcement: Announcement, value: str | None) -> None:
    table = Announcement.__table__
    await session.execute(update(table).where(table.c.id == announcement.id).values(progress_ref=value))
    announcement.progress_ref = value
    await session.commit()


def make_worker(app: App, **options: Any) -> Worker:
    """A delivery worker for this process, sending through every configured channel (options: config, clock)."""
    progress = app.services.announcement_progress or ProgressMessages(app.sessionmaker, app.senders)
    return Worker(app.sessionmaker, app.senders, Limits.from_settings(app.settings),
                  f"{socket.gethostname()}-{os.getpid()}", on_progress=progress, **options)


def install(app: App) -> None:
    """Deliver announcements in the background while the bot runs; authors see one progress message."""
    app.services.announcement_progress = ProgressMessages(app.sessionmaker, app.senders)

    async def deliver_announcements(stop) -> None:
        await make_worker(app).run_forever(stop)

    app.jobs.append(deliver_announcements)
