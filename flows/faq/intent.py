"""Telling a question ("htx là gì?") from a request ("tôi muốn lập htx") and from a plain answer ("5 sào").

The marker words are data in content/faq/synonyms.yaml (question_words, task_markers) and
content/language/words.yaml (asking_anywhere, and the question_ends the engine reads too:
flows.engine.interpret.asks). A word typed with diacritics is compared as typed,
so "sào" (a land unit) is not "sao" (why); a word typed without them is compared folded.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flows.engine.content import load_yaml
from flows.engine.interpret import asks
from flows.engine.text import fold, words


def _phrases(items: list[str] | None) -> list[str]:
    return [" ".join(words(item)) for item in items or []]


def _raw_words(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFC", text).lower())


class Intent:
    """Question and task markers read from synonyms.yaml."""

    def __init__(self, synonyms: dict[str, Any]) -> None:
        q = synonyms.get("question_words") or {}
        self.anywhere = _phrases(q.get("anywhere")) + _phrases(load_yaml("language/words.yaml")["asking_anywhere"])
        self.first = _phrases(q.get("first"))
        self.last_marked = {unicodedata.normalize("NFC", w).lower() for w in q.get("last") or []}
        self.last_folded = {fold(w) for w in self.last_marked}
        t = synonyms.get("task_markers") or {}
        self.wants = _phrases(t.get("wants"))
        self.only_asks = _phrases(t.get("only_asks"))

    def looks_like_question(self, text: str) -> bool:
        """A '?' or a question word; a one-word reply or a short number ("5 sao") is not a question."""
        if "?" in text:
            return True
        raw = _raw_words(text)
        folded = words(text)
        if len(folded) < 2 or (folded[0].isdigit() and len(folded) <= 3):
            return False
        padded = f" {' '.join(folded)} "
        if any(f" {p} " in padded for p in self.anywhere) or asks(text):
            return True
        if any(padded.startswith(f" {p} ") for p in self.first):
            return True
        last = raw[-1] if raw else ""
        if fold(last) != last:  # typed with diacritics: compare as typed
            return last in self.last_marked
        return last in self.last_folded

    def wants_task(self, text: str) -> bool:
        """Whether the text asks the bot to do something ("tôi muốn lập", "giúp tôi"), not to explain."""
        padded = f" {' '.join(words(text))} "
        if any(f" {p} " in padded for p in self.only_asks):
            return False
        return any(f" {p} " in padded for p in self.wants)
