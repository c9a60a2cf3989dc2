"""Folding Vietnamese text for matching: lower case, no diacritics, single spaces."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from unidecode import unidecode

_TAG = re.compile(r"</?(?:b|i|u|s|code|pre|a)(?:\s[^>]*)?>", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s%./,-]", re.UNICODE)


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
