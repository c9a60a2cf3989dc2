"""The app's one inbox (bot/inbox/): made by the first channel that asks, its drain one of the app's jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from bot.inbox import Inbox

if TYPE_CHECKING:
    from bot.parts import App
    from flows.engine.engine import Engine

_INBOXES: WeakKeyDictionary[Engine, Inbox] = WeakKeyDictionary()


def shared_inbox(app: App) -> Inbox:
    """The inbox every channel of this app writes to; the first call adds its drain to the app's jobs."""
    inbox = _INBOXES.get(app.engine)
    if inbox is None:
        inbox = _INBOXES[app.engine] = Inbox(app.engine, lease_seconds=app.settings.inbox_lease_seconds)
        app.jobs.append(inbox.run)
    return inbox
