"""Bot API calls over aiohttp: python-telegram-bot's request interface (BaseRequest) on the HTTP
client the rest of the bot already uses.

PTB's own HTTPXRequest spent most of a busy process's time in httpcore's connection pool (every
request looks at every pooled connection, a system call each) and in a failing `import sniffio`
per request. aiohttp's connector keeps idle connections per host in a queue. Calls that upload
files (documents) still go through HTTPXRequest, which builds PTB's multipart bodies.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData


class AiohttpRequest(BaseRequest):
    """A BaseRequest on an aiohttp session with `pool_size` connections; timeouts as PTB's defaults."""

    def __init__(self, pool_size: int = 64, *, connect_timeout: float = 5.0, read_timeout: float = 5.0,
                 write_timeout: float = 5.0, pool_timeout: float = 1.0) -> None:
        self._pool_size = pool_size
        self._timeouts = {"connect": connect_timeout, "read": read_timeout, "write": write_timeout,
                          "pool": pool_timeout}
        self._session: aiohttp.ClientSession | None = None
        self._uploads = HTTPXRequest(connection_pool_size=4, connect_timeout=connect_timeout,
                                     read_timeout=read_timeout, write_timeout=write_timeout,
                                     pool_timeout=pool_timeout)

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=self._pool_size),
                headers={"User-Agent": self.USER_AGENT})
        await self._uploads.initialize()

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        await self._uploads.shutdown()

    def _timeout(self, name: str, given: Any) -> float | None:
        return self._timeouts[name] if isinstance(given, DefaultValue) else given

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = BaseRequest.DEFAULT_NONE, write_timeout: Any = BaseRequest.DEFAULT_NONE,
                         connect_timeout: Any = BaseRequest.DEFAULT_NONE,
                         pool_timeout: Any = BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        if request_data is not None and request_data.contains_files:
            return await self._uploads.do_request(url, method, request_data, read_timeout, write_timeout,
                                                  connect_timeout, pool_timeout)
        if self._session is None:
            raise RuntimeError("AiohttpRequest is not initialized")
        connect, pool = self._timeout("connect", connect_timeout), self._timeout("pool", pool_timeout)
        read, write = self._timeout("read", read_timeout), self._timeout("write", write_timeout)
        timeout = aiohttp.ClientTimeout(
            total=None, connect=None if connect is None and pool is None else (connect or 0) + (pool or 0),
            sock_connect=connect, sock_read=None if read is None and write is None else max(read or 0, write or 0))
        try:
            async with self._session.request(method, url, data=request_data.json_parameters if request_data else None,
                                             timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except asyncio.CancelledError:
            raise
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
