"""Logging for `htxbot`: plain lines, or one JSON object per line with LOG_FORMAT=json
(python-json-logger), where every message handled also gets a line of its own (MessageLog)."""

from __future__ import annotations

import hashlib
import logging
import sys

from flows.engine.messages import Incoming

FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
message_log = logging.getLogger("htxbot.messages")


def setup_logging(level: str, fmt: str = "text") -> None:
    """The root logger at `level`, to stderr, as text or JSON; chatty libraries quieter."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(JsonFormatter(FIELDS, rename_fields={"levelname": "level", "name": "logger",
                                                                  "asctime": "time"}))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)


class MessageLog:
    """The engine's observer that logs one line per message: channel, kind, outcome and time taken.
    No text and no user id: the user is a keyed hash, the same for one person across lines."""

    def __init__(self, key: str) -> None:
        self._key = hashlib.sha256(key.encode()).digest()[:32]

    def user(self, incoming: Incoming) -> str:
        return hashlib.blake2b(f"{incoming.channel}:{incoming.external_id}".encode(), key=self._key,
                               digest_size=6).hexdigest()

    def __call__(self, incoming: Incoming, outcome: str, seconds: float) -> None:
        kind = "button" if incoming.button else "command" if (incoming.text or "").startswith("/") else "text"
        message_log.info("message handled", extra={"channel": incoming.channel, "user": self.user(incoming),
                                                   "kind": kind, "outcome": outcome,
                                                   "ms": round(seconds * 1000, 2)})
