"""Pacing of deliveries with token buckets: overall per channel and per chat.

Telegram's Bot FAQ asks for about 30 messages per second in bulk (1000 per second for paid
broadcasts) and about 1 per second in one chat; a 429 answer pauses the whole channel. Times
are `time.monotonic()` seconds passed in by the caller, so the classes are plain arithmetic.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import deque
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar


@dataclass(frozen=True, slots=True)
class ChannelLimit:
    """How fast one channel may be sent to: overall (None = unlimited) and per chat (0 = unpaced)."""

    per_second: float | None = 30.0
    burst: int = 1
    per_chat_seconds: float = 1.0


TELEGRAM = ChannelLimit(per_second=30.0, burst=1, per_chat_seconds=1.0)
TELEGRAM_PAID = ChannelLimit(per_second=1000.0, burst=10, per_chat_seconds=1.0)
UNLIMITED = ChannelLimit(per_second=None, burst=1, per_chat_seconds=0.0)


@dataclass(frozen=True, slots=True)
class Limits:
    """The limit of every channel; channels not listed get `default` (Zalo publishes no limit)."""

    channels: Mapping[str, ChannelLimit] = field(default_factory=lambda: {"telegram": TELEGRAM})
    default: ChannelLimit = ChannelLimit(per_second=10.0, burst=1, per_chat_seconds=1.0)

    def of(self, channel: str) -> ChannelLimit:
        """The limit that applies to a channel."""
        return self.channels.get(channel, self.default)

    @classmethod
    def unlimited(cls) -> Limits:
        """No pacing at all (benchmarks, tests of other behaviour)."""
        return cls(channels={}, default=UNLIMITED)

    @classmethod
    def from_settings(cls, settings: Any) -> Limits:
        """Telegram's limits from bot.settings.Settings (telegram_rate_per_second, _per_chat, _paid_broadcast)."""
        if settings.telegram_paid_broadcast:
            overall = TELEGRAM_PAID
        else:
            overall = ChannelLimit(per_second=settings.telegram_rate_per_second, burst=1)
        per_chat = settings.telegram_rate_per_chat
        telegram = ChannelLimit(overall.per_second, overall.burst, 1.0 / per_chat if per_chat > 0 else 0.0)
        return cls(channels={"telegram": telegram})


class TokenBucket:
    """`rate` tokens per second up to `burst`; one token per message; `pause` stops it for a while."""

    def __init__(self, rate: float | None, burst: int = 1, now: float = 0.0) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._tokens = float(self.burst)
        self._stamp = now
        self._paused_until = -math.inf

    def _refill(self, now: float) -> None:
        if self.rate is not None and now > self._stamp:
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = max(self._stamp, now)

    def wait(self, now: float) -> float:
        """Seconds until one token is available (0 when it is now)."""
        paused = max(0.0, self._paused_until - now)
        if self.rate is None:
            return paused
        self._refill(now)
        missing = 1.0 - self._tokens
        return max(paused, missing / self.rate if missing > 0 else 0.0)

    def take(self, now: float) -> None:
        """Spend one token (call when wait(now) is 0)."""
        self._refill(now)
        if self.rate is not None:
            self._tokens -= 1.0

    def pause(self, now: float, seconds: float) -> None:
        """Send nothing for `seconds` (a 429's retry_after); no burst builds up meanwhile."""
        self._paused_until = max(self._paused_until, now + seconds)
        self._tokens = min(self._tokens, 0.0)
        self._stamp = max(self._stamp, self._paused_until)


class ChatPacer:
    """At most one message per chat every `interval` seconds."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._next: dict[Hashable, float] = {}
        self._marks = 0

    def ready_at(self, key: Hashable) -> float:
        """The earliest time the chat may get its next message."""
        return self._next.get(key, -math.inf)

    def mark(self, key: Hashable, now: float) -> None:
        """Record a message to the chat at `now`; forgets chats that are ready again, now and then."""
        if self.interval <= 0:
            return
        self._next[key] = now + self.interval
        self._marks += 1
        if self._marks >= 4096:
            self._marks = 0
            self._next = {k: t for k, t in self._next.items() if t > now}


class Paced(Protocol):
    """An item a lane paces: it knows its chat."""

    @property
    def chat(self) -> Hashable: ...


T = TypeVar("T", bound=Paced)


class Lane(Generic[T]):
    """One channel's queue: items leave in order, except that an item whose chat is not ready waits aside."""

    def __init__(self, limit: ChannelLimit, now: float) -> None:
        self.bucket = TokenBucket(limit.per_second, limit.burst, now)
        self.pacer = ChatPacer(limit.per_chat_seconds)
        self._queue: deque[T] = deque()
        self._aside: list[tuple[float, int, T]] = []
        self._seq = itertools.count()

    def __len__(self) -> int:
        return len(self._queue) + len(self._aside)

    def push(self, item: T, front: bool = False) -> None:
        """Queue an item (front: a retry after a 429 goes first)."""
        (self._queue.appendleft if front else self._queue.append)(item)

    def ready(self, now: float) -> tuple[float, T | None]:
        """(seconds to wait, the item that may go next); (wait, None) when nothing can go before `wait`."""
        item = None
        while self._aside and self._aside[0][0] <= now:
            _, seq, waiting = self._aside[0]
            ready_at = self.pacer.ready_at(waiting.chat)  # another item to the same chat may have gone since
            if ready_at <= now:
                item = waiting
                break
            heapq.heapreplace(self._aside, (ready_at, seq, waiting))
        while item is None and self._queue:
            head = self._queue[0]
            ready_at = self.pacer.ready_at(head.chat)
            if ready_at <= now:
                item = head
            else:
                heapq.heappush(self._aside, (ready_at, next(self._seq), self._queue.popleft()))
        if item is None:
            return (self._aside[0][0] - now if self._aside else math.inf), None
        return self.bucket.wait(now), item

    def take(self, item: T, now: float) -> None:
        """Remove the item `ready` returned and account for sending it now."""
        self.drop(item)
        self.bucket.take(now)
        self.pacer.mark(item.chat, now)

    def drop(self, item: T) -> None:
        """Remove the item `ready` returned without sending it (its announcement was cancelled)."""
        if self._aside and self._aside[0][2] is item:
            heapq.heappop(self._aside)
        else:
            self._queue.popleft()

    def drain(self) -> list[T]:
        """Remove and return every queued item (to hand them back to the outbox)."""
        items = [entry[2] for entry in self._aside] + list(self._queue)
        self._aside.clear()
        self._queue.clear()
        return items
