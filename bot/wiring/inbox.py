"""The app's one inbox (bot/inbox/): made by the first channel that asks, its drain one of the app's jobs."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from bot.inbox import Inbox

if TYPE_CHECKING:
    from bot.parts import App
    from flows.engine.engine import Engine

# engine -> its inbox, both held weakly (the inbox holds its engine: a strong value would keep every
# app ever built alive); the app's channels and jobs hold the inbox
_INBOXES: WeakKeyDictionary[Engine, weakref.ref[Inbox]] = WeakKeyDictionary()


def shared_inbox(app: App) -> Inbox:
    """The inbox every channel of this app writes to; the first call adds its drain to the app's jobs."""
    known = _INBOXES.get(app.engine)
    inbox = known() if known is not None else None
    if inbox is None:
        inbox = Inbox(app.engine, lease_seconds=app.settings.inbox_lease_seconds)
        _INBOXES[app.engine] = weakref.ref(inbox)
        app.jobs.append(inbox.run)
        app.closers.append(inbox.settle)  # outcomes still in hand are written before the database goes
    return inbox
