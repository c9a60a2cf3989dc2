"""Three-valued (Kleene) truth of rule conditions: True, False, or None for unknown."""

from __future__ import annotations

import calendar
import datetime as dt
import operator
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from flows.eligibility.schema import All, AnyOf, Compare, Condition, Not, SameAs

Tri = bool | None
Resolve = Callable[[str], Condition | None]

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": lambda a, b: a in b,
    "not_in": lambda a, b: a not in b,
}


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (clamped to the month's end: 31/03 - 1 -> 28/02)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def kleene_all(values: Iterator[Tri]) -> Tri:
    """False if any is false; else unknown if any is unknown; else true."""
    result: Tri = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


def kleene_any(values: Iterator[Tri]) -> Tri:
    """True if any is true; else unknown if any is unknown; else false."""
    result: Tri = False
    for value in values:
        if value is True:
            return True
        if value is None:
            result = None
    return result


def truth(cond: Condition | None, facts: Mapping[str, Any], today: dt.date, resolve: Resolve) -> Tri:
    """The truth of a condition given known facts (missing or None = unknown) as of `today`."""
    if cond is None:
        return True
    if cond.forms is None:
        return _truth(cond, facts, today, resolve)
    form = facts.get("form")  # a condition bound to some forms: (form not in forms) or condition
    if form is not None and form not in cond.forms:
        return True
    inner = _truth(cond, facts, today, resolve)
    return None if inner is False and form is None else inner


def _truth(cond: Condition, facts: Mapping[str, Any], today: dt.date, resolve: Resolve) -> Tri:
    if isinstance(cond, Compare):
        left = facts.get(cond.fact)
        if left is None:
            return None
        if cond.other is not None:
            right = facts.get(cond.other)
            if right is None:
                return None
        elif cond.months_ago is not None:
            right = months_before(today, cond.months_ago)
        else:
            right = cond.value
        return _OPS[cond.op](left, right)
    if isinstance(cond, All):
        return kleene_all(truth(c, facts, today, resolve) for c in cond.all)
    if isinstance(cond, AnyOf):
        return kleene_any(truth(c, facts, today, resolve) for c in cond.any)
    if isinstance(cond, Not):
        inner = truth(cond.not_, facts, today, resolve)
        return None if inner is None else not inner
    if isinstance(cond, SameAs):
        return truth(resolve(cond.same_as), facts, today, resolve)
    raise TypeError(f"not a condition: {cond!r}")


def children(cond: Condition, resolve: Resolve) -> tuple[Condition, ...]:
    """The direct sub-conditions of a condition (a same_as counts as its target's condition)."""
    if isinstance(cond, All):
        return cond.all
    if isinstance(cond, AnyOf):
        return cond.any
    if isinstance(cond, Not):
        return (cond.not_,)
    if isinstance(cond, SameAs):
        target = resolve(cond.same_as)
        return () if target is None else (target,)
    return ()


def nodes(cond: Condition | None, resolve: Resolve) -> Iterator[Condition]:
    """Every node of a condition tree, depth first (same_as followed)."""
    if cond is None:
        return
    yield cond
    for child in children(cond, resolve):
        yield from nodes(child, resolve)


def comparisons(cond: Condition | None, resolve: Resolve) -> Iterator[Compare]:
    """Every comparison inside a condition, depth first."""
    return (node for node in nodes(cond, resolve) if isinstance(node, Compare))


def facts_used(cond: Condition | None, resolve: Resolve) -> list[str]:
    """The fact ids a condition reads, in first-use order, without repeats."""
    seen: dict[str, None] = {}
    for node in nodes(cond, resolve):
        if node.forms is not None:
            seen.setdefault("form", None)
        if isinstance(node, Compare):
            seen.setdefault(node.fact, None)
            if node.other is not None:
                seen.setdefault(node.other, None)
    return list(seen)


def open_facts(cond: Condition | None, facts: Mapping[str, Any], today: dt.date, resolve: Resolve) -> list[str]:
    """The unknown facts on which an unknown condition still hangs (parts already decided are skipped)."""
    found: dict[str, None] = {}
    _open(cond, facts, today, resolve, found)
    return list(found)


def _open(cond: Condition | None, facts: Mapping[str, Any], today: dt.date, resolve: Resolve, found: dict) -> None:
    if cond is None or truth(cond, facts, today, resolve) is not None:
        return
    if cond.forms is not None and facts.get("form") is None:
        found.setdefault("form", None)
        if _truth(cond, facts, today, resolve) is False:
            return  # only the form is open: the condition fails for the forms it binds
    if isinstance(cond, Compare):
        for fact_id in (cond.fact, cond.other):
            if fact_id is not None and facts.get(fact_id) is None:
                found.setdefault(fact_id, None)
        return
    # an unknown 'all' has no false item and an unknown 'any' no true one: its open items decide
    for child in children(cond, resolve):
        _open(child, facts, today, resolve, found)
