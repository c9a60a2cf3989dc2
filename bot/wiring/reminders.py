"""Monthly-update reminders: once a day, at settings.reminder_hour in settings.timezone, a background
job calls flows.monthly_report.reminders.send_reminders through the channels' senders.

send_reminders claims each (cooperative, period, kind) in the database before sending, so a
restart, a second run on the same day or a second process never sends a reminder twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from db.models.core import User
from flows.engine.delivery import TransientError
from flows.monthly_report.reminders import Summary, send_reminders

if TYPE_CHECKING:
    from bot.parts import App

log = logging.getLogger(__name__)

MAX_SLEEP = 3600.0  # seconds; the job looks at the clock at least hourly (clock changes, suspended hosts)


def send_function(app: App) -> Callable[[User, str], object]:
    """Send a text to a user through the sender of the user's channel."""

    async def send(user: User, text: str) -> None:
        sender = app.senders.get(user.channel)
        if sender is None:  # the channel is not configured in this process: let a later run try again
            raise TransientError(f"no sender for channel {user.channel!r}")
        await sender.send(user.external_id, text)

    return send


async def remind(app: App, today: dt.date) -> Summary:
    """Send the reminders due on this day (a no-op for those already claimed)."""
    s = app.settings
    summary = await send_reminders(app.sessionmaker, today, send_function(app),
                                   first_day=s.reminder_first_day, second_after_days=s.reminder_second_after_days)
    if summary.claimed:
        log.info("reminders for %s: %d claimed, %d sent, %d failed, %d released",
                 today, summary.claimed, summary.sent, summary.failed, summary.released)
    return summary


def seconds_until(now: dt.datetime, hour: int) -> float:
    """Seconds from `now` to the next time the clock shows `hour`:00 (capped at MAX_SLEEP)."""
    target = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if target <= now:
        target += dt.timedelta(days=1)
    return min(max((target - now).total_seconds(), 1.0), MAX_SLEEP)


def make_job(app: App, clock: Callable[[], dt.datetime] | None = None):
    """The background job: from the configured hour on, run once per local day until stopped."""
    tz = ZoneInfo(app.settings.timezone)
    clock = clock or (lambda: dt.datetime.now(tz))
    hour = app.settings.reminder_hour

    async def send_monthly_reminders(stop: asyncio.Event) -> None:
        done_on: dt.date | None = None
        while not stop.is_set():
            now = clock()
            if now.hour >= hour and done_on != now.date():
                await remind(app, now.date())
                done_on = now.date()
            try:
                await asyncio.wait_for(stop.wait(), seconds_until(now, hour))
            except TimeoutError:
                pass

    return send_monthly_reminders


def install(app: App) -> None:
    """Add the daily reminder job (when reminders are switched on in the settings)."""
    if app.settings.reminders_enabled:
        app.jobs.append(make_job(app))
