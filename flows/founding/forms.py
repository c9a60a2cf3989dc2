"""The three forms (tổ hợp tác, HTX, liên hiệp HTX) and the guide's questions, loaded from content/founding/.

Minimums encode Luật Hợp tác xã 2023, Điều 4 khoản 7, 8 and 21; the capital caps are the ones
reported at the law's passage (article unverified, hedged to the user).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from flows.engine.content import load_yaml, render


@dataclass(frozen=True, slots=True)
class Form:
    """One form of the collective economy with its minimum membership and capital cap."""

    id: str
    label: str
    name_prefix: str
    name_aliases: tuple[str, ...]
    min_members: int
    member_noun: str
    founded_by: str
    legal_entity: bool
    members_reference: str
    max_single_share_pct: int | None


@dataclass(frozen=True, slots=True)
class Choice:
    """A button of a question: a stable id, a Vietnamese label and an optional value to save."""

    id: str
    label: str
    value: Any = None


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


def _load_forms() -> dict[str, Form]:
    data = load_yaml("founding/forms.yaml")
    forms = {}
    for raw in data["forms"]:
        raw = dict(raw, name_aliases=tuple(raw.get("name_aliases", ())))
        forms[raw["id"]] = Form(**raw)
    return forms


FORMS: dict[str, Form] = _load_forms()


def form_settings() -> dict[str, Any]:
    """The rest of forms.yaml: references and the foreign investors' cap."""
    return load_yaml("founding/forms.yaml")


def _choices(raw: list[dict[str, Any]]) -> tuple[Choice, ...]:
    return tuple(Choice(c["id"], c["label"], c.get("value", c["id"])) for c in raw)


@functools.cache
def sectors() -> dict[str, dict[str, Any]]:
    """Sector id -> its entry in sectors.yaml (label, and `conditional` when it has own conditions)."""
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
    """The three forms side by side (minimum, basis, legal personality, capital cap), each with its source."""
    settings = form_settings()
    office = load_yaml("founding/where.yaml")["office"]
    return render(
        "founding/forms_comparison.j2",
        channel=channel,
        law=settings["law"],
        forms=list(FORMS.values()),
        office=office,
    )
