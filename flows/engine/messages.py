"""What travels between a channel and the engine: an incoming message and the replies to it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flows.engine.text import clean


@dataclass(frozen=True, slots=True)
class Button:
    """A button with a stable id (matched by the engine) and a Vietnamese label (shown)."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Document:
    """A file to send (e.g. a .docx draft or an .xlsx export)."""

    filename: str
    data: bytes
    caption: str | None = None


@dataclass(slots=True)
class Reply:
    """One message to the user: text in Telegram's HTML subset, optional buttons or a file."""

    text: str
    buttons: list[Button] = field(default_factory=list)
    document: Document | None = None
    numbered: bool = False  # text-only channels show the buttons as "1. …", "2. …"


@dataclass(frozen=True, slots=True)
class Incoming:
    """A user's message as every channel hands it to the engine: typed text or a button id.

    What the user sent is cleaned on the way in: NUL and other control characters never reach the
    database (PostgreSQL refuses NUL in text).
    """

    channel: str
    external_id: str
    text: str | None = None
    button: str | None = None
    display_name: str | None = None
    message_id: str | None = None
    origin: str | None = None  # the sender's network address, keyed-hashed (web chat only): limits hold per address

    def __post_init__(self) -> None:
        for name in ("text", "button", "display_name"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, clean(value))


def replies_to_json(message_id: str, replies: list[Reply]) -> dict[str, Any]:
    """The replies to a message as they are kept with its state: text and buttons; of a file only its
    name (files are made again on request, and a person's data export is not kept twice)."""
    kept = []
    for reply in replies:
        item: dict[str, Any] = {"text": reply.text}
        if reply.buttons:
            item["buttons"] = [[b.id, b.label] for b in reply.buttons]
        if reply.numbered:
            item["numbered"] = True
        if reply.document is not None:
            item["file"] = reply.document.filename
        kept.append(item)
    return {"message_id": message_id, "replies": kept}


def replies_from_json(kept: dict[str, Any], file_missing: Callable[[str], Reply]) -> list[Reply]:
    """The replies kept by replies_to_json; a reply that carried a file becomes `file_missing(name)`."""
    out = []
    for item in kept.get("replies") or []:
        if item.get("file"):
            out.append(file_missing(item["file"]))
            continue
        out.append(Reply(item["text"], [Button(i, label) for i, label in item.get("buttons") or []],
                         numbered=bool(item.get("numbered"))))
    return out
