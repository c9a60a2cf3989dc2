"""Putting rules and results into plain Vietnamese through the templates of content/templates/eligibility/."""

from __future__ import annotations

import re
from typing import Any

from flows.eligibility.evaluate import Evaluation, Result
from flows.eligibility.load import load_facts, load_programmes, programme_by_id, resolver
from flows.eligibility.logic import Resolve
from flows.eligibility.outcome import Outcome
from flows.eligibility.schema import FORMS, All, AnyOf, Compare, Condition, Not, Programme, SameAs
from flows.eligibility.size import SizeResult
from flows.engine.content import render

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


def node_view(cond: Condition, reference: str, resolve: Resolve) -> dict[str, Any]:
    """A condition as plain data for the templates (labels from facts.yaml, references inherited)."""
    reference = cond.reference or reference
    view: dict[str, Any] = {
        "says": cond.says,
        "reference": reference,
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


def describe(cond: Condition, reference: str, resolve: Resolve | None = None) -> str:
    """One condition in a line of plain Vietnamese."""
    node = node_view(cond, reference, resolve or resolver())
    return render("eligibility/condition.j2", node=node)


def programme_view(programme: Programme, resolve: Resolve) -> dict[str, Any]:
    """A programme as plain data for the templates."""
    return {
        "p": programme,
        "forms": _form_labels(programme.applies_to),
        "all_forms": set(programme.applies_to) == set(FORMS),
        "rule": node_view(programme.requires, programme.reference, resolve) if programme.requires else None,
    }


def explain(programme_id: str) -> str:
    """The rule of one programme in plain Vietnamese (who, where, when, conditions, benefits, sources)."""
    programme = programme_by_id(programme_id)
    text = render("eligibility/explain.j2", **programme_view(programme, resolver()))
    return _BLANK_LINES.sub("\n\n", text)


def _result_view(result: Result, resolve: Resolve) -> dict[str, Any]:
    programme = result.programme
    facts = load_facts()
    return {
        **programme_view(programme, resolve),
        "outcome": result.outcome.value,
        "failing": [
            {"text": describe(c, programme.reference, resolve), "reference": c.reference or programme.reference}
            for c in result.failing
        ],
        "questions": [facts[f].question for f in result.unknown],
    }


def _size_view(size: SizeResult) -> dict[str, Any]:
    return {
        "rule": size.rule,
        "applies": size.applies,
        "known": size.known.label if size.known else None,
        "possible": [c.label for c in size.possible],
    }


def render_result(evaluation: Evaluation) -> str:
    """The whole evaluation in Vietnamese, grouped by outcome, each line with its reference."""
    resolve = resolver(load_programmes())
    groups = {o.value: [] for o in OUTCOME_ORDER}
    for result in evaluation.results:
        groups[result.outcome.value].append(_result_view(result, resolve))
    text = render(
        "eligibility/result.j2",
        today=evaluation.today,
        groups=[(name, items) for name, items in groups.items() if items],
        size=_size_view(evaluation.size),
    )
    return _BLANK_LINES.sub("\n\n", text)
