"""The durable inbox: every update is written down and committed before it is acknowledged, and
processed from the table, so an update acknowledged before a crash is processed after it (issue 15).

Receiving: `accept` (webhooks, polling) writes updates within WRITE_DEADLINE or raises Busy (the
webhook answers 503, polling keeps its offset: the platform sends the update again); `handle_now`
(web chat, terminal) writes one update, then handles it at once and returns the replies.
Processing: the rows a process writes it handles at once, each user's in arrival order; `run`,
a background job, renews this process's leases, takes over rows nobody holds (a crashed process's,
once their lease ran out), gives up on rows tried MAX_ATTEMPTS times and purges old rows. The
engine does not handle a message id twice: a row taken up again changes nothing, and when it was the
user's last message its replies, kept with its state, are sent again (a crash may have cut them off).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import os
import secrets
import socket
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from bot.inbox import store
from bot.inbox.store import Row
from bot.timeouts import within
from db.base import utcnow
from db.models.inbox import InboxStatus
from flows.engine.engine import Deliver, Engine
from flows.engine.messages import Incoming, Reply

log = logging.getLogger(__name__)

WRITE_DEADLINE = 4.0  # seconds a sender waits for the inbox: a web or terminal user hears "busy" within 5 s
HANDLE_DEADLINE = 300.0  # seconds one update may take, replies included; then it is tried again later
CAPACITY = 1024  # rows a process holds at once (a task and a payload each); more wait in the table for the drain
BATCH = 100  # rows the drain takes per round
MAX_ATTEMPTS = 5  # times a row is taken up before it is given up (a poison update)
RETENTION = dt.timedelta(days=7)  # rows are kept this long to recognise re-deliveries (Zalo hands updates back)
STOP_WAIT = 8.0  # seconds a stopping process gives the updates in hand


class Busy(Exception):
    """The inbox could not be written in time: the sender must try again later."""


@dataclass(frozen=True, slots=True)
class Work:
    """What a channel makes of a stored update: the message for the engine and how replies leave."""

    incoming: Incoming
    deliver: Deliver | None = None


Reader = Callable[[dict[str, Any]], Work | None]


class Inbox:
    """One process's side of the inbox table; see the module docstring."""

    def __init__(self, engine: Engine, *, lease_seconds: float = 30.0, write_deadline: float = WRITE_DEADLINE) -> None:
        self.engine = engine
        self.writer = engine.store.writer  # the engine's group writer: one writer, shared commits
        self.lease = dt.timedelta(seconds=lease_seconds)
        self.write_deadline = write_deadline
        self.worker = f"{socket.gethostname()[:32]}:{os.getpid()}:{secrets.token_hex(4)}"
        self._readers: dict[str, Reader] = {}
        self._held: set[int] = set()  # rows this process is handling (their leases are renewed)
        self._tails: dict[Hashable, asyncio.Task] = {}  # each user's latest task: the next one waits for it
        self._tasks: set[asyncio.Task] = set()
        self._marks: dict[InboxStatus, list[int]] = defaultdict(list)  # outcomes not yet written
        self._flusher: asyncio.Task | None = None
        self._backlog = False  # rows wait in the table: new ones join them, so none overtakes another
        self._wake = asyncio.Event()

    def register(self, channel: str, reader: Reader) -> None:
        """Say how this channel's stored updates are read; the drain takes rows of registered channels only."""
        self._readers[channel] = reader

    @property
    def held(self) -> int:
        """How many rows this process is handling."""
        return len(self._held)

    # ---- receiving --------------------------------------------------------------------------

    async def accept(self, channel: str, updates: Sequence[tuple[str, dict[str, Any]]]) -> int:
        """Write updates down (keyed by their own ids) and start handling the new ones; returns how
        many were new. Raises Busy when the database did not take them within the deadline."""
        take = not self._backlog and len(self._held) + len(updates) <= CAPACITY
        rows = await self._write(channel, updates, take=take, inline=False)
        self._took(rows, take)
        return len(rows)

    async def handle_now(self, channel: str, key: str, payload: dict[str, Any], incoming: Incoming) -> list[Reply]:
        """Write one update down, handle it at once and return the replies (web chat, terminal);
        a repeated update is handed to the engine again, which drops it if it was handled. Raises Busy."""
        rows = await self._write(channel, [(key, payload)], take=True, inline=True)
        ids = {r.id for r in rows}
        self._held.update(ids)
        try:
            replies = await self.engine.handle(incoming)
        except BaseException:
            self._held.difference_update(ids)  # its lease runs out; the drain tries it again
            raise
        for row in rows:
            self._mark(row.id, InboxStatus.DONE)
        return replies

    async def _write(self, channel: str, updates: Sequence[tuple[str, dict[str, Any]]], *, take: bool,
                     inline: bool) -> list[Row]:
        late = functools.partial(self._late, take=take, inline=inline)
        try:
            return await within(self._add(channel, updates, take), self.write_deadline, late=late)
        except Exception as exc:  # noqa: BLE001 - whatever the database did, the sender must try again
            log.warning("inbox: %d %s update(s) not written: %s", len(updates), channel, str(exc) or type(exc).__name__)
            raise Busy from exc

    async def _add(self, channel: str, updates: Sequence[tuple[str, dict[str, Any]]], take: bool) -> list[Row]:
        worker, now = self.worker if take else None, utcnow()
        return await self.writer.submit_bulk(store.add_many, (channel, updates, worker, now))

    def _late(self, task: asyncio.Future, *, take: bool, inline: bool) -> None:
        """A write that ended after its sender was told we were busy."""
        if task.cancelled() or task.exception() is not None:
            return
        rows: list[Row] = task.result()
        if inline:  # the user was told to try again: their retry, not this row, is handled
            for row in rows:
                self._mark(row.id, InboxStatus.DROPPED)
        else:  # the platform will resend it and find it here: handle it now
            self._took(rows, take)

    def _took(self, rows: list[Row], take: bool) -> None:
        if take:
            for row in rows:
                self._start(row)
        elif rows:
            self._backlog = True
            self._wake.set()

    # ---- processing -------------------------------------------------------------------------

    def _start(self, row: Row) -> None:
        """Handle a row this process holds, after the same user's earlier rows."""
        self._held.add(row.id)
        try:
            work = self._readers[row.channel](row.payload) if row.payload is not None else None
        except Exception:  # noqa: BLE001 - a stored update nobody can read is kept for an operator
            log.exception("inbox: a stored %s update (row %d) could not be read", row.channel, row.id)
            self._mark(row.id, InboxStatus.FAILED)
            return
        if work is None:
            self._mark(row.id, InboxStatus.DONE)
            return
        key = (work.incoming.channel, work.incoming.external_id)
        task = asyncio.get_running_loop().create_task(self._handle(row.id, work, self._tails.get(key)))
        self._tails[key] = task
        self._tasks.add(task)
        task.add_done_callback(functools.partial(self._forget, key))

    async def _handle(self, row_id: int, work: Work, previous: asyncio.Task | None) -> None:
        if previous is not None:
            await asyncio.wait({previous})
        try:
            async with asyncio.timeout(HANDLE_DEADLINE):
                await self.engine.handle(work.incoming, deliver=work.deliver)
        except Exception as exc:  # noqa: BLE001 - left for a later attempt, once this lease runs out
            log.warning("inbox: row %d not handled, to be tried again: %s", row_id, str(exc) or type(exc).__name__)
            self._held.discard(row_id)
            return
        self._mark(row_id, InboxStatus.DONE)

    def _forget(self, key: Hashable, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if self._tails.get(key) is task:
            del self._tails[key]

    def _mark(self, row_id: int, status: InboxStatus) -> None:
        """Record a row's outcome; outcomes are written together, shortly after."""
        self._marks[status].append(row_id)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self, rounds: int = 1000) -> None:
        for _ in range(rounds):  # bounded: a later outcome starts another flusher
            await asyncio.sleep(0.02)  # outcomes arriving meanwhile share one commit
            marks = {status: ids for status, ids in self._marks.items() if ids}
            if not marks:
                return
            self._marks = defaultdict(list)
            try:
                await within(self._write_marks(marks), self.write_deadline)
            except Exception as exc:  # noqa: BLE001 - kept, and written with the next ones
                log.warning("inbox: outcomes of %d rows not written yet: %s", sum(map(len, marks.values())), exc)
                for status, ids in marks.items():
                    self._marks[status].extend(ids)
                await asyncio.sleep(1.0)
                continue
            for ids in marks.values():
                self._held.difference_update(ids)

    async def _write_marks(self, marks: dict[InboxStatus, list[int]]) -> None:
        now = utcnow()

        def write(conn: Connection) -> None:
            for status, ids in marks.items():
                store.finish(conn, ids, now, status)

        await self.writer.submit(write)

    # ---- the drain: a background job --------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`: take over rows nobody handles (at once on start: the recovery pass), renew
        this process's leases, give up on poison rows, purge old ones; then let the rows in hand finish."""
        loop = asyncio.get_running_loop()
        next_purge = loop.time()
        interval = min(self.lease.total_seconds() / 3, 5.0)
        while not stop.is_set():
            try:
                await within(self.drain_once(), self.write_deadline * 2)  # late, it still starts what it took
                if loop.time() >= next_purge:
                    await within(self._purge(), self.write_deadline * 2)
                    next_purge = loop.time() + 3600
            except Exception as exc:  # noqa: BLE001 - the database may be away; the next round tries again
                log.warning("inbox: drain round failed: %s", str(exc) or type(exc).__name__)
            await self._sleep(stop, 0 if self._backlog else interval)
        await self.settle()

    async def settle(self, seconds: float = STOP_WAIT) -> None:
        """Give the updates in hand up to `seconds` to finish and their outcomes a moment to be written."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=seconds)
        if self._flusher is not None:
            await asyncio.wait({self._flusher}, timeout=self.write_deadline)

    async def drain_once(self) -> list[Row]:
        """One round of the drain: renew, give up, take over; returns the rows taken over."""
        now = utcnow()
        room = min(BATCH, CAPACITY - len(self._held))
        held, channels = sorted(self._held), list(self._readers)

        def round_(conn: Connection) -> tuple[int, list[Row]]:
            if held:
                store.renew(conn, self.worker, held, now)
            failed = store.give_up(conn, now, self.lease, MAX_ATTEMPTS)
            if room <= 0 or not channels:
                return failed, []
            return failed, store.claim(conn, self.worker, channels, now, self.lease, room, MAX_ATTEMPTS)

        failed, rows = await self.writer.submit(round_)
        if failed:
            log.error("inbox: gave up on %d update(s) after %d attempts (status 'failed' in the inbox table)",
                      failed, MAX_ATTEMPTS)
        if rows:
            log.info("inbox: took up %d update(s) nobody was handling", len(rows))
        self._backlog = room > 0 and len(rows) == room
        for row in rows:
            self._start(row)
        return rows

    async def _purge(self) -> None:
        before = utcnow() - RETENTION
        purged = await self.writer.submit(lambda conn: store.purge(conn, before))
        if purged:
            log.info("inbox: purged %d rows older than %s", purged, RETENTION)

    async def _sleep(self, stop: asyncio.Event, seconds: float) -> None:
        """Wait `seconds`, or less when stopping or when rows were left for the drain."""
        waiters = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())}
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
        self._wake.clear()
