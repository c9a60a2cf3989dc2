"""Evaluating every programme (and the size class) for one cooperative's facts as of a given date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flows.eligibility.load import load_facts, load_programmes, resolver
from flows.eligibility.outcome import Outcome, judge
from flows.eligibility.questions import settling_facts
from flows.eligibility.schema import Condition, Fact, Programme
from flows.eligibility.size import SizeResult, size_class


@dataclass(frozen=True, slots=True)
class Result:
    """One programme's outcome; `failing` names the failed conditions, `unknown` what would settle it."""

    programme: Programme
    outcome: Outcome
    failing: tuple[Condition, ...] = ()
    unknown: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Every programme's result for one set of facts on one day, with the informative size class."""

    today: dt.date
    facts: Mapping[str, Any]
    results: tuple[Result, ...]
    size: SizeResult

    def outcome(self, programme_id: str) -> Outcome:
        """The outcome of one programme by id."""
        return self.result(programme_id).outcome

    def result(self, programme_id: str) -> Result:
        """The result of one programme by id."""
        for result in self.results:
            if result.programme.id == programme_id:
                return result
        raise KeyError(programme_id)


def _coerce(fact: Fact, value: Any) -> Any:
    if value is None:
        return None
    if fact.type == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"fact {fact.id}: expected true/false, got {value!r}")
        return value
    if fact.type == "date":
        return dt.date.fromisoformat(value) if isinstance(value, str) else value
    if fact.type == "percent":
        return float(value)
    if fact.type in ("int", "money", "province"):
        if isinstance(value, bool) or int(value) != value:
            raise ValueError(f"fact {fact.id}: expected a whole number, got {value!r}")
        value = int(value)
    if fact.type in ("choice", "province") and value not in fact.choice_ids():
        raise ValueError(f"fact {fact.id}: {value!r} is not one of its choices")
    return value


def coerce_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Check fact ids and value types against content/facts.yaml; None values are dropped (unknown)."""
    known = load_facts()
    unknown_ids = set(facts) - set(known)
    if unknown_ids:
        raise ValueError(f"unknown fact ids: {sorted(unknown_ids)}")
    coerced = {k: _coerce(known[k], v) for k, v in facts.items()}
    return {k: v for k, v in coerced.items() if v is not None}


def evaluate(
    facts: Mapping[str, Any], today: dt.date, programmes: Iterable[Programme] | None = None
) -> Evaluation:
    """Every programme's outcome for these facts as of `today` (the clock is never read here)."""
    programmes = load_programmes() if programmes is None else tuple(programmes)
    facts = coerce_facts(facts)
    resolve = resolver(programmes)
    results = []
    for programme in programmes:
        verdict = judge(programme, facts, today, resolve)
        unknown = settling_facts(programme, facts, today, resolve) if verdict.outcome is Outcome.POSSIBLY else []
        results.append(Result(programme, verdict.outcome, verdict.failing, tuple(unknown)))
    return Evaluation(today, facts, tuple(results), size_class(facts, today))
