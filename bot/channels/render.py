"""Turning replies into what a channel can show: split long texts, strip HTML for plain-text channels."""

from __future__ import annotations

import re

from flows.engine.messages import Reply
from flows.engine.text import plain  # noqa: F401 (channels import it from here)


def split_text(text: str, limit: int) -> list[str]:
    """Cut a text into pieces of at most `limit` characters, at paragraph, line, sentence or word ends."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = -1
        for sep in ("\n\n", "\n", ". ", "; ", ", ", " "):
            cut = window.rfind(sep)
            if cut > limit // 3:
                cut += len(sep)
                break
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def split_html(text: str, limit: int) -> list[str]:
    """Split HTML text without leaving a tag open across pieces (open tags are closed and reopened)."""
    if len(text) <= limit:
        return [text]
    out = []
    carry = ""
    for piece in split_text(text, limit - 40):
        piece = carry + piece
        opened = re.findall(r"<(b|i|u|s|code|pre)>", piece)
        closed = re.findall(r"</(b|i|u|s|code|pre)>", piece)
        still_open = list(opened)
        for tag in closed:
            if tag in still_open:
                still_open.remove(tag)
        piece += "".join(f"</{t}>" for t in reversed(still_open))
        carry = "".join(f"<{t}>" for t in still_open)
        out.append(piece)
    return out


def as_text(reply: Reply) -> str:
    """A reply for a text-only channel: plain text, options numbered ("1. …"), other buttons as words."""
    from flows.engine.content import render

    text = plain(reply.text)
    if not reply.buttons:
        return text
    if reply.numbered:
        lines = "\n".join(f"{i}. {plain(b.label)}" for i, b in enumerate(reply.buttons, 1))
        hint = render("common/text_numbered.j2", count=len(reply.buttons))
    else:
        lines = " · ".join(f"[{plain(b.label)}]" for b in reply.buttons)
        hint = render("common/text_words.j2")
    return f"{text}\n\n{lines}\n{plain(hint)}"
