"""Delivery outcomes every channel's sender raises, so queues can treat channels alike."""

from __future__ import annotations


class DeliveryError(Exception):
    """A message could not be delivered."""


class RetryLater(DeliveryError):
    """The channel asked to slow down (Telegram 429): retry after `seconds`."""

    def __init__(self, seconds: float, message: str = "rate limited") -> None:
        super().__init__(message)
        self.seconds = seconds


class RecipientGone(DeliveryError):
    """The user blocked the bot or no longer exists (Telegram 403): never retry."""


class TransientError(DeliveryError):
    """A timeout, a network fault or a 5xx: retry with backoff, up to a limit."""


class PermanentError(DeliveryError):
    """The channel refused the message for good (bad request): do not retry."""
