"""Input kinds of a question: each parses Vietnamese text (or a button id) into a value.

A parse returns Ok(value), Invalid(hint) with a hint template under content/templates/inputs/,
Ambiguous(options) when the user must pick one of several matches, or Guess(options) when typed
text only comes close to an option (flows/engine/interpret.py scores it): the engine then asks
"Ý bạn là …?" instead of acting on a guess. Typed text is compared normalised
(flows/engine/normalise.py: no diacritics, chat abbreviations, yes/no words of content/language/).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flows.engine import interpret
from flows.engine.content import load_yaml
from flows.engine.normalise import means, tokens
from flows.engine.numbers import parse_money, parse_month, whole_number
from flows.engine.text import fold


@dataclass(frozen=True, slots=True)
class Option:
    """One choice: a stable id, its Vietnamese label, and other ways people type it."""

    id: str
    label: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Ok:
    value: Any
    note: str | None = None  # a rendered remark to show before the next question


@dataclass(frozen=True, slots=True)
class Invalid:
    hint: str  # template under content/templates/inputs/
    vars: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ambiguous:
    options: list[Option]


@dataclass(frozen=True, slots=True)
class Guess:
    """Typed text that comes close to these options without naming one: ask, do not act."""

    options: list[Option]


Result = Ok | Invalid | Ambiguous | Guess
Options = Sequence[Option] | Callable[[Any], Sequence[Option]]


def options_from(items: list[dict[str, Any]]) -> list[Option]:
    """Options from YAML items with id, label and optional aliases."""
    return [Option(i["id"], i["label"], tuple(i.get("aliases", ()))) for i in items]


def _by_number(text: str, options: Sequence[Option]) -> Option | None:
    folded = fold(text)
    if folded.isdigit() and 1 <= int(folded) <= len(options):
        return options[int(folded) - 1]
    return None


def match_option(text: str, options: Sequence[Option]) -> Option | None:
    """The option a typed text clearly names: its number, its label, id or an alias (typed in any
    form, or misspelt a little); None when the text only comes close or names none."""
    return _by_number(text, options) or interpret.chosen(interpret.rank(text, options))


class Kind:
    """Base of input kinds; `choice_like` kinds show their buttons as numbered options; an
    `open_ended` question invites any text (the next question under an answer), so small talk
    there gets its reply without the question repeated."""

    choice_like = False
    open_ended = False

    def options(self, ctx: Any) -> list[Option]:
        return []

    def parse(self, text: str, ctx: Any) -> Result:  # pragma: no cover - interface
        raise NotImplementedError

    def from_button(self, option_id: str, ctx: Any) -> Result:
        for opt in self.options(ctx):
            if opt.id == option_id:
                return Ok(opt.id)
        return Invalid("stale_choice")

    def describe(self, value: Any, ctx: Any) -> str:
        """How a saved value reads back to the user (review screens, profile)."""
        for opt in self.options(ctx):
            if opt.id == value:
                return opt.label
        return "" if value is None else str(value)


@dataclass
class Choice(Kind):
    """One of several options: a button, its number, or its label typed in any form."""

    choices: Options
    choice_like = True

    def options(self, ctx: Any) -> list[Option]:
        return list(self.choices(ctx) if callable(self.choices) else self.choices)

    def parse(self, text: str, ctx: Any) -> Result:
        opts = self.options(ctx)
        ranked = interpret.rank(text, opts)
        opt = _by_number(text, opts) or interpret.chosen(ranked)
        if opt is not None:
            return Ok(opt.id)
        close = interpret.candidates(ranked)
        return Guess(close) if close else Invalid("choice", {"options": opts})


@dataclass
class MultiChoice(Choice):
    """Several options at once: toggled with buttons then 'Xong', or typed as '1, 3' / 'vốn và đào tạo';
    "không có" is none of them."""

    def parse(self, text: str, ctx: Any) -> Result:
        opts = self.options(ctx)
        if means(text, "none_words"):
            return Ok([])
        parts = [p for p in re.split(r"\s*(?:,|;|\+|/|\bva\b|\bvoi\b|\n)\s*", fold(text)) if p]
        if not parts:
            return Invalid("multi_choice", {"options": opts})
        picked: list[str] = []
        for part in parts:
            chunk = part.split() if all(w.isdigit() for w in part.split()) else [part]
            for piece in chunk:
                opt = match_option(piece, opts)
                if opt is None:
                    return Invalid("multi_choice", {"options": opts, "unknown": piece})
                if opt.id not in picked:
                    picked.append(opt.id)
        return Ok(picked)

    def describe(self, value: Any, ctx: Any) -> str:
        labels = {o.id: o.label for o in self.options(ctx)}
        return ", ".join(labels.get(v, str(v)) for v in value or [])


@dataclass
class YesNo(Kind):
    """Có / không, typed the many ways people do ('co', 'ừ', 'ok', 'dung', 'khong', 'ko co'):
    content/language/words.yaml."""

    choice_like = True
    labels: tuple[str, str] | None = None  # default: content/ui.yaml yes_no

    def _labels(self) -> tuple[str, str]:
        yes, no = self.labels or load_yaml("ui.yaml")["yes_no"]
        return yes, no

    def options(self, ctx: Any) -> list[Option]:
        yes, no = self._labels()
        return [Option("yes", yes), Option("no", no)]

    def parse(self, text: str, ctx: Any) -> Result:
        folded = fold(text).strip(" .!")
        if folded == "1" or means(text, "yes_words"):
            return Ok(True)
        if folded == "2" or means(text, "no_words"):
            return Ok(False)
        return Invalid("yes_no")

    def from_button(self, option_id: str, ctx: Any) -> Result:
        if option_id in ("yes", "no"):
            return Ok(option_id == "yes")
        return Invalid("stale_choice")

    def describe(self, value: Any, ctx: Any) -> str:
        yes, no = self._labels()
        return {True: yes, False: no}.get(value, "")


@dataclass
class WholeNumber(Kind):
    """A whole number within bounds: '12', '12 người', '1.200' (not '3 người lập tổ hợp tác được không')."""

    min: int = 0
    max: int = 10**9
    unit: str = ""

    def parse(self, text: str, ctx: Any) -> Result:
        folded = fold(text)
        m = re.match(r"^(\d[\d.,\s]*\d|\d)\s*([a-z ]*)$", folded)
        value = whole_number(m.group(1)) if m and _a_unit(m.group(2)) else None
        if value is None:
            return Invalid("whole_number", {"min": self.min, "max": self.max, "unit": self.unit})
        if not self.min <= value <= self.max:
            return Invalid("out_of_range", {"min": self.min, "max": self.max, "unit": self.unit, "value": value})
        return Ok(value)


UNIT_WORDS = 4  # "15 thành viên chính thức"; more words after a number make a sentence


def _a_unit(words: str) -> bool:
    """Whether the words after a number read as its unit, not as the rest of a question."""
    said = tokens(words)
    return len(said) <= UNIT_WORDS and not (said and said[-1] in interpret.question_ends())


@dataclass
class Money(Kind):
    """An amount in VND within bounds, in any of the ways farmers write it."""

    min: int = 0
    max: int = 10**13

    def parse(self, text: str, ctx: Any) -> Result:
        value = parse_money(text)
        if value is None:
            return Invalid("money")
        if not self.min <= value <= self.max:
            return Invalid("money_range", {"min": self.min, "max": self.max, "value": value})
        return Ok(value)

    def describe(self, value: Any, ctx: Any) -> str:
        from flows.engine.formatting import vnd

        return vnd(value) if value is not None else ""


@dataclass
class Month(Kind):
    """A month such as '10/2026', 'tháng 10' or 't10/2026', never in the future unless allowed; a
    "yes" ('đúng', 'ok') takes the month suggested, when one is (a subclass's options)."""

    allow_future: bool = False

    def parse(self, text: str, ctx: Any) -> Result:
        suggested = self.options(ctx)
        if len(suggested) == 1 and means(text, "yes_words"):
            return self.from_button(suggested[0].id, ctx)
        value = parse_month(text, ctx.today)
        if value is None:
            return Invalid("month")
        if not self.allow_future and value > ctx.today.strftime("%Y-%m"):
            return Invalid("month_future")
        return Ok(value)

    def describe(self, value: Any, ctx: Any) -> str:
        if not value:
            return ""
        year, month = value.split("-")
        return f"{int(month):02d}/{year}"


@dataclass
class Text(Kind):
    """Free text up to a length. A sentence typed here is first tried as a question (a name, a note
    is not one) unless the question is `open_ended`: a question box, an announcement, an answer."""

    max_len: int = 1000
    min_len: int = 1
    open_ended: bool = False

    def parse(self, text: str, ctx: Any) -> Result:
        cleaned = text.strip()
        if len(cleaned) < self.min_len:
            return Invalid("text_short", {"min": self.min_len})
        if len(cleaned) > self.max_len:
            return Invalid("text_long", {"max": self.max_len, "length": len(cleaned)})
        return Ok(cleaned)
