"""The nearest way to meet a failed condition: of an 'any', the option with the fewest unmet parts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flows.eligibility.logic import Resolve, truth
from flows.eligibility.schema import All, AnyOf, Compare, Condition, Not, SameAs

Cost = tuple[int, float, int]  # (parts known to fail, how far the failed numbers are, parts unknown)


def cost(cond: Condition | None, facts: Mapping[str, Any], today: dt.date, resolve: Resolve) -> Cost:
    """How far a condition is from true: failed and unknown comparisons on the cheapest path."""
    verdict = truth(cond, facts, today, resolve)
    if verdict is True or cond is None:
        return (0, 0.0, 0)
    if isinstance(cond, All):
        parts = [cost(c, facts, today, resolve) for c in cond.all]
        return (sum(p[0] for p in parts), sum(p[1] for p in parts), sum(p[2] for p in parts))
    if isinstance(cond, AnyOf):
        return min(cost(c, facts, today, resolve) for c in cond.any)
    if isinstance(cond, SameAs):
        return cost(resolve(cond.same_as), facts, today, resolve)
    if verdict is None:
        return (0, 0.0, 1)
    return (1, _gap(cond, facts), 0)  # a failed comparison or 'not'


def _gap(cond: Condition, facts: Mapping[str, Any]) -> float:
    """How far a failed number is from its threshold (3% for ≥ 5%: 0.4); 1 for anything else."""
    if isinstance(cond, Compare) and _numeric(cond) and cond.value:
        return min(1.0, abs(cond.value - facts[cond.fact]) / abs(cond.value))
    return 1.0


def _numeric(cond: Compare) -> bool:
    return cond.other is None and cond.months_ago is None and isinstance(cond.value, int | float) \
        and not isinstance(cond.value, bool)


def nearest(cond: Condition, facts: Mapping[str, Any], today: dt.date, resolve: Resolve) -> Condition:
    """The option of a failed 'any' that is closest to being met (the first of equals); else `cond` itself."""
    if not isinstance(cond, AnyOf):
        return cond
    return min(cond.any, key=lambda c: cost(c, facts, today, resolve))


def shortfalls(cond: Condition, facts: Mapping[str, Any], today: dt.date, resolve: Resolve) -> list[Compare]:
    """The numeric comparisons inside `cond` that fail on a known value (to show "hiện 3%, cần từ 5%")."""
    found: list[Compare] = []
    stack: list[Condition | None] = [cond]
    while stack:
        node = stack.pop()
        if isinstance(node, Compare):
            if _numeric(node) and truth(node, facts, today, resolve) is False:
                found.append(node)
        elif isinstance(node, All):
            stack.extend(reversed(node.all))
        elif isinstance(node, AnyOf):
            stack.extend(reversed(node.any))
        elif isinstance(node, Not):
            stack.append(node.not_)
        elif isinstance(node, SameAs):
            stack.append(resolve(node.same_as))
    return found
