"""The informative size class of a cooperative (Điều 5 Nghị định 113/2024/NĐ-CP), with unknowns kept open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flows.eligibility.load import load_classifications, resolver
from flows.eligibility.logic import Tri, truth
from flows.eligibility.schema import Classification, SizeClass


@dataclass(frozen=True, slots=True)
class SizeResult:
    """Which size classes remain possible; one class when the facts settle it."""

    rule: Classification
    applies: Tri  # whether the thresholds apply (they are those of agriculture)
    possible: tuple[SizeClass, ...]

    @property
    def known(self) -> SizeClass | None:
        """The size class when the facts settle it, else None."""
        return self.possible[0] if self.applies and len(self.possible) == 1 else None


def size_class(facts: Mapping[str, Any], today: dt.date | None = None) -> SizeResult:
    """The size classes still possible for these facts (the first class whose test is true wins)."""
    (rule,) = load_classifications()
    resolve = resolver()
    in_force = today is None or rule.valid.from_ <= today
    applies = truth(rule.applies_when, facts, today or rule.valid.from_, resolve) if in_force else False
    possible: list[SizeClass] = []
    for cls in rule.classes:
        verdict = truth(cls.requires, facts, today or rule.valid.from_, resolve)
        if verdict is False:
            continue
        possible.append(cls)
        if verdict is True:
            break
    return SizeResult(rule, applies, tuple(possible))
