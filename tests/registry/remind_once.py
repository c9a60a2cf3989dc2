"""Run send_reminders once in its own process and print what it sent, as JSON (used by the two-process test)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys

import db.models  # noqa: F401
import db.models.registry  # noqa: F401
from db.base import make_engine, make_sessionmaker
from flows.monthly_report.reminders import send_reminders


async def _main(url: str, day: str) -> None:
    engine = make_engine(url)
    sent: list[list] = []

    async def send(user, text):
        await asyncio.sleep(0.01)
        sent.append([user.id, text.split("</b>")[0]])

    try:
        await send_reminders(make_sessionmaker(engine), dt.date.fromisoformat(day), send)
    finally:
        await engine.dispose()
    print(json.dumps(sent))


if __name__ == "__main__":
    asyncio.run(_main(sys.argv[1], sys.argv[2]))
