"""Putting rules and results into plain Vietnamese through the templates of content/templates/eligibility/."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flows.eligibility.load import load_facts, programme_by_id, resolver
from flows.eligibility.logic import Resolve
from flows.eligibility.outcome import Outcome
from flows.eligibility.schema import FORMS, All, AnyOf, Compare, Condition, Not, Programme, SameAs
from flows.engine.content import render
from flows.engine.law import Citation, format_citation, registry

_BLANK_LINES = re.compile(r"\n\s*\n(\s*\n)+")
OUTCOME_ORDER = (
    Outcome.ELIGIBLE,
    Outcome.POSSIBLY,
    Outcome.NOT_ELIGIBLE,
    Outcome.NOT_FOR_THIS_FORM,
    Outcome.NOT_IN_AREA,
    Outcome.NOT_STARTED,
    Outcome.ENDED,
)


def _form_labels(forms: tuple[str, ...] | None) -> list[str]:
    labels = {c.id: c.label for c in load_facts()["form"].choices}
    return [labels[f] for f in forms or ()]


def node_view(cond: Condition, reference: tuple[Citation, ...], resolve: Resolve) -> dict[str, Any]:
    """A condition as plain data for the templates (labels from facts.yaml, citations inherited)."""
    reference = cond.reference or reference
    view: dict[str, Any] = {
        "says": cond.says,
        "hint": cond.hint,
        "reference": format_citation(reference),
        "unverified": cond.unverified,
        "forms": _form_labels(cond.forms),
    }
    if isinstance(cond, Compare):
        fact = load_facts()[cond.fact]
        choices = {c.id: c.label for c in fact.choices}
        values = cond.value if isinstance(cond.value, list | tuple) else [cond.value]
        view.update(
            kind="compare",
            type=fact.type,
            label=fact.label,
            label_false=fact.label_false or fact.label,
            op=cond.op,
            value=cond.value,
            value_labels=[choices.get(v, v) for v in values],
            other_label=load_facts()[cond.other].label if cond.other else None,
            months_ago=cond.months_ago,
        )
    elif isinstance(cond, All | AnyOf | Not):
        kind = {All: "all", AnyOf: "any", Not: "not"}[type(cond)]
        view.update(kind=kind, items=[node_view(c, reference, resolve) for c in _items(cond)])
    elif isinstance(cond, SameAs):
        target = programme_by_id(cond.same_as)
        inner = resolve(cond.same_as)
        items = [] if inner is None else [node_view(inner, target.reference, resolve)]
        view.update(kind="same_as", target=target.name, items=items)
    return view


def _items(cond: All | AnyOf | Not) -> tuple[Condition, ...]:
    if isinstance(cond, All):
        return cond.all
    if isinstance(cond, AnyOf):
        return cond.any
    return (cond.not_,)


def describe(cond: Condition, reference: tuple[Citation, ...], resolve: Resolve | None = None) -> str:
    """One condition in a line of plain Vietnamese."""
    node = node_view(cond, reference, resolve or resolver())
    return render("eligibility/condition.j2", node=node)


def programme_view(programme: Programme, resolve: Resolve) -> dict[str, Any]:
    """A programme as plain data for the templates."""
    return {
        "p": programme,
        "text": registry().get(programme.text),
        "reference": format_citation(programme.reference),
        "references": [format_citation(c) for c in programme.references],
        "forms": _form_labels(programme.applies_to),
        "all_forms": set(programme.applies_to) == set(FORMS),
        "rule": node_view(programme.requires, programme.reference, resolve) if programme.requires else None,
    }


def status(programme: Programme, day: dt.date) -> str:
    """Whether a programme runs on `day`: 'not_started', 'running' or 'ended'."""
    if day < programme.valid.from_:
        return "not_started"
    return "ended" if programme.valid.to is not None and day > programme.valid.to else "running"


def explain(programme_id: str, as_of: dt.date | None = None) -> str:
    """The rule of one programme in plain Vietnamese (who, where, when, conditions, benefits, sources),
    with its status and its texts' force as of `as_of` when given."""
    programme = programme_by_id(programme_id)
    view = programme_view(programme, resolver())
    if as_of is not None:
        texts = dict.fromkeys(c.text for c in (*programme.reference, *programme.references))
        view["as_of"] = {"day": as_of, "status": status(programme, as_of),
                         "texts": [(registry().get(t), registry().get(t).in_force(as_of)) for t in texts]}
    text = render("eligibility/explain.j2", **view)
    return _BLANK_LINES.sub("\n\n", text)
