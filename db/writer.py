"""Group commit: small write functions from many concurrent messages run in one transaction.

Each caller still waits until its own write is committed (nothing is acknowledged before it is
durable); what is shared is the transaction, so under load one commit carries many messages.
SQLite writes run on one plain sqlite3 connection (SQLite has a single writer anyway). A batch
first runs right on the event loop without waiting for the lock (WAL with synchronous=NORMAL
writes no fsync at commit, so a batch takes microseconds of CPU, far less than a thread hop);
when another connection holds the lock, it runs in the writer's thread, which waits for it
without blocking the loop. Checkpoints, which do fsync, also run in that thread. PostgreSQL
writes run on the async engine. A batch that fails is retried one write at a time, so one bad
write cannot fail the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import is_sqlite, sqlite_pragmas

log = logging.getLogger(__name__)
WriteFn = Callable[[Connection], Any]
BulkFn = Callable[[Connection, list[Any]], list[Any]]
MAX_BATCH = 512
BUSY_MS = 30_000  # how long the writer's thread waits for another connection's lock
QUIET = 0.0002  # seconds since the last commit after which a write commits at once (no batching to wait for)
CHECKPOINT_EVERY = 500  # inline commits between two checkpoints run in the writer's thread


class GroupWriter:
    """Runs write functions in shared transactions; see the module docstring."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._async_engine = engine
        url = engine.url
        self._sqlite = is_sqlite(url.render_as_string(hide_password=False))
        self._queue: asyncio.Queue[tuple[WriteFn | BulkFn, Any, asyncio.Future]] | None = None
        self._task: asyncio.Task | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._sync_engine = None
        self._conn: Connection | None = None  # the writer's own sqlite3 connection (SQLite)
        self._commits = 0
        self._busy = False  # the writer's task is running a batch
        self._last = -1e9  # loop time of the last commit
        self._checkpoint: asyncio.Future | None = None
        if self._sqlite:
            sync_url = url.set(drivername="sqlite+pysqlite")
            self._sync_engine = create_engine(sync_url, connect_args={"timeout": BUSY_MS / 1000,
                                                                      "check_same_thread": False})
            event.listen(self._sync_engine, "connect", sqlite_pragmas)
            event.listen(self._sync_engine, "connect", _no_autocheckpoint)

    async def submit(self, fn: WriteFn) -> Any:
        """Run `fn(connection)` inside a committed transaction and return its result."""
        return await self._enqueue(fn, _SINGLE)

    async def submit_bulk(self, fn: BulkFn, item: Any) -> Any:
        """Have `fn(connection, items)` handle this item with the others queued for the same `fn`
        (one statement for many items); returns this item's entry of fn's result list."""
        return await self._enqueue(fn, item)

    async def _enqueue(self, fn: WriteFn | BulkFn, item: Any) -> Any:
        if self._task is None or self._task.done():
            self._start()
        loop = asyncio.get_running_loop()
        if self._sqlite and not self._busy and self._queue.empty() and self._quiet(loop):  # type: ignore[union-attr]
            try:  # nobody else is writing: commit now, without a hop through the writer's task
                return self._direct(fn, item)
            except _Locked:
                pass  # queued: the writer's thread waits for the lock
        future = loop.create_future()
        self._queue.put_nowait((fn, item, future))  # type: ignore[union-attr]
        return await future

    def _start(self) -> None:
        self._queue = asyncio.Queue()
        if self._sqlite and self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")
        self._task = asyncio.get_running_loop().create_task(self._loop(self._queue))

    async def _loop(self, queue: asyncio.Queue) -> None:
        while True:
            batch = [await queue.get()]
            while not queue.empty() and len(batch) < MAX_BATCH:
                batch.append(queue.get_nowait())
            self._busy = True
            try:
                results = await self._run(batch)
            except Exception:  # noqa: BLE001 - isolate the write that failed
                log.warning("a batch of %d writes failed; retrying them one by one", len(batch), exc_info=True)
                results = []
                for job in batch:
                    try:
                        results.append((await self._run([job]))[0])
                    except Exception as exc:  # noqa: BLE001
                        results.append(_Failure(exc))
            finally:
                self._busy = False
            for (_, _, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, _Failure):
                    future.set_exception(result.exc)
                else:
                    future.set_result(result)

    async def _run(self, batch: list[tuple[Any, Any, asyncio.Future]]) -> list[Any]:
        if self._sqlite:
            loop = asyncio.get_running_loop()
            try:
                results = self._run_sync(batch, wait=False)
            except _Locked:
                results = await loop.run_in_executor(self._executor, self._run_sync, batch)
            self._committed(loop)
            return results
        async with self._async_engine.begin() as conn:
            return await conn.run_sync(_run_jobs, batch)

    def _quiet(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Whether no other write is likely to come along to share a commit: nothing else is ready to
        run on the event loop (asyncio's ready queue), else no commit for QUIET seconds."""
        ready = getattr(loop, "_ready", None)
        return len(ready) == 0 if ready is not None else loop.time() - self._last >= QUIET

    def _direct(self, fn: WriteFn | BulkFn, item: Any) -> Any:
        """Run one write in its own transaction right now (SQLite, lock free); _Locked otherwise."""
        result = self._run_sync([(fn, item, None)], wait=False)[0]
        self._committed(asyncio.get_running_loop())
        return result

    def _committed(self, loop: asyncio.AbstractEventLoop) -> None:
        self._last = loop.time()
        self._commits += 1
        if self._commits % CHECKPOINT_EVERY == 0 and (self._checkpoint is None or self._checkpoint.done()):
            self._checkpoint = loop.run_in_executor(self._executor, self._run_checkpoint)

    def _run_sync(self, batch: list[tuple[Any, Any, asyncio.Future]], wait: bool = True) -> list[Any]:
        """One transaction on the writer's sqlite3 connection (kept open: no pool checkout per batch);
        without `wait`, _Locked if another connection holds the write lock (nothing was written)."""
        if self._conn is None or self._conn.closed:
            self._conn = self._sync_engine.connect()  # type: ignore[union-attr]
            self._conn.connection.dbapi_connection.execute("PRAGMA busy_timeout=0")
        conn = self._conn
        raw = conn.connection.dbapi_connection
        if wait:
            raw.execute(f"PRAGMA busy_timeout={BUSY_MS}")
        try:
            with conn.begin():
                return _run_jobs(conn, batch)
        except OperationalError as exc:
            if not wait and "locked" in str(exc.orig):
                raise _Locked from exc
            raise
        finally:
            if wait:
                raw.execute("PRAGMA busy_timeout=0")

    def _run_checkpoint(self) -> None:
        """Copy the WAL into the database file (the fsync the inline commits leave out), not waiting
        for readers; the writer's thread keeps the event loop free meanwhile."""
        try:
            with self._sync_engine.connect() as conn:  # type: ignore[union-attr]
                conn.connection.dbapi_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception:  # noqa: BLE001 - the next one tries again; SQLite's own checkpoints remain
            log.warning("WAL checkpoint failed", exc_info=True)

    async def close(self) -> None:
        """Stop the batching task and release the writer's connections."""
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        if self._checkpoint is not None:
            await asyncio.wait({self._checkpoint})
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._sync_engine is not None:
            self._sync_engine.dispose()


_SINGLE = object()


class _Locked(Exception):
    """Another connection holds SQLite's write lock: the batch goes to the writer's thread."""


def _no_autocheckpoint(dbapi_conn, _record) -> None:  # noqa: ANN001
    """The writer's commits leave checkpoints to its thread (GroupWriter._run_checkpoint)."""
    dbapi_conn.execute("PRAGMA wal_autocheckpoint=0")


def _run_jobs(conn: Connection, batch: list[tuple[Any, Any, asyncio.Future]]) -> list[Any]:
    """Run single jobs one by one and bulk jobs grouped by their function; results in batch order."""
    results: list[Any] = [None] * len(batch)
    groups: dict[Any, list[int]] = {}
    for i, (fn, item, _) in enumerate(batch):
        if item is _SINGLE:
            results[i] = fn(conn)
        else:
            groups.setdefault(fn, []).append(i)
    for fn, indexes in groups.items():
        for i, result in zip(indexes, fn(conn, [batch[i][1] for i in indexes]), strict=True):
            results[i] = result
    return results


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
