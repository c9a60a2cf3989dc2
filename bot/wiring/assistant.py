"""Questions in the users' own words: the knowledge base loaded once, the engine's "assistant"
service, and the "notify" service that sends an official's answer to the user who asked."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from db.models.core import User
from flows.engine.delivery import DeliveryError
from flows.faq import Knowledge
from flows.faq.assistant import Assistant

if TYPE_CHECKING:
    from bot.parts import App

log = logging.getLogger(__name__)

SEND_TIMEOUT = 30.0  # seconds; a sender that hangs longer counts as not delivered


class Notifier:
    """`await notify(user_id, text)`: send one message to a user on their channel; True when sent."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, user_id: int, text: str) -> bool:
        async with self.app.sessionmaker() as session:
            user = await session.get(User, user_id)
        if user is None or user.blocked:
            return False
        sender = self.app.senders.get(user.channel)
        if sender is None:
            log.warning("no sender for channel %s; user %s not notified", user.channel, user_id)
            return False
        try:
            await asyncio.wait_for(sender.send(user.external_id, text), SEND_TIMEOUT)
        except (DeliveryError, TimeoutError) as exc:
            log.warning("could not notify user %s on %s: %s", user_id, user.channel, exc)
            return False
        return True


def install(app: App) -> None:
    """Load the knowledge base and add the "knowledge", "assistant" and "notify" services."""
    knowledge = Knowledge.load()
    app.services.knowledge = knowledge
    app.services.assistant = Assistant(knowledge)
    app.services.notify = Notifier(app)
