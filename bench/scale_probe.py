"""What bench/scale.py watches while an operation runs: /healthz answered from another connection, the server's
event-loop lag (bench/scale_server.py), and the server's memory with its children's."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

from aiohttp import ClientSession, ClientTimeout

OP_LIMIT = 180.0  # seconds any one operation may take before the bench gives up on it
PROBE_EVERY = 0.02


class Probe:
    """GET /healthz again and again on its own connection; remembers (start, seconds) of each answer."""

    def __init__(self, base: str) -> None:
        self.base, self.seen, self._stop = base, [], asyncio.Event()

    async def run(self, limit: float) -> None:
        deadline = time.perf_counter() + limit
        async with ClientSession(timeout=ClientTimeout(total=30)) as client:
            while not self._stop.is_set() and time.perf_counter() < deadline:
                start = time.perf_counter()
                async with client.get(f"{self.base}/healthz") as response:
                    await response.read()
                self.seen.append((start, time.perf_counter() - start))
                await asyncio.sleep(PROBE_EVERY)

    def stall(self, start: float, end: float) -> float:
        """The slowest answer that overlapped [start, end]."""
        return max((s for at, s in self.seen if at <= end and at + s >= start), default=0.0)

    def stop(self) -> None:
        self._stop.set()

    async def loop_lag(self) -> float:
        """The server's worst event-loop delay since the last call (bench/scale_server.py)."""
        async with ClientSession(timeout=ClientTimeout(total=30)) as client, client.get(f"{self.base}/bench/tre") as got:
            return (await got.json())["worst"]


class Memory:
    """The server's resident memory, sampled while an operation runs."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0

    def rss(self) -> int:
        """The server's resident memory and its children's (an export made in a process of its own)."""
        try:
            children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        except OSError:
            children = []
        return sum(_rss(pid) for pid in [self.pid, *map(int, children)])

    async def watch(self, stop: asyncio.Event) -> None:
        for _ in range(int(OP_LIMIT / 0.05)):
            self.peak = max(self.peak, self.rss())
            if stop.is_set():
                return
            await asyncio.sleep(0.05)


def _rss(pid: int) -> int:
    try:
        found = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    except OSError:
        return 0
    return int(found.group(1)) * 1024 if found else 0
