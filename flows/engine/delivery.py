"""Sending to a user: the sender protocol every channel implements, and the outcomes it raises,
so queues (announcements, reminders, answers) can treat channels alike."""

from __future__ import annotations

from typing import Protocol


class Sender(Protocol):
    """A channel's way to send one text; raises one of the errors below when it cannot."""

    async def send(self, external_id: str, text: str) -> None: ...


class DeliveryError(Exception):
    """A message could not be delivered."""


class RetryLater(DeliveryError):
    """The channel asked to slow down (Telegram 429): retry after `seconds`."""

    def __init__(self, seconds: float, message: str = "rate limited") -> None:
        super().__init__(message)
        self.seconds = seconds


class ChannelMisconfigured(RetryLater):
    """The channel refused the bot's own credentials (Zalo 401): nothing goes out until an operator fixes the
    configuration. A RetryLater, so queues pause the channel and keep the message rather than fail it."""


class RecipientGone(DeliveryError):
    """The user blocked the bot or no longer exists (Telegram 403): never retry."""


class TransientError(DeliveryError):
    """A timeout, a network fault or a 5xx: retry with backoff, up to a limit."""


class PermanentError(DeliveryError):
    """The channel refused the message for good (bad request): do not retry."""
