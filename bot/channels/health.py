"""A channel's own health: a configuration problem (the platform refused the bot's token) that only an operator fixes.

Each channel keeps one ChannelHealth. A refused credential is logged once as an error, stops the channel's
sending for `pause` seconds (then one call tries again), and is listed by `problems()` for /healthz and the
dashboard's home page until a call succeeds.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flows.engine.delivery import ChannelMisconfigured

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Problem:
    """A channel that cannot work until its configuration is fixed: which setting to check, what the platform said."""

    channel: str
    setting: str
    detail: str
    since: dt.datetime

    def as_json(self) -> dict[str, Any]:
        return {"channel": self.channel, "problem": "configuration", "setting": self.setting, "detail": self.detail,
                "since": self.since.isoformat(timespec="seconds")}


class ChannelHealth:
    """Whether a channel's credentials work; while they are refused, sending stops (probed again after `pause` s)."""

    def __init__(self, channel: str, pause: float = 300.0) -> None:
        self.channel, self.pause = channel, pause
        self.problem: Problem | None = None
        self._until = 0.0

    def misconfigured(self, setting: str, detail: str) -> ChannelMisconfigured:
        """Record a refused credential (logged loudly the first time); returns the outcome for the sender to raise."""
        if self.problem is None:
            log.error("%s: CONFIGURATION ERROR, sending stopped: %s (check %s)", self.channel, detail, setting)
            self.problem = Problem(self.channel, setting, detail, dt.datetime.now(dt.UTC))
        self._until = time.monotonic() + self.pause
        return ChannelMisconfigured(self.pause, f"{self.channel}: {detail} (check {setting})")

    def working(self) -> None:
        """A call succeeded: the credentials work (again)."""
        if self.problem is not None:
            log.warning("%s: the platform accepts the credentials again; sending resumes", self.channel)
            self.problem = None

    def check(self) -> None:
        """Raise ChannelMisconfigured while sending is stopped; after the pause one call may try again."""
        left = self._until - time.monotonic()
        if self.problem is not None and left > 0:
            raise ChannelMisconfigured(left, f"{self.channel}: sending stopped, check {self.problem.setting}")


def problems(channels: Iterable[Any]) -> list[Problem]:
    """The configuration problems of these channels (objects with a `health` attribute), in their order."""
    found = []
    for channel in channels:
        health = getattr(channel, "health", None)
        if isinstance(health, ChannelHealth) and health.problem is not None:
            found.append(health.problem)
    return found
