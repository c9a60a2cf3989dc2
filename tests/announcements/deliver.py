"""A delivery worker in its own process for the crash and multi-worker tests; each send appends a line to a file.

python -m tests.announcements.deliver URL OUT WORKER_ID [--rate N] [--lease S] [--ready FILE --go FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from pathlib import Path

import db.models.outbox  # noqa: F401  (registers the outbox tables)
from db.base import make_engine, make_sessionmaker
from flows.announcements.ratelimit import ChannelLimit, Limits
from flows.announcements.worker import Worker, WorkerConfig


class FileSender:
    """Records every message it 'delivers' as the recipient's id on its own line, flushed at once."""

    def __init__(self, path: str) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    async def send(self, external_id: str, text: str) -> None:
        os.write(self._fd, f"{external_id}\n".encode())  # one write(2): survives kill -9 whole


async def main(args: argparse.Namespace) -> None:
    engine = make_engine(args.url)
    sessionmaker = make_sessionmaker(engine)
    limits = Limits(channels={"telegram": ChannelLimit(per_second=args.rate or None, per_chat_seconds=0)})
    config = WorkerConfig(lease_seconds=args.lease)
    worker = Worker(sessionmaker, {"telegram": FileSender(args.out)}, limits, args.worker_id, config=config)
    counters = await worker.run_until_idle(args.limit)
    print(counters, flush=True)
    await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("worker_id")
    parser.add_argument("--rate", type=float, default=0.0, help="messages per second; 0 = unlimited")
    parser.add_argument("--lease", type=float, default=60.0)
    parser.add_argument("--limit", type=float, default=120.0, help="give up after this many seconds")
    parser.add_argument("--ready")
    parser.add_argument("--go")
    arguments = parser.parse_args()
    if arguments.ready:  # imported and ready: wait for the test's signal so that workers start together
        Path(arguments.ready).write_text("ready")
    for _ in range(6000 if arguments.go else 0):  # bounded: at most 60 s
        if Path(arguments.go).exists():
            break
        time.sleep(0.01)
    asyncio.run(main(arguments))
