"""What travels on the Zalo Bot API wire: error answers, updates (validated), and replies as plain text.

Updates are checked against the shapes Zalo documents (pydantic), so a malformed body (a `from` that
is a string, a list instead of an object, numbers where ids belong) is refused instead of crashing.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.channels.render import as_text, plain
from flows.engine.content import render
from flows.engine.messages import Incoming, Reply

CHANNEL = "zalo"
_LINK = re.compile(r'<a\s+href="([^"]*)"\s*>(.*?)</a>', re.IGNORECASE | re.DOTALL)


class ZaloApiError(Exception):
    """An answer with `ok: false` (or no JSON at all): the error code, its description, the HTTP status."""

    def __init__(self, code: int, description: str = "", status: int = 200) -> None:
        super().__init__(f"zalo error {code}: {description}")
        self.code, self.description, self.status = code, description, status

    def has(self, code: int) -> bool:
        """Whether Zalo answered with this code, in the body or as the HTTP status."""
        return code in (self.code, self.status)


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Sender(_Wire):
    id: str | int | None = None
    display_name: str | None = None
    is_bot: bool = False


class Chat(_Wire):
    id: str | int | None = None


class Message(_Wire):
    message_id: str | int | None = None
    sender: Sender | None = Field(default=None, alias="from")
    chat: Chat | None = None
    text: str | None = None


class Update(_Wire):
    """One update: `{"event_name": "message.text.received", "message": {...}}`."""

    event_name: str
    message: Message


def parse_update(body: Any) -> Update | None:
    """The update in a body, which comes both bare and wrapped in {ok, result}; None when it is not one."""
    if isinstance(body, dict) and "event_name" not in body and isinstance(body.get("result"), dict):
        body = body["result"]
    if not isinstance(body, dict):
        return None
    try:
        return Update.model_validate(body)
    except ValidationError:
        return None


def message_key(update: Update) -> str | None:
    """The update's own id for de-duplication (Zalo has no update id: the message id)."""
    message_id = update.message.message_id
    return str(message_id) if message_id not in (None, "") else None


def to_incoming(update: Update) -> Incoming | None:
    """The engine's view of an update: text for text messages, empty text for other messages, None otherwise."""
    message = update.message
    sender = message.sender or Sender()
    chat_id = (message.chat.id if message.chat else None) or sender.id
    if not update.event_name.startswith("message.") or chat_id in (None, "") or sender.is_bot:
        return None
    text = message.text if update.event_name == "message.text.received" else ""
    key = message_key(update)
    return Incoming(CHANNEL, str(chat_id), text=text or "", display_name=sender.display_name,
                    message_id=f"z{key}" if key else None)


def as_plain_text(reply: Reply) -> str:
    """A reply as Zalo shows it: links spelled out, plain text, numbered options; a file becomes a note."""
    if reply.document is not None:
        doc = reply.document
        return plain(render("zalo/document.j2", filename=doc.filename, caption=doc.caption or ""))
    text = _LINK.sub(lambda m: m.group(2) if m.group(1) in m.group(2) else f"{m.group(2)} ({m.group(1)})",
                     reply.text)
    return as_text(Reply(text, reply.buttons, numbered=reply.numbered))
