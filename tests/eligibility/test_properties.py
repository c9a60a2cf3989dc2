"""Properties over many cooperatives: order does not matter, answers only settle, questions are useful and end."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.eligibility import Outcome, evaluate, load_facts, load_programmes, next_question
from flows.eligibility.load import resolver
from flows.eligibility.outcome import judge
from flows.eligibility.questions import candidates, facts_of

DAYS = [dt.date(2019, 6, 1), dt.date(2021, 2, 2), dt.date(2024, 10, 31), dt.date(2024, 11, 1),
        dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2026, 11, 22)]
DATES = [dt.date(2015, 3, 1), dt.date(2023, 10, 22), dt.date(2023, 11, 21), dt.date(2023, 11, 22), dt.date(2025, 6, 1)]


def _values(fact):
    return {
        "bool": st.booleans(),
        "int": st.integers(0, 400),
        "money": st.sampled_from([0, 999_999_999, 1_000_000_000, 10_000_000_000, 50_000_000_000]),
        "percent": st.sampled_from([0.0, 4.9, 5.0, 5.1, 30.0]),
        "date": st.sampled_from(DATES),
        "choice": st.sampled_from([c.id for c in fact.choices]),
        "province": st.sampled_from([1, 4, 79, 86, 92]),
    }[fact.type]


FACTS = st.fixed_dictionaries({}, optional={f.id: _values(f) for f in load_facts().values()})
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _outcomes(facts, today):
    return {r.programme.id: r.outcome for r in evaluate(facts, today).results}


@SETTINGS
@given(facts=FACTS, today=st.sampled_from(DAYS), seed=st.randoms(use_true_random=False))
def test_the_order_facts_are_given_in_never_changes_the_outcome(facts, today, seed):
    items = list(facts.items())
    seed.shuffle(items)
    assert _outcomes(dict(items), today) == _outcomes(facts, today)


# All three say "this programme is not for you": the answer stays "no" whatever is learned later, but
# the reason named may become a more basic one (a failed condition, then: not for this form at all).
_NOT_FOR_YOU = {Outcome.NOT_FOR_THIS_FORM: "not_for_you", Outcome.NOT_IN_AREA: "not_for_you",
                Outcome.NOT_ELIGIBLE: "not_for_you"}


@SETTINGS
@given(facts=FACTS, more=FACTS, today=st.sampled_from(DAYS))
def test_a_decided_outcome_stays_decided_whatever_is_learned_later(facts, more, today):
    before = _outcomes(facts, today)
    after = _outcomes({**more, **facts}, today)
    for programme_id, outcome in before.items():
        if outcome is not Outcome.POSSIBLY:
            now = after[programme_id]
            assert _NOT_FOR_YOU.get(now, now) == _NOT_FOR_YOU.get(outcome, outcome), programme_id


def _witness(programme, fact_id, facts, today, rng, tries=500):
    """Some answers to other questions (none, first) after which an answer to this one changes the outcome."""
    resolve = resolver()
    known = load_facts()
    others = [f for f in facts_of(programme, resolve) if f != fact_id and f not in facts]
    for attempt in range(tries):
        trial = dict(facts)
        for other in others if attempt else ():
            values = candidates(known[other], programme, trial, today, resolve)
            if values and rng.random() < 0.5:
                trial[other] = rng.choice(values)
        before = judge(programme, trial, today, resolve).outcome
        if before is not Outcome.POSSIBLY:
            continue
        for value in candidates(known[fact_id], programme, trial, today, resolve):
            if judge(programme, {**trial, fact_id: value}, today, resolve).outcome is not before:
                return True
    return False


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=FACTS, today=st.sampled_from(DAYS))
def test_the_next_question_is_unknown_and_can_change_an_undecided_outcome(facts, today):
    fact_id = next_question(load_programmes(), facts, today)
    if fact_id is None:
        return
    assert fact_id not in facts
    resolve = resolver()
    undecided = [p for p in load_programmes() if judge(p, facts, today, resolve).outcome is Outcome.POSSIBLY]
    rng = random.Random(0)
    assert any(_witness(p, fact_id, facts, today, rng) for p in undecided), fact_id


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=FACTS, today=st.sampled_from(DAYS), data=st.data())
def test_answering_the_questions_ends_with_every_answerable_programme_decided(answers, today, data):
    facts: dict = {}
    known = load_facts()
    for _ in range(len(known) + 1):
        fact_id = next_question(load_programmes(), facts, today)
        if fact_id is None:
            break
        assert fact_id not in facts
        facts[fact_id] = answers.get(fact_id, data.draw(_values(known[fact_id])))
    else:
        raise AssertionError("the questions did not end")
    for result in evaluate(facts, today).results:
        assert result.outcome is not Outcome.POSSIBLY or result.unknown == (), result.programme.id
