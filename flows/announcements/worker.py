"""The delivery worker: claims due deliveries, paces them per channel and per chat, sends, records outcomes.

Outcomes are written as soon as they are known (each loop turn commits whatever sends finished
since the last), so a crash loses at most the deliveries in flight; their claims expire after
the lease and another worker sends them again. A 429 pauses the channel and retries without
counting an attempt; a 403 blocks the delivery and the user; timeouts and 5xx back off
exponentially up to `max_attempts`; a bad request fails at once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping

from sqlalchemy.ext.asyncio import async_sessionmaker

from db.base import utcnow
from db.models.outbox import DeliveryStatus
from flows.announcements import claims
from flows.announcements.claims import Claimed, Outcome
from flows.announcements.outbox import Progress, progress_of
from flows.announcements.pacing import Counters, Timers, WorkerConfig, wait_for_event
from flows.announcements.ratelimit import Lane, Limits
from flows.announcements.views import message_text
from flows.engine.delivery import PermanentError, RecipientGone, RetryLater, Sender, TransientError

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
ProgressCallback = Callable[[int, Progress], Awaitable[None] | None]


class Worker:
    """One delivery worker; run several (processes) on PostgreSQL, one on SQLite."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker,
        senders: Mapping[str, Sender],
        limits: Limits,
        worker_id: str,
        *,
        config: WorkerConfig | None = None,
        clock: Clock = utcnow,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self.sessionmaker, self.senders, self.worker_id = sessionmaker, dict(senders), worker_id
        self.config, self.clock, self.on_progress = config or WorkerConfig(), clock, on_progress
        self.counters = Counters()
        self._lanes = {channel: Lane(limits.of(channel), time.monotonic()) for channel in self.senders}
        self._held: dict[int, Claimed] = {}  # claimed and not yet recorded
        self._tasks: set[asyncio.Task] = set()
        self._outcomes: list[Outcome] = []
        self._wake = asyncio.Event()  # an outcome arrived: write it
        self._kick = asyncio.Event()  # work or room for a send: dispatch
        self._texts: dict[tuple[int, str], str] = {}
        self._cancelled: set[int] = set()
        self._dirty: set[int] = set()
        self._t = Timers()

    async def run_until_idle(self, limit_seconds: float = 300.0) -> Counters:
        """Deliver everything due now, waiting for backoff retries; return when nothing is due (tests, CLI)."""
        async with asyncio.timeout(limit_seconds):
            await self._run(stop=None)
        return self.counters

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set; in-flight sends finish and unsent claims are handed back."""
        await self._run(stop)

    async def _run(self, stop: asyncio.Event | None) -> None:
        self._t.claim, self._t.found_nothing = 0.0, False  # every run starts by looking
        dispatcher = asyncio.create_task(self._dispatch_loop())
        try:
            while stop is None or not stop.is_set():
                self._wake.clear()
                await self._flush()
                await self._maintain()
                await self._fill()
                if self._buffered() or self._tasks or self._outcomes:
                    await wait_for_event(self._wake, self.config.poll_seconds)  # an outcome wakes it at once
                elif time.monotonic() < self._t.claim:  # idle: the last claim found nothing due
                    if not await self._idle(stop):
                        break
        except BaseException:
            for task in self._tasks:
                task.cancel()  # their outcome is unknown: the claims expire after the lease
            raise
        finally:
            dispatcher.cancel()
            await asyncio.gather(dispatcher, *self._tasks, return_exceptions=True)
            await self._flush()
            unsent = [item.id for lane in self._lanes.values() for item in lane.drain()]
            if unsent:
                async with self.sessionmaker() as session, session.begin():
                    await claims.release(session, self.worker_id, unsent)
            await self._report()

    async def _dispatch_loop(self) -> None:
        """Start sends as the limits allow, apart from the database work so that commits never hold them up."""
        while True:
            self._kick.clear()
            wait = self._dispatch()
            await wait_for_event(self._kick, None if wait == math.inf else wait)

    async def _idle(self, stop: asyncio.Event | None) -> bool:
        """Wait while nothing is due; False ends run_until_idle (no retry is waiting either)."""
        await self._report()
        if stop is not None:
            await wait_for_event(stop, max(0.0, self._t.claim - time.monotonic()))
            return True
        async with self.sessionmaker() as session:
            retry_at = await claims.next_retry_at(session, list(self.senders))
        if retry_at is None and self._t.found_nothing:
            return False
        self._t.claim = 0.0  # look again (a final look when nothing is waiting)
        if retry_at is None:
            return True
        delay = (retry_at - self.clock()).total_seconds()
        await asyncio.sleep(min(max(delay, 0.0), self.config.poll_seconds))
        return True

    def _buffered(self) -> int:
        return sum(len(lane) for lane in self._lanes.values())

    async def _fill(self) -> None:
        """Claim more deliveries when the local queue runs low."""
        cfg = self.config
        if self._buffered() > cfg.batch_size // 2 or time.monotonic() < self._t.claim:
            return
        async with self.sessionmaker() as session, session.begin():
            items = await claims.claim(session, self.worker_id, list(self.senders), self.clock(), cfg.batch_size)
            missing = {i.announcement_id for i in items} - {aid for aid, _ in self._texts}
            texts = await claims.texts(session, missing) if missing else {}
        for aid, text in texts.items():
            for channel in self.senders:
                self._texts[(aid, channel)] = message_text(text, channel)
        for item in items:
            self._held[item.id] = item
            self._lanes[item.channel].push(item)
        if items:
            self._kick.set()
        self._t.found_nothing = not items
        if len(items) < cfg.batch_size:
            self._t.claim = time.monotonic() + cfg.poll_seconds

    def _dispatch(self) -> float:
        """Start every send the limits allow now; returns the seconds until the next one may start."""
        now, wait = time.monotonic(), math.inf
        for lane in self._lanes.values():
            while lane and len(self._tasks) < self.config.concurrency:
                delay, item = lane.ready(now)
                if item is None or delay > 0:
                    wait = min(wait, delay)
                    break
                if item.announcement_id in self._cancelled:
                    lane.drop(item)
                    self._held.pop(item.id, None)
                    self.counters.skipped += 1
                    continue
                lane.take(item, now)
                task = asyncio.create_task(self._send(item))
                self._tasks.add(task)
                task.add_done_callback(self._done)
        return wait

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        self._kick.set()  # room for another send

    async def _send(self, item: Claimed) -> None:
        sender, text = self.senders[item.channel], self._texts[(item.announcement_id, item.channel)]
        try:
            await sender.send(item.external_id, text)
        except RetryLater as exc:
            self.counters.rate_limited += 1
            self._lanes[item.channel].bucket.pause(time.monotonic(), exc.seconds)
            item.rate_limited += 1
            if item.rate_limited <= self.config.max_rate_limited:
                self._lanes[item.channel].push(item, front=True)
                return
            outcome = self._retry(item, f"rate limited {item.rate_limited} times")
        except RecipientGone as exc:
            outcome = Outcome(item, DeliveryStatus.BLOCKED, repr(exc))
        except PermanentError as exc:
            outcome = Outcome(item, DeliveryStatus.FAILED, repr(exc))
        except TransientError as exc:
            outcome = self._retry(item, repr(exc))
        except Exception as exc:  # a sender bug: treat like a timeout rather than lose the message
            log.exception("sender for %s raised an unexpected error", item.channel)
            outcome = self._retry(item, repr(exc))
        else:
            outcome = Outcome(item, DeliveryStatus.SENT)
        self._outcomes.append(outcome)
        self._wake.set()

    def _retry(self, item: Claimed, error: str) -> Outcome:
        """Back off exponentially, or fail once the attempts are used up."""
        attempts = item.attempts + 1
        if attempts >= self.config.max_attempts:
            return Outcome(item, DeliveryStatus.FAILED, error)
        delay = min(self.config.backoff_seconds * 2 ** (attempts - 1), self.config.backoff_max_seconds)
        delay *= random.uniform(0.8, 1.2)
        return Outcome(item, DeliveryStatus.PENDING, error, self.clock() + dt.timedelta(seconds=delay))

    async def _flush(self) -> None:
        """Commit the outcomes that arrived since the last flush (one transaction for all of them)."""
        if not self._outcomes:
            return
        batch, self._outcomes = self._outcomes, []
        async with self.sessionmaker() as session, session.begin():
            await claims.record(session, self.worker_id, batch, self.clock())
        for outcome in batch:
            self._held.pop(outcome.item.id, None)
            self._dirty.add(outcome.item.announcement_id)
            name = {"sent": "sent", "failed": "failed", "blocked": "blocked", "pending": "retried"}[outcome.status]
            setattr(self.counters, name, getattr(self.counters, name) + 1)

    async def _maintain(self) -> None:
        """Renew this worker's lease, reclaim dead workers' claims, notice cancels, report progress."""
        cfg, now, t = self.config, time.monotonic(), self._t
        if self._held and now >= t.renew:
            t.renew = now + cfg.lease_seconds / 3
            async with self.sessionmaker() as session, session.begin():
                await claims.renew(session, self.worker_id, self.clock())
        if now >= t.reclaim:
            t.reclaim = now + cfg.lease_seconds / 4
            async with self.sessionmaker() as session, session.begin():
                lease = dt.timedelta(seconds=cfg.lease_seconds)
                if reclaimed := await claims.reclaim_stale(session, self.clock(), lease):
                    log.warning("reclaimed %d deliveries from expired claims", reclaimed)
        if self._held and now >= t.cancel:
            t.cancel = now + cfg.cancel_check_seconds
            async with self.sessionmaker() as session:
                held = {i.announcement_id for i in self._held.values()}
                self._cancelled = await claims.cancelled_among(session, held)
        if now >= t.progress:
            t.progress = now + cfg.progress_seconds
            await self._report()

    async def _report(self) -> None:
        """Finish announcements with nothing left and tell the progress callback about changed ones."""
        if not self._dirty:
            return
        ids, self._dirty = self._dirty, set()
        async with self.sessionmaker() as session, session.begin():
            finished = set(await claims.finish(session, ids, self.clock()))
            progresses = await progress_of(session, ids) if self.on_progress else {}
        for aid in finished:
            for channel in self.senders:
                self._texts.pop((aid, channel), None)
        for aid, progress in progresses.items():
            try:
                result = self.on_progress(aid, progress)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("progress callback failed for announcement %s", aid)
