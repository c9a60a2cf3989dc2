"""Monthly-update reminders: once a day, at settings.reminder_hour in settings.timezone, a background
job calls flows.monthly_report.reminders.send_reminders through the channels' senders.

send_reminders claims each (cooperative, period, kind) in the database before sending, so a
restart, a second run on the same day or a second process never sends a reminder twice. The letters
go out paced as announcements are (flows/announcements/ratelimit.py, the same limits from the
settings): per channel, per chat, a 429 pausing the channel, several sends in flight.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flows.announcements.pacing import wait_for_event
from flows.announcements.ratelimit import Lane, Limits
from flows.engine.delivery import RetryLater, TransientError
from flows.monthly_report.reminders import Letter, Outcome, Recipient, Send, Summary, send_one, send_reminders

if TYPE_CHECKING:
    from bot.parts import App

log = logging.getLogger(__name__)

MAX_SLEEP = 3600.0  # seconds; the job looks at the clock at least hourly (clock changes, suspended hosts)
IN_FLIGHT = 16  # letters being sent at once
MAX_RATE_LIMITED = 5  # 429s for one letter before it counts as a passing fault (a later run tries again)


def send_function(app: App) -> Send:
    """Send a text to a user through the sender of the user's channel."""

    async def send(user: Recipient, text: str) -> None:
        sender = app.senders.get(user.channel)
        if sender is None:  # the channel is not configured in this process: let a later run try again
            raise TransientError(f"no sender for channel {user.channel!r}")
        await sender.send(user.external_id, text)

    return send


async def remind(app: App, today: dt.date) -> Summary:
    """Send the reminders due on this day (a no-op for those already claimed)."""
    s = app.settings
    summary = await send_reminders(app.sessionmaker, today, send_function(app),
                                   first_day=s.reminder_first_day, second_after_days=s.reminder_second_after_days,
                                   deliver=paced(Limits.from_settings(s)))
    from bot.metrics import record_reminders

    record_reminders(app, summary.sent, summary.failed, summary.released)
    if summary.claimed:
        log.info("reminders for %s: %d claimed, %d sent, %d failed, %d released",
                 today, summary.claimed, summary.sent, summary.failed, summary.released)
    return summary


def paced(limits: Limits, in_flight: int = IN_FLIGHT):
    """A delivery that sends letters within the channels' limits (overall and per chat), several at a time."""

    async def deliver(letters: Sequence[Letter], send: Send) -> list[Outcome]:
        outcomes: list[Outcome | None] = [None] * len(letters)
        start, index = time.monotonic(), {id(letter): i for i, letter in enumerate(letters)}
        lanes: dict[str, Lane] = {}
        for letter in letters:
            channel = letter.recipient.channel
            lanes.setdefault(channel, Lane(limits.of(channel), start)).push(letter)
        running: set[asyncio.Task] = set()
        limited: dict[int, int] = {}
        wake = asyncio.Event()

        async def one(letter: Letter, lane: Lane) -> None:
            try:
                outcome = await send_one(letter, send, retry_later=True)
            except RetryLater as exc:  # the channel says slow down: it pauses, the letter goes again first
                lane.bucket.pause(time.monotonic(), exc.seconds)
                limited[id(letter)] = limited.get(id(letter), 0) + 1
                if limited[id(letter)] <= MAX_RATE_LIMITED:
                    lane.push(letter, front=True)
                outcome = None if limited[id(letter)] <= MAX_RATE_LIMITED else Outcome.PASSING
            finally:
                running.discard(asyncio.current_task())
                wake.set()
            if outcome is not None:
                outcomes[index[id(letter)]] = outcome

        while any(lanes.values()) or running:
            wait = math.inf
            for lane in lanes.values():
                while lane and len(running) < in_flight:
                    delay, letter = lane.ready(time.monotonic())
                    if letter is None or delay > 0:
                        wait = min(wait, delay)
                        break
                    lane.take(letter, time.monotonic())
                    running.add(asyncio.create_task(one(letter, lane)))
            wake.clear()
            await wait_for_event(wake, None if wait == math.inf else wait)
        return [o or Outcome.FAILED for o in outcomes]

    return deliver


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
