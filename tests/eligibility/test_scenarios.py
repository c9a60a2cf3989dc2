"""The YAML cases in cases/: each names a situation, a date, the facts, and the outcome per programme."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from flows.eligibility import evaluate, size_class, summary
from flows.eligibility.explain import describe

CASES = Path(__file__).parent / "cases"


def _cases():
    for path in sorted(CASES.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            yield pytest.param(case, id=f"{path.stem}: {case['name']}")


@pytest.mark.parametrize("case", list(_cases()))
def test_case(case):
    evaluation = evaluate(case["facts"], case["date"])
    for programme_id, outcome in case.get("expect", {}).items():
        assert evaluation.outcome(programme_id) == outcome, programme_id
    if "failing" in case:
        for programme_id, outcome in case["expect"].items():
            if outcome == "not_eligible":
                result = evaluation.result(programme_id)
                texts = [describe(c, result.programme.reference) for c in result.failing]
                assert any(case["failing"] in t for t in texts), texts
    if "unknown" in case:
        for programme_id, outcome in case["expect"].items():
            if outcome == "possibly":
                assert set(case["unknown"]) <= set(evaluation.result(programme_id).unknown)
                if not case["unknown"]:
                    assert evaluation.result(programme_id).unknown == ()
    if "size" in case:
        size = size_class(case["facts"], case["date"])
        assert (size.known.id if size.known else None) == case["size"]
    if "size_possible" in case:
        size = size_class(case["facts"], case["date"])
        assert [c.id for c in size.possible] == case["size_possible"]
        assert size.known is None
    assert summary(evaluation)  # every case also renders
