"""Kleene's three values, the forms a condition binds, and calendar months."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.eligibility.logic import months_before, truth
from flows.eligibility.schema import All, AnyOf, Compare, Not

T, F, U = True, False, None
TODAY = dt.date(2026, 11, 22)


def _leaf(name):
    return Compare(fact=name, value=True)


def _facts(a, b):
    return {k: v for k, v in (("registered", a), ("training_proof", b)) if v is not None}


def _nothing(_):
    raise AssertionError("no same_as here")


@pytest.mark.parametrize(
    "a,b,all_,any_",
    [
        (T, T, T, T), (T, F, F, T), (T, U, U, T),
        (F, T, F, T), (F, F, F, F), (F, U, F, U),
        (U, T, U, T), (U, F, F, U), (U, U, U, U),
    ],
)
def test_all_and_any_follow_kleene(a, b, all_, any_):
    items = (_leaf("registered"), _leaf("training_proof"))
    facts = _facts(a, b)
    assert truth(All(all=items), facts, TODAY, _nothing) is all_
    assert truth(AnyOf(any=items), facts, TODAY, _nothing) is any_


@pytest.mark.parametrize("a,expected", [(T, F), (F, T), (U, U)])
def test_not_keeps_unknown_unknown(a, expected):
    assert truth(Not(**{"not": _leaf("registered")}), _facts(a, None), TODAY, _nothing) is expected


def test_a_condition_bound_to_tho_hop_tac_passes_other_forms_and_waits_for_the_form():
    cond = Compare(fact="registered", value=True, forms=("to_hop_tac",))
    assert truth(cond, {"form": "hop_tac_xa", "registered": False}, TODAY, _nothing) is True
    assert truth(cond, {"form": "to_hop_tac", "registered": False}, TODAY, _nothing) is False
    assert truth(cond, {"registered": False}, TODAY, _nothing) is None
    assert truth(cond, {"registered": True}, TODAY, _nothing) is True


def test_months_ago_compares_with_the_same_day_n_months_earlier():
    within = Compare(fact="founded_on", op=">=", months_ago=36)
    assert truth(within, {"founded_on": dt.date(2023, 11, 22)}, TODAY, _nothing) is True
    assert truth(within, {"founded_on": dt.date(2023, 11, 21)}, TODAY, _nothing) is False


@pytest.mark.parametrize(
    "day,months,expected",
    [
        (dt.date(2026, 11, 22), 36, dt.date(2023, 11, 22)),
        (dt.date(2026, 3, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2024, 3, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2026, 1, 15), 13, dt.date(2024, 12, 15)),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected
