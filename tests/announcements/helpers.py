"""Small in-process fakes for the announcement tests: users in bulk, senders that record or misbehave."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert

import db.models.outbox  # noqa: F401  (registers the outbox tables until db/models/__init__ imports it)
from db.models.core import User

HANOI, HOAN_KIEM, CUA_NAM = 1, 70, 73
HCMC, VUNG_TAU = 79, 26506


async def add_users(session, rows: Iterable[dict[str, Any]]) -> None:
    """Insert users in one statement; each row needs at least external_id."""
    defaults = {"channel": "telegram", "announcements": True, "blocked": False, "onboarded": True}
    await session.execute(insert(User), [defaults | row for row in rows])


async def add_many(session, n: int, **fields: Any) -> None:
    """Insert n users with external ids 'u0'..'u<n-1>' in Hà Nội, Hoàn Kiếm (unless fields say otherwise)."""
    base = {"province_code": HANOI, "commune_code": HOAN_KIEM, "role": "nong_dan"} | fields
    await add_users(session, ({"external_id": f"u{i}"} | base for i in range(n)))


@dataclass
class RecordingSender:
    """Records (external_id, monotonic time, text) of every successful send; `fail` decides errors per call."""

    fail: Callable[[str, int], Exception | None] = lambda external_id, call: None
    on_send: Callable[[str], Any] | None = None
    sent: list[tuple[str, float, str]] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)

    async def send(self, external_id: str, text: str) -> None:
        call = self.calls[external_id] = self.calls.get(external_id, 0) + 1
        error = self.fail(external_id, call)
        if error is not None:
            raise error
        self.sent.append((external_id, time.monotonic(), text))
        if self.on_send is not None:
            await self.on_send(external_id)

    def recipients(self) -> list[str]:
        return [external_id for external_id, _, _ in self.sent]


class FrozenClock:
    """A clock for the worker that only moves when a test moves it."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)
