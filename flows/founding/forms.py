"""The three forms (tổ hợp tác, HTX, liên hiệp HTX) and the guide's questions, loaded from content/founding/.

Minimums encode Luật Hợp tác xã 2023, Điều 4 khoản 7, 8 and 21; the capital caps Điều 74; foreign
official members Điều 30 khoản 7 and Điều 34 khoản 6. Each rule's citation is in forms.yaml.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from flows.engine.content import load_yaml, render
from flows.engine.law import Citation
from flows.founding.finding import citations, source


@dataclass(frozen=True, slots=True)
class Form:
    """One form of the collective economy with its minimum membership, capital caps and sources."""

    id: str
    label: str
    name_prefix: str
    name_aliases: tuple[str, ...]
    min_members: int
    member_noun: str
    founded_by: str
    legal_entity: bool
    max_single_share_pct: int | None
    max_associate_total_pct: int | None
    reference: tuple[Citation, ...]  # of the minimum members
    foreign_members_reference: tuple[Citation, ...] = ()  # foreign official members < 35 % of the number

    @property
    def source(self) -> str:
        """The source of the minimum members, in Vietnamese."""
        return source(self.reference)


@dataclass(frozen=True, slots=True)
class Choice:
    """A button of a question: a stable id, a Vietnamese label, other typed forms, an optional value."""

    id: str
    label: str
    value: Any = None
    aliases: tuple[str, ...] = ()
    only_forms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Question:
    """One question of the founding guide, as data the flow engine reads."""

    step: str
    template: str
    kind: str
    save_as: str
    choices: tuple[Choice, ...] = ()
    only_forms: tuple[str, ...] = ()
    done: Choice | None = None
    min: int | None = None
    max: int | None = None

    def applies(self, answers: dict[str, Any]) -> bool:
        """Whether the question is asked for the answers so far (some are for some forms only)."""
        return not self.only_forms or answers.get("form") in self.only_forms

    def choices_for(self, answers: dict[str, Any]) -> tuple[Choice, ...]:
        """The choices offered for the answers so far (some are for some forms only)."""
        return tuple(c for c in self.choices if not c.only_forms or answers.get("form") in c.only_forms)


def _load_forms() -> dict[str, Form]:
    forms = {}
    for raw in load_yaml("founding/forms.yaml")["forms"]:
        raw = dict(raw)
        foreign = raw.pop("foreign_members", None) or {}
        forms[raw["id"]] = Form(
            **raw | {"name_aliases": tuple(raw.get("name_aliases", ())), "reference": citations(raw["reference"])},
            foreign_members_reference=citations(foreign.get("reference")),
        )
    return forms


FORMS: dict[str, Form] = _load_forms()


@functools.cache
def rule(name: str) -> dict[str, Any]:
    """A rule of forms.yaml `rules` (single_share, foreign_total, capital, …), its `reference` as citations."""
    raw = dict(load_yaml("founding/forms.yaml")["rules"][name])
    return raw | {"reference": citations(raw.get("reference"))}


def law_name() -> str:
    """The law the forms come from, as the comparison's title names it."""
    return load_yaml("founding/forms.yaml")["law"]


def _choices(raw: list[dict[str, Any]]) -> tuple[Choice, ...]:
    return tuple(
        Choice(c["id"], c["label"], c.get("value", c["id"]), tuple(c.get("aliases", ())), tuple(c.get("only_forms", ())))
        for c in raw
    )


@functools.cache
def sectors() -> dict[str, dict[str, Any]]:
    """Sector id -> its entry in sectors.yaml (label, aliases, and `conditional` when it has own conditions)."""
    return {s["id"]: s for s in load_yaml("founding/sectors.yaml")["sectors"]}


@functools.cache
def questions() -> tuple[Question, ...]:
    """All questions of the guide in the order they are asked."""
    result = []
    for raw in load_yaml("founding/questions.yaml")["questions"]:
        choices = raw.get("choices") or []
        if "choices_from" in raw:
            choices = load_yaml(raw["choices_from"])["sectors"]
        done = raw.get("done")
        result.append(
            Question(
                step=raw["step"],
                template=raw["template"],
                kind=raw["kind"],
                save_as=raw["save_as"],
                choices=_choices(choices),
                only_forms=tuple(raw.get("only_forms", ())),
                done=Choice(done["id"], done["label"]) if done else None,
                min=raw.get("min"),
                max=raw.get("max"),
            )
        )
    return tuple(result)


def next_question(answers: dict[str, Any]) -> Question | None:
    """The first question that applies to these answers and has no answer yet; None when all are in."""
    for question in questions():
        if not question.applies(answers):
            continue
        answered = question.save_as in answers
        if question.save_as == "form":
            answered = answers.get("form") in FORMS  # "chua_ro" asks again after the comparison
        if not answered:
            return question
    return None


def render_forms_comparison(channel: str | None = None) -> str:
    """The three forms side by side (minimum, basis, legal personality, capital caps), each with its source."""
    where = load_yaml("founding/where.yaml")["office"]
    forms = [
        {
            "label": f.label,
            "min_members": f.min_members,
            "member_noun": f.member_noun,
            "founded_by": f.founded_by,
            "legal_entity": f.legal_entity,
            "source": f.source,
        }
        for f in FORMS.values()
    ]
    capped = [f for f in FORMS.values() if f.max_single_share_pct]
    caps = {"single": [f.max_single_share_pct for f in capped], "associate": [f.max_associate_total_pct for f in capped]}
    foreign = {"max_total_pct": rule("foreign_total")["max_pct"], "members_below_pct": rule("foreign_members")["below_pct"]}
    office = {"label": where["label"], "source": source(citations(where["reference"]))}
    return render(
        "founding/forms_comparison.j2", channel, law=law_name(), forms=forms, caps=caps, foreign=foreign, office=office
    )
