"""Questions in the farmer's own words: the knowledge base of content/faq, matching, and the answer text.

knowledge = Knowledge.load()            # once per process
match = knowledge.match("htx can bao nhieu nguoi")
if match.is_task: start the flow named match.entry.task
else: reply render_answer(match)
"""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup

from flows.engine.content import render
from flows.faq.intent import Intent
from flows.faq.knowledge import FAQ_DIR, TASKS, Entry, load_entries, load_synonyms
from flows.faq.matcher import ALSO_AT, ANSWER_AT, Index, Match, Normalizer

__all__ = ["TASKS", "Entry", "Knowledge", "Match", "render_answer"]

ALSO_MAX = 2
ALSO_WITHIN = 0.2  # runners-up this close to the best are offered before the entry's related ids
TASK_NUDGE = 0.08  # a request ("tôi muốn ...") leans to entries that start a flow; a question leans away


class Knowledge:
    """The FAQ entries with their search index; build once with Knowledge.load()."""

    def __init__(self, entries: list[Entry], synonyms: dict) -> None:
        self.entries = entries
        self.by_id = {entry.id: entry for entry in entries}
        self.intent = Intent(synonyms)
        self.index = Index(entries, Normalizer(synonyms))

    @classmethod
    def load(cls, directory: Path = FAQ_DIR) -> Knowledge:
        """Read and check content/faq/*.yaml and build the index."""
        return cls(load_entries(directory), load_synonyms(directory))

    def match(self, text: str) -> Match:
        """The entry answering a text (None when none fits well), two others worth offering, and
        whether the text is a request to start the entry's flow rather than a question."""
        ranked = self._nudged(text, self.index.scores(text))
        if not ranked or ranked[0][0] < ANSWER_AT:
            also = [self.entries[i] for score, i in ranked[:ALSO_MAX] if score >= ALSO_AT]
            return Match(entry=None, score=ranked[0][0] if ranked else 0.0, also=also)
        score, best = ranked[0]
        entry = self.entries[best]
        return Match(
            entry=entry,
            score=min(1.0, score),
            also=self._also(entry, score, ranked[1:]),
            is_task=entry.task is not None and self._is_request(text),
        )

    def ranking(self, text: str) -> list[tuple[Entry, float]]:
        """Every entry sharing a word with the text with its score, best first (for measuring top-3)."""
        return [(self.entries[i], score) for score, i in self._nudged(text, self.index.scores(text))]

    def looks_like_question(self, text: str) -> bool:
        """Whether free text typed inside a flow is a question to answer rather than a reply."""
        return self.intent.looks_like_question(text)

    def _nudged(self, text: str, ranked: list[tuple[float, int]]) -> list[tuple[float, int]]:
        if not ranked:
            return ranked
        if self.intent.wants_task(text):
            nudge = TASK_NUDGE
        elif self.intent.looks_like_question(text):
            nudge = -TASK_NUDGE
        else:
            return ranked
        return sorted(
            ((score + nudge if self.entries[i].task else score, i) for score, i in ranked),
            reverse=True,
        )

    def _is_request(self, text: str) -> bool:
        return self.intent.wants_task(text) or not self.intent.looks_like_question(text)

    def _also(self, entry: Entry, best: float, rest: list[tuple[float, int]]) -> list[Entry]:
        close = max(ALSO_AT, best - ALSO_WITHIN)
        also = [self.entries[i] for score, i in rest[:ALSO_MAX] if score >= close]
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
