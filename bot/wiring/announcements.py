"""Announcements: the delivery worker runs as a background job through the channels' senders."""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING

from flows.announcements.ratelimit import Limits
from flows.announcements.worker import Worker

if TYPE_CHECKING:
    from bot.app import App


def make_worker(app: App) -> Worker:
    """A delivery worker for this process, sending through every configured channel."""
    return Worker(app.sessionmaker, app.senders, Limits.from_settings(app.settings),
                  f"{socket.gethostname()}-{os.getpid()}")


def install(app: App) -> None:
    """Deliver announcements in the background while the bot runs."""

    async def deliver_announcements(stop) -> None:
        await make_worker(app).run_forever(stop)

    app.jobs.append(deliver_announcements)
