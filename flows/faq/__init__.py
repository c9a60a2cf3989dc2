"""Questions in the farmer's own words: the knowledge base of content/faq, matching, and the answer text.

knowledge = Knowledge.load()            # once per process (trains the matching: about a second)
match = knowledge.match("htx can bao nhieu nguoi")
if match.is_task: start the flow named match.entry.task
else: reply render_answer(match)

match.score is in 0..1; below retrieval.ANSWER_AT nothing is answered (match.entry is None: say so
and offer the hand-off); match.confident marks a score above retrieval.CONFIDENT_AT, where a wrong
entry is rare (for a caller that must not answer a doubtful reading, e.g. inside a flow).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from markupsafe import Markup

from flows.engine.content import render
from flows.faq.intent import Intent
from flows.faq.knowledge import (
    FAQ_DIR,
    TASKS,
    Entry,
    Training,
    load_abbreviations,
    load_entries,
    load_synonyms,
    load_training,
)
from flows.faq.matcher import Match
from flows.faq.retrieval import ANSWER_AT, CONFIDENT_AT, NOTHING, Retriever

__all__ = ["TASKS", "Entry", "Knowledge", "Match", "render_answer"]

ALSO_MAX = 2
ALSO_AT = 0.15  # runners-up above this are offered as "bạn có thể muốn hỏi"
ALSO_WITHIN = 0.25  # ... when this close to the best, before the entry's related ids


class Knowledge:
    """The FAQ entries with their trained retrieval; build once with Knowledge.load()."""

    def __init__(self, entries: list[Entry], synonyms: dict, training: Training | None = None,
                 abbreviations: Mapping[str, str] | None = None) -> None:
        self.entries = entries
        self.by_id = {entry.id: entry for entry in entries}
        self.intent = Intent(synonyms)
        self.retriever = Retriever(entries, synonyms, training or Training({}, ()), abbreviations or {})

    @classmethod
    def load(cls, directory: Path = FAQ_DIR) -> Knowledge:
        """Read and check content/faq/*.yaml and train the retrieval."""
        entries = load_entries(directory)
        return cls(entries, load_synonyms(directory), load_training(entries, directory),
                   load_abbreviations(directory))

    def match(self, text: str) -> Match:
        """The entry answering a text (None when none fits well), two others worth offering, and
        whether the text is a request to start the entry's flow rather than a question."""
        ranked = self.retriever.rank(text)
        entries = [(self.by_id[label], score) for label, score in ranked if label != NOTHING]
        best = entries[0][1] if entries else 0.0
        if ranked[0][0] == NOTHING or best < ANSWER_AT:
            also = [] if ranked[0][0] == NOTHING and ranked[0][1] >= 0.5 else [
                entry for entry, score in entries[:ALSO_MAX] if score >= ALSO_AT]
            return Match(entry=None, score=best, also=also)
        entry = entries[0][0]
        return Match(
            entry=entry,
            score=min(1.0, best),
            also=self._also(entry, best, entries[1:]),
            is_task=entry.task is not None and self._is_request(text),
            confident=best >= CONFIDENT_AT,
        )

    def ranking(self, text: str) -> list[tuple[Entry, float]]:
        """The best-scored entries for a text with their scores, best first (for measuring top-3)."""
        return [(self.by_id[label], score) for label, score in self.retriever.rank(text) if label != NOTHING]

    def looks_like_question(self, text: str) -> bool:
        """Whether free text typed inside a flow is a question to answer rather than a reply (chat
        abbreviations read as what they stand for: "htx can von bn" asks "bao nhiêu")."""
        return self.intent.looks_like_question(text) or self.intent.looks_like_question(self._spelt(text))

    def _is_request(self, text: str) -> bool:
        return self.intent.wants_task(text) or not self.looks_like_question(text)

    def _spelt(self, text: str) -> str:
        return self.retriever.classifier.normalise(text)

    def _also(self, entry: Entry, best: float, rest: list[tuple[Entry, float]]) -> list[Entry]:
        close = max(ALSO_AT, best - ALSO_WITHIN)
        also = [other for other, score in rest[:ALSO_MAX] if score >= close]
        for related in entry.related:
            if len(also) >= ALSO_MAX:
                break
            candidate = self.by_id[related]
            if candidate not in also:
                also.append(candidate)
        return also


def render_answer(match: Match, channel: str | None = None) -> str:
    """The reply to a match: the answer with its source and check date, or a polite no-match."""
    also = [entry.title for entry in match.also]
    if match.entry is None:
        return render("faq/no_match.j2", channel, also=also)
    entry = match.entry
    return render(
        "faq/answer.j2",
        channel,
        answer=Markup(entry.answer),  # our own reviewed content, Telegram's HTML subset
        source=entry.source,
        checked=entry.checked,
        also=also,
    )
