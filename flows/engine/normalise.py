"""Vietnamese as people type it on phones, made comparable before any matching.

"Ko đc ạ!!" and "không được" become the same words: folded (flows/engine/text.py), letters
typed three times or more kept once ("okkk"), chat abbreviations expanded
(content/language/abbreviations.yaml). The short answers (yes, no, none) and the filler words
are data in content/language/words.yaml.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from flows.engine.content import load_yaml
from flows.engine.text import fold, words

_REPEATED = re.compile(r"([a-z])\1{2,}")


@functools.cache
def _abbreviations() -> dict[str, tuple[str, ...]]:
    chat = load_yaml("language/abbreviations.yaml")["chat"]
    return {fold(str(short)): tuple(words(str(long))) for short, long in chat.items()}


@functools.lru_cache(maxsize=65536)
def tokens(text: str) -> tuple[str, ...]:
    """The words of a text as people mean them: 'Ko đc ạ!!' -> ('khong', 'duoc', 'a')."""
    expand = _abbreviations()
    out: list[str] = []
    for word in words(text):
        if len(set(word)) > 1:  # "okkk" is "ok"; "zzzzzzzz" (a code, a test) stays as typed
            word = _REPEATED.sub(r"\1", word)
        out.extend(expand.get(word, (word,)))
    return tuple(out)


def normalise(text: str) -> str:
    """tokens() as one string: what two texts are compared by."""
    return " ".join(tokens(text))


@functools.cache
def word_set(name: str) -> frozenset[str]:
    """A list of content/language/words.yaml (yes_words, none_words, particles, …), each entry normalised."""
    return frozenset(normalise(str(item)) for item in load_yaml("language/words.yaml")[name])


@functools.cache
def _leading() -> tuple[tuple[str, ...], ...]:
    """Lead-ins, longest first (so "tôi là" goes before "tôi" would)."""
    items = {tokens(str(item)) for item in load_yaml("language/words.yaml")["leading"]}
    return tuple(sorted(items, key=len, reverse=True))


@functools.lru_cache(maxsize=16384)
def trimmed(text: str) -> tuple[str, ...]:
    """The words of a short answer without politeness or a lead-in: 'dạ có ạ' -> ('co',),
    'tôi là nông dân' -> ('nong', 'dan')."""
    ws = tokens(text)
    particles = word_set("particles")
    while len(ws) > 1 and ws[-1] in particles:
        ws = ws[:-1]
    stripped = True
    while stripped:
        stripped = False
        if len(ws) > 1 and ws[0] in particles:
            ws, stripped = ws[1:], True
        for lead in _leading():
            if len(ws) > len(lead) and ws[: len(lead)] == lead:
                ws, stripped = ws[len(lead):], True
                break
    return ws


def means(text: str, name: str) -> bool:
    """Whether a short answer is one of a words.yaml list: means("ko co", "none_words") is True."""
    return " ".join(trimmed(text)) in word_set(name)


def only_symbols(text: str) -> bool:
    """A message of emoji or other symbols only ('👍', '❤️'), no word or number."""
    stripped = [ch for ch in text if not ch.isspace() and unicodedata.category(ch) not in ("Mn", "Cf")]
    return bool(stripped) and all(unicodedata.category(ch) in ("So", "Sk") for ch in stripped)
