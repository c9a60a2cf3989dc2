"""What the app lends the flows, typed: a misspelt service is an AttributeError, not a silent None.

The engine declares the protocols it calls (free-text answering, notifications); the features and
channels that provide them live above it and are plugged in by bot/app.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from flows.engine.context import Context
    from flows.engine.moves import Target


class FreeText(Protocol):
    """Answers text that no step understood (the knowledge base, small talk, requests for a flow)."""

    async def answer_idle(self, ctx: Context, text: str) -> Target | bool:
        """Text typed with no question pending: where to go, True when answered, False to leave it."""

    async def answer_in_flow(self, ctx: Context, text: str, *, may_be_the_answer: bool = False) -> bool:
        """Text typed inside a flow, which the step could not take (or, `may_be_the_answer`, a free
        text that may be the answer itself): True when something was said (a question answered, a
        request for another flow offered; only a question when the text may be the answer)."""


class Notify(Protocol):
    """Sends one message to a user on their channel, outside a request; True when it was sent."""

    async def __call__(self, user_id: int, text: str) -> bool: ...


@dataclass
class Services:
    """Everything a flow may reach besides its context; None where the app did not install it."""

    settings: Any = None  # bot.settings.Settings (the engine does not import bot/)
    now: Callable[[], dt.datetime] | None = None  # a fixed clock for tests and demonstrations
    assistant: FreeText | None = None
    knowledge: Any = None  # flows.faq.Knowledge, loaded once per process
    notify: Notify | None = None
    announcement_progress: Any = None  # flows.announcements.progress.ProgressMessages
