"""Text as it may be stored and matched: control characters removed, folded for matching (lower case,
no diacritics, single spaces), safe as a spreadsheet cell."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from unidecode import unidecode

_TAG = re.compile(r"</?(?:b|i|u|s|code|pre|a)(?:\s[^>]*)?>", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s%./,-]", re.UNICODE)
# C0 and C1 control characters but tab and line feed, DEL, and lone surrogates (no database stores them)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet reads a cell starting so as a formula


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """'Hợp Tác Xã  Đồng Tâm' -> 'hop tac xa dong tam' (đ becomes d; punctuation kept but . , / -)."""
    text = unicodedata.normalize("NFC", text)
    text = unidecode(text).lower()
    text = _PUNCT.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def words(text: str) -> list[str]:
    """The folded words of a text, punctuation removed."""
    return re.findall(r"[a-z0-9]+", fold(text))


def plain(text: str) -> str:
    """Telegram HTML to plain text: tags dropped, entities unescaped (&lt; back to <)."""
    return html.unescape(_TAG.sub("", text))


def clean(text: str) -> str:
    """Text as it may be stored: line ends as \\n, NUL and other control characters removed (tab and
    line feed kept)."""
    if text.isprintable():
        return text
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def cell_text(value: str) -> str:
    """A text cell for a CSV file: one that a spreadsheet would run as a formula gets a leading apostrophe."""
    return f"'{value}" if value.startswith(FORMULA_LEAD) else value


def from_cell(value: str) -> str:
    """A text cell read from a file: the apostrophe that `cell_text` added is taken off again."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_LEAD) else value
