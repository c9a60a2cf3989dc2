"""Group commit: small write functions from many concurrent messages run in one transaction.

Each caller still waits until its own write is committed (nothing is acknowledged before it is
durable); what is shared is the transaction, so under load one commit carries many messages.
SQLite writes run in one dedicated thread on a plain sqlite3 connection (SQLite has a single
writer anyway; one thread hop per batch instead of several per statement). PostgreSQL writes
run on the async engine. A batch that fails is retried one write at a time, so one bad write
cannot fail the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import is_sqlite, sqlite_pragmas

log = logging.getLogger(__name__)
WriteFn = Callable[[Connection], Any]
BulkFn = Callable[[Connection, list[Any]], list[Any]]
MAX_BATCH = 512


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
        if self._sqlite:
            sync_url = url.set(drivername="sqlite+pysqlite")
            self._sync_engine = create_engine(sync_url, connect_args={"timeout": 30, "check_same_thread": False})
            event.listen(self._sync_engine, "connect", sqlite_pragmas)

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
        future = asyncio.get_running_loop().create_future()
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
            return await loop.run_in_executor(self._executor, self._run_sync, batch)
        async with self._async_engine.begin() as conn:
            return await conn.run_sync(_run_jobs, batch)

    def _run_sync(self, batch: list[tuple[Any, Any, asyncio.Future]]) -> list[Any]:
        with self._sync_engine.begin() as conn:  # type: ignore[union-attr]
            return _run_jobs(conn, batch)

    async def close(self) -> None:
        """Stop the batching task and release the writer's connections."""
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        if self._sync_engine is not None:
            self._sync_engine.dispose()


_SINGLE = object()


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
