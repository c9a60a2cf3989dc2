"""How well a typed text reads as each thing it could be: an option of the question, small talk,
a whole sentence (first a question).

Scores run from 0 to 1. An option is named exactly (1.0) by its label, id or an alias, typed in
any form (flows/engine/normalise.py). Otherwise the score weighs how many of the text's words
belong to the option (a sentence that merely contains a menu word scores low) and how much of
the option the text covers; typing the first words of a label ("nông dân" for "Nông dân / nhóm
sáng lập HTX") counts as naming it. flows/engine/answers.py acts on ACT_AT and above, asks
"Ý bạn là …?" from ASK_AT, and below that treats the text as no answer to the question.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Protocol, TypeVar

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from flows.engine.content import load_yaml
from flows.engine.normalise import only_symbols, tokens, trimmed, word_set

ACT_AT = 0.9  # a fuzzy reading this good acts (presses the option)
ASK_AT = 0.6  # from here to ACT_AT: "Ý bạn là …?" with the candidates as buttons
CLOSE = 0.05  # two options this close to each other: a guess, so ask which one
OFFER_WITHIN = 0.15  # candidates offered in "Ý bạn là …?": this close to the best
OFFER_MAX = 2
SENTENCE_WORDS = 5  # a message this long (or with "?") is first a question, never a fuzzy press
WORD_SIMILAR = 0.66  # two words this similar (edits with swaps, 0..1) are one word misspelt
PREFIX_SCORE = 0.9  # the first words of a label, typed alone


class Named(Protocol):
    """What an option offers to be recognised by (flows.engine.inputs.Option)."""

    @property
    def id(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def aliases(self) -> tuple[str, ...]: ...


N = TypeVar("N", bound=Named)


def _same_word(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if a.isdigit() or b.isdigit() or min(len(a), len(b)) < 3:
        return 0.0
    similar = OSA.normalized_similarity(a, b)
    return similar if similar >= WORD_SIMILAR else 0.0


def _covered(these: tuple[str, ...], by: tuple[str, ...]) -> float:
    """The share of `these` words found (or found misspelt) among `by`."""
    return sum(max((_same_word(w, v) for v in by), default=0.0) for w in these) / len(these)


@functools.lru_cache(maxsize=65536)
def similarity(typed: tuple[str, ...], name: tuple[str, ...]) -> float:
    """How well typed words name an option's name (both normalised), 0..1."""
    if not typed or not name:
        return 0.0
    if typed == name:
        return 1.0
    text_in_name = _covered(typed, name)
    name_in_text = _covered(name, typed)
    score = text_in_name * (0.6 + 0.4 * name_in_text)
    if len(typed) < len(name) and all(_same_word(w, v) for w, v in zip(typed, name, strict=False)):
        score = max(score, PREFIX_SCORE + (1 - PREFIX_SCORE) * name_in_text)
    spelt = fuzz.ratio(" ".join(typed), " ".join(name)) / 100
    return max(score, spelt if len(typed) == len(name) else 0.0)


def _names(option: Named) -> list[tuple[str, ...]]:
    return [t for t in (tokens(option.label), tokens(option.id.replace("_", " ")), *map(tokens, option.aliases)) if t]


def rank(text: str, options: Sequence[N]) -> list[tuple[float, N]]:
    """Every option with how well the text names it, best first (options scoring 0 left out). Two
    options spelt the same once folded ("Tân An", "Tân Ân") count as the first one."""
    typed = _answer_words(text)
    owner: dict[tuple[str, ...], N] = {}
    for option in options:
        for name in _names(option):
            owner.setdefault(name, option)
    best: dict[int, tuple[float, N]] = {}
    for name, option in owner.items():
        score = similarity(typed, name)
        if score > best.get(id(option), (0.0, option))[0]:
            best[id(option)] = (score, option)
    return sorted(best.values(), key=lambda pair: -pair[0])


def chosen(ranked: list[tuple[float, N]]) -> N | None:
    """The option a ranking names clearly enough to act on, or None."""
    if not ranked or ranked[0][0] < ACT_AT:
        return None
    if len(ranked) > 1 and ranked[0][0] < 1.0 and ranked[1][0] > ranked[0][0] - CLOSE:
        return None
    return ranked[0][1]


def candidates(ranked: list[tuple[float, N]]) -> list[N]:
    """The options worth offering in "Ý bạn là …?" (none when nothing comes close)."""
    if not ranked or ranked[0][0] < ASK_AT:
        return []
    best = ranked[0][0]
    return [o for score, o in ranked[:OFFER_MAX] if score >= max(ASK_AT, best - OFFER_WITHIN)]


def _answer_words(text: str) -> tuple[str, ...]:
    """The words of a typed answer without polite particles or a lead-in ("tôi là nông dân ạ")."""
    particles = word_set("particles")
    words = trimmed(text)
    return tuple(w for w in words if w not in particles) or words


def question_ends() -> frozenset[str]:
    """Words that end a question ("được không", "bao nhiêu vậy"): content/language/words.yaml."""
    return word_set("question_ends")


_CLAUSES = re.compile(r"[,;.!\n]+")


@functools.lru_cache(maxsize=16384)
def asks(text: str) -> bool:
    """A question mark, or a last word that ends a question ("… lưu ý gì", "… được không"), of the
    text or of one clause of two words or more ("có lâu không, gồm mấy bước")."""
    if "?" in text:
        return True
    ends = question_ends()
    words = trimmed(text)
    if words and words[-1] in ends:
        return True
    clauses = (trimmed(clause) for clause in _CLAUSES.split(text))
    return any(len(clause) >= 2 and clause[-1] in ends for clause in clauses)


def is_sentence(text: str) -> bool:
    """A question mark or a long message: a sentence is first read as a question."""
    return "?" in text or len(_answer_words(text)) >= SENTENCE_WORDS


# ---- small talk ---------------------------------------------------------------------------

LONGEST_PHRASE = 6  # words
CALLING = "oi"  # "ơi": a message of only a name and "ơi" calls the bot


def _talk_words(words: tuple[str, ...]) -> tuple[str, ...]:
    dropped = word_set("particles") | word_set("talk_fillers")
    return tuple(w for w in words if w not in dropped)


@functools.cache
def _small_talk() -> tuple[dict[tuple[str, ...], int], list[str]]:
    """Each phrase (its words without fillers) with the rank of its kind; the kinds in rank order."""
    kinds = load_yaml("language/smalltalk.yaml")
    phrases: dict[tuple[str, ...], int] = {}
    for rank_of_kind, items in enumerate(kinds.values()):
        for item in items:
            key = _talk_words(tokens(str(item)))
            if key:
                phrases.setdefault(key, rank_of_kind)
    return phrases, list(kinds)


@functools.lru_cache(maxsize=16384)
def small_talk(text: str) -> str | None:
    """The kind of small talk a whole message is (who, thanks, greeting, ack, …), or None when any
    part of it is something else."""
    if only_symbols(text):
        return "ack"
    words = tokens(text)
    if not words:
        return None
    rest = _talk_words(trimmed(text))
    if not rest:
        return "greeting" if CALLING in words else None  # "ad ơi", "bot ơi": calling the bot
    phrases, kinds = _small_talk()
    # best[i]: the best (lowest) kind rank covering rest[:i] with whole phrases, None if impossible
    best: list[int | None] = [None] * (len(rest) + 1)
    best[0] = len(kinds)
    for end in range(1, len(rest) + 1):
        for start in range(max(0, end - LONGEST_PHRASE), end):
            kind, before = phrases.get(rest[start:end]), best[start]
            if kind is not None and before is not None:
                best[end] = min(kind, before, best[end] if best[end] is not None else len(kinds))
    found = best[-1]
    return kinds[found] if found is not None and found < len(kinds) else None
