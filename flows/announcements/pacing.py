"""A delivery worker's tuning, its counters and its timers."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """Tuning of a worker; the defaults suit Telegram."""

    batch_size: int = 200  # rows per claim
    concurrency: int = 32  # sends in flight at once
    lease_seconds: float = 60.0  # a claim older than this belongs to a dead worker
    max_attempts: int = 5  # real attempts (timeouts, 5xx) before a delivery fails
    backoff_seconds: float = 2.0  # first retry delay; doubles each attempt
    backoff_max_seconds: float = 600.0
    max_rate_limited: int = 20  # 429s for one delivery before it counts as an attempt
    poll_seconds: float = 1.0  # how often an idle worker looks for due deliveries
    cancel_check_seconds: float = 0.5
    progress_seconds: float = 2.0


@dataclass(slots=True)
class Counters:
    """What this worker did since it started."""

    sent: int = 0
    failed: int = 0
    blocked: int = 0
    retried: int = 0
    rate_limited: int = 0
    skipped: int = 0  # dropped before sending because the announcement was cancelled


@dataclass
class Timers:
    """When the worker last did each of its periodic chores."""

    claim: float = 0.0
    renew: float = 0.0
    reclaim: float = 0.0
    cancel: float = 0.0
    progress: float = 0.0
    found_nothing: bool = False  # the last claim came back empty


async def wait_for_event(event: asyncio.Event, seconds: float | None) -> None:
    """Wait for an event, at most `seconds` (asyncio.timeout: wait_for may swallow a cancel on 3.11)."""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        pass
