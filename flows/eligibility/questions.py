"""Which unknown fact to ask next: the one whose answer can settle the most undecided programmes.

A fact counts for a programme while the programme is undecided and the fact lies on an open
path of its rule: an unknown condition none of whose decided parts already settle it (Kleene
logic skips an 'all' item that is true, an 'any' item that is false, a form-bound part another
form passes). `candidates` lists real values of a fact at and beside each threshold, for tests
and tools that try values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from flows.eligibility.load import load_facts, resolver
from flows.eligibility.logic import Resolve, comparisons, facts_used, months_before, open_facts
from flows.eligibility.outcome import Outcome, area_truth, form_truth, judge
from flows.eligibility.schema import Compare, Fact, Programme

_DAY = dt.timedelta(days=1)


def facts_of(programme: Programme, resolve: Resolve) -> list[str]:
    """Every fact a programme's outcome can depend on: form, area, then its conditions."""
    ids: dict[str, None] = {}
    if form_truth(programme, {}) is not True:
        ids["form"] = None
    if programme.level == "province" and programme.area.province_code is not None:
        ids["province_code"] = None
        if programme.area.confirm_fact:
            ids[programme.area.confirm_fact] = None
    ids.update(dict.fromkeys(facts_used(programme.requires, resolve)))
    return list(ids)


def _near(fact: Fact, centre: Any) -> list[Any]:
    """A threshold and its neighbours, kept within the fact's bounds."""
    if fact.type == "date":
        return [centre - _DAY, centre, centre + _DAY]
    step = 0.1 if fact.type == "percent" else 1
    values = [centre - step, centre, centre + step]
    lo = fact.min if fact.min is not None else float("-inf")
    hi = fact.max if fact.max is not None else float("inf")
    return [v for v in values if lo <= v <= hi]


def candidates(
    fact: Fact, programme: Programme, facts: Mapping[str, Any], today: dt.date, resolve: Resolve
) -> list[Any]:
    """Possible values of a fact worth trying for one programme."""
    if fact.type == "bool":
        return [True, False]
    if fact.type == "choice":
        return list(fact.choice_ids())
    if fact.type == "province":
        own = programme.area.province_code
        return [own, next(c for c in fact.choice_ids() if c != own)] if own is not None else []
    values: list[Any] = []
    for comp in comparisons(programme.requires, resolve):
        values.extend(_around(comp, fact, facts, today))
    return values


def _around(comp: Compare, fact: Fact, facts: Mapping[str, Any], today: dt.date) -> list[Any]:
    if fact.id not in (comp.fact, comp.other):
        return []
    if comp.other is None:
        right = months_before(today, comp.months_ago) if comp.months_ago is not None else comp.value
        centres = right if isinstance(right, list | tuple) else [right]
    else:
        partner = comp.other if comp.fact == fact.id else comp.fact
        known = facts.get(partner)
        if known is not None:
            centres = [known]
        else:  # the partner is unknown: values near the fact's own bounds (0, 1, 2 members …)
            centres = [b for b in (fact.min, fact.max) if b is not None]
            centres += [fact.min + 1] if fact.min is not None else []
    return [v for c in centres for v in _near(fact, c)]


def settling_facts(
    programme: Programme, facts: Mapping[str, Any], today: dt.date, resolve: Resolve
) -> list[str]:
    """The unknown facts whose answer could settle an undecided programme (empty once decided)."""
    if judge(programme, facts, today, resolve).outcome is not Outcome.POSSIBLY:
        return []
    found: dict[str, None] = {}
    if form_truth(programme, facts) is None:
        found["form"] = None
    if area_truth(programme, facts) is None and programme.area.province_code is not None:
        for fact_id in ("province_code", programme.area.confirm_fact):
            if fact_id is not None and facts.get(fact_id) is None:
                found.setdefault(fact_id, None)
    found.update(dict.fromkeys(open_facts(programme.requires, facts, today, resolve)))
    return list(found)


def next_question(
    programmes: Iterable[Programme], facts: Mapping[str, Any], today: dt.date
) -> str | None:
    """The unknown fact that can settle the most undecided programmes; None when no answer can change any."""
    programmes = tuple(programmes)
    resolve = resolver(programmes)
    counts: dict[str, int] = {}
    for programme in programmes:
        for fact_id in settling_facts(programme, facts, today, resolve):
            counts[fact_id] = counts.get(fact_id, 0) + 1
    if not counts:
        return None
    order = {fact_id: i for i, fact_id in enumerate(load_facts())}
    return max(counts, key=lambda f: (counts[f], -order[f]))
