"""Vietnamese dictionary order: a ă â b c d đ e ê … y, letters first, then tones (ngang first)."""

from __future__ import annotations

import unicodedata

_ALPHABET = {ch: i for i, ch in enumerate("0123456789aăâbcdđeêfghijklmnoôơpqrstuưvwxyz", start=1)}
_SHAPES = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng


def collation_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Sort key of Vietnamese dictionary order: a ă â b c d đ e ê …, then tones (ngang first)."""
    letters: list[int] = []
    tones: list[int] = []
    last = ""
    for ch in unicodedata.normalize("NFD", text.lower()):
        if ch in _SHAPES and letters:
            letters[-1] = _ALPHABET.get(unicodedata.normalize("NFC", last + ch), letters[-1])
        elif ch in _TONES and tones:
            tones[-1] = _TONES[ch]
        elif not unicodedata.combining(ch):
            last = ch
            letters.append(_ALPHABET.get(ch, 0))
            tones.append(0)
    return tuple(letters), tuple(tones)
