"""A TCP proxy on 127.0.0.1 that can stop forwarding without closing anything: to its clients, the
database host has stopped answering (packets dropped, not refused)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Self


class BlackHole:
    """Forwards 127.0.0.1:<port> to a target until `cut()`; then holds every byte and every new
    connection silently; `restore()` drops the stalled connections (as TCP would, much later)."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self.cut_off = False
        self._open = asyncio.Event()
        self._open.set()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task] = set()

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._drop_all()
        self._open.set()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()

    def cut(self) -> None:
        """From now on nothing goes through, in either direction, and nobody is told."""
        self.cut_off = True
        self._open.clear()

    def restore(self) -> None:
        """Forward again; the connections that were stalled are dropped."""
        self._drop_all()
        self.cut_off = False
        self._open.set()

    def _drop_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        if self.cut_off:  # accepted by the kernel, then silence
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers.add(up_writer)
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.get_running_loop().create_task(self._pipe(source, sink))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while data := await source.read(65536):
                await self._open.wait()  # while cut off: held, never delivered
                if sink.transport.is_closing():
                    return
                sink.write(data)
                await sink.drain()
        sink.transport.abort()
