"""Telegram's parse_mode=HTML as the fake applies it: plain text plus entities, or a 'can't parse' error."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

_ENTITY_OF_TAG = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; the message reads like the API's description."""


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.entities: list[dict[str, Any]] = []
        self._open: list[tuple[str, dict[str, str | None], int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ENTITY_OF_TAG:
            raise EntityParseError(f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"')
        attributes = dict(attrs)
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            raise EntityParseError("Bad Request: can't parse entities: Tag \"span\" must have class \"tg-spoiler\"")
        self._open.append((tag, attributes, _utf16_len(self.text)))

    def handle_endtag(self, tag: str) -> None:
        if not self._open or self._open[-1][0] != tag:
            raise EntityParseError(f'Bad Request: can\'t parse entities: Unmatched end tag "{tag}"')
        _, attributes, start = self._open.pop()
        length = _utf16_len(self.text) - start
        if length == 0:
            return
        if tag == "code" and self._open and self._open[-1][0] == "pre":
            return  # <pre><code class="language-x"> is one pre entity
        entity: dict[str, Any] = {"type": _ENTITY_OF_TAG[tag], "offset": start, "length": length}
        if tag == "a":
            entity["url"] = attributes.get("href") or ""
        self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.text += data


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Turn Telegram HTML into (plain text, entities sorted by offset); raises EntityParseError."""
    parser = _Parser()
    parser.feed(text)
    parser.close()
    if parser._open:
        raise EntityParseError(
            f'Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "{parser._open[-1][0]}"'
        )
    return parser.text, sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))
