"""The outcome of one programme for one cooperative as of a date (dates, form, area, then conditions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flows.eligibility.logic import Resolve, Tri, kleene_all, truth
from flows.eligibility.schema import FORMS, All, AnyOf, Compare, Condition, Not, Programme, SameAs


class Outcome(StrEnum):
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    POSSIBLY = "possibly"
    ENDED = "ended"
    NOT_STARTED = "not_started"
    NOT_IN_AREA = "not_in_area"
    NOT_FOR_THIS_FORM = "not_for_this_form"


DECIDED = frozenset(Outcome) - {Outcome.POSSIBLY}


@dataclass(frozen=True, slots=True)
class Verdict:
    """An outcome and, when not eligible, the conditions that failed."""

    outcome: Outcome
    failing: tuple[Condition, ...] = ()


def form_truth(programme: Programme, facts: Mapping[str, Any]) -> Tri:
    """Whether the cooperative's form may receive the programme (always true when every form may)."""
    if set(programme.applies_to) == set(FORMS):
        return True
    form = facts.get("form")
    return None if form is None else form in programme.applies_to


def area_truth(programme: Programme, facts: Mapping[str, Any]) -> Tri:
    """Whether the cooperative lies in the programme's area (province, and former province if any)."""
    area = programme.area
    if programme.level == "national":
        return True
    if area.province_code is None:  # the source does not say which province: cannot be settled
        return None
    code = facts.get("province_code")
    in_province = None if code is None else code == area.province_code
    in_former = True if area.confirm_fact is None else facts.get(area.confirm_fact)
    return kleene_all(iter((in_province, in_former)))


def judge(programme: Programme, facts: Mapping[str, Any], today: dt.date, resolve: Resolve) -> Verdict:
    """The outcome of a programme: dates first (an ended programme is never eligible), then form, area, conditions."""
    if today < programme.valid.from_:
        return Verdict(Outcome.NOT_STARTED)
    if programme.valid.to is not None and today > programme.valid.to:
        return Verdict(Outcome.ENDED)
    form = form_truth(programme, facts)
    if form is False:
        return Verdict(Outcome.NOT_FOR_THIS_FORM)
    area = area_truth(programme, facts)
    if area is False:
        return Verdict(Outcome.NOT_IN_AREA)
    requires = truth(programme.requires, facts, today, resolve)
    if requires is False:
        return Verdict(Outcome.NOT_ELIGIBLE, tuple(failing(programme.requires, facts, today, resolve)))
    if form and area and requires:
        return Verdict(Outcome.ELIGIBLE)
    return Verdict(Outcome.POSSIBLY)


def failing(cond: Condition | None, facts: Mapping[str, Any], today: dt.date, resolve: Resolve) -> list[Condition]:
    """The conditions to name when `cond` is false: worded nodes, comparisons, or the 'any'/'not' that failed."""
    if cond is None or truth(cond, facts, today, resolve) is not False:
        return []
    if cond.says or isinstance(cond, Compare | AnyOf | Not):
        return [cond]
    if isinstance(cond, SameAs):
        return failing(resolve(cond.same_as), facts, today, resolve)
    assert isinstance(cond, All)
    return [node for child in cond.all for node in failing(child, facts, today, resolve)]
