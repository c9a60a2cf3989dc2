"""The daily purge of conversation logs (flows/my_data/retention.py): audit-log entries tied to a person,
older than settings.conversation_log_months. Each day's run is claimed in the database first, so two
processes never run it together and a restart does not run it twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flows.my_data.retention import run_once

if TYPE_CHECKING:
    from bot.parts import App

log = logging.getLogger(__name__)

MAX_SLEEP = 3600.0  # seconds; the job looks at the clock at least hourly (clock changes, suspended hosts)


def worker_name() -> str:
    """Who claims a run: this host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def make_job(app: App, clock: Callable[[], dt.datetime] | None = None):
    """The background job: once per local day (from start-up on), purge what is older than the setting."""
    tz = ZoneInfo(app.settings.timezone)
    clock = clock or (lambda: dt.datetime.now(tz))
    months = app.settings.conversation_log_months

    async def purge_conversation_logs(stop: asyncio.Event) -> None:
        done_on: dt.date | None = None
        while not stop.is_set():
            now = clock()
            today = now.date()
            if done_on != today:
                removed = await run_once(app.sessionmaker, today, months, worker_name(), now=now)
                if removed is None:
                    log.debug("conversation-log purge of %s was claimed by another process", today)
                done_on = today
            try:
                await asyncio.wait_for(stop.wait(), MAX_SLEEP)
            except TimeoutError:
                pass

    return purge_conversation_logs


def install(app: App) -> None:
    """Add the daily conversation-log purge."""
    app.jobs.append(make_job(app))
