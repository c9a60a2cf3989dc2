"""Turning replies into what a channel can show: split long texts, strip HTML for plain-text channels."""

from __future__ import annotations

import re

from flows.engine.messages import Reply
from flows.engine.text import plain  # noqa: F401 (channels import it from here)

# What a cut must not fall inside: a tag (<b>, <a href="…">, </a>) or an entity (&amp;, &#39;, &#x1F600;)
_UNCUTTABLE = re.compile(r"<[^<>]*>|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_TAGS = re.compile(r"<(b|i|u|s|code|pre|a)(?:\s[^<>]*)?>|</(b|i|u|s|code|pre|a)>")


def _whole(text: str, cut: int) -> int:
    """The cut moved back to the start of a tag or entity it would fall inside (forward when that start is 0)."""
    for m in _UNCUTTABLE.finditer(text, max(0, cut - 2048), cut + 2048):
        if m.start() < cut < m.end():
            return m.start() if m.start() > 0 else m.end()
        if m.start() >= cut:
            break
    return cut


def _cut(rest: str, limit: int) -> int:
    """Where the first piece of a text longer than `limit` ends: at a paragraph, line, sentence or word
    end when one is in the last two thirds, never inside a tag or an entity."""
    window = rest[:limit]
    for sep in ("\n\n", "\n", ". ", "; ", ", ", " "):
        found = window.rfind(sep)
        while found > limit // 3 and _whole(rest, found) != found:  # a space inside <a href="…">
            found = window.rfind(sep, 0, found)
        if found > limit // 3:
            return _whole(rest, found + len(sep))
    return _whole(rest, limit)


def split_text(text: str, limit: int) -> list[str]:
    """Cut a text into pieces of at most `limit` characters, at paragraph, line, sentence or word ends;
    never inside a tag or an entity (a piece may exceed `limit` only by a tag longer than the rest of it)."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _cut(rest, limit)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _still_open(opened: list[tuple[str, str]], piece: str) -> list[tuple[str, str]]:
    """The tags (name, opening tag as written) open after a piece, given those open before it."""
    opened = list(opened)
    for m in _TAGS.finditer(piece):
        if m.group(1):
            opened.append((m.group(1), m.group(0)))
        else:
            for i in range(len(opened) - 1, -1, -1):
                if opened[i][0] == m.group(2):
                    del opened[i]
                    break
    return opened


def split_html(text: str, limit: int) -> list[str]:
    """Split HTML text into pieces of at most `limit` characters without leaving a tag open across
    pieces: the tags open at a cut are closed there and opened again at the start of the next piece."""
    if len(text) <= limit:
        return [text]
    out: list[str] = []
    carry: list[tuple[str, str]] = []
    rest = text.strip()
    while rest:
        opening = "".join(tag for _, tag in carry)
        budget = limit - len(opening)
        while True:
            cut = len(rest) if len(rest) <= budget else _cut(rest, max(budget, 1))
            piece = rest[:cut].rstrip()
            still_open = _still_open(carry, piece)
            closing = "".join(f"</{name}>" for name, _ in reversed(still_open))
            over = len(opening) + len(piece) + len(closing) - limit
            if over <= 0 or budget <= 40:
                break
            budget -= over
        out.append(opening + piece + closing)
        rest, carry = rest[cut:].lstrip(), still_open
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
