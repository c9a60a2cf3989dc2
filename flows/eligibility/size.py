"""The informative size class of a cooperative (Luật Hợp tác xã 2023 Điều 16; Nghị định 113/2024/NĐ-CP
Điều 5): official members plus revenue or total capital, per sector, with unknowns kept open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flows.eligibility.load import load_classifications, resolver
from flows.eligibility.logic import truth
from flows.eligibility.schema import Classification, SectorTable, SizeClass


@dataclass(frozen=True, slots=True)
class SizeResult:
    """Which size classes remain possible in the cooperative's sector; one class when the facts settle it."""

    rule: Classification
    table: SectorTable | None  # None while the sector is unknown (or the rule is not yet in force)
    possible: tuple[SizeClass, ...]
    missing: tuple[str, ...]  # facts of rule.needs still unknown, in the order to ask them

    @property
    def known(self) -> SizeClass | None:
        """The size class when the facts settle it, else None."""
        return self.possible[0] if self.table is not None and len(self.possible) == 1 else None

    @property
    def decidable(self) -> bool:
        """Whether asking more facts can settle the class (False when the sector's thresholds are unverified)."""
        return self.known is None and (self.table is None or bool(self.table.classes)) and bool(self.missing)


def size_class(facts: Mapping[str, Any], today: dt.date | None = None) -> SizeResult:
    """The size classes still possible for these facts (the first class whose test is true wins)."""
    (rule,) = load_classifications()
    in_force = today is None or rule.valid.from_ <= today
    table = rule.table(facts.get("sector")) if in_force else None
    possible: list[SizeClass] = []
    if table is not None:
        day, resolve = today or rule.valid.from_, resolver()
        for cls in table.classes:
            verdict = truth(cls.requires, facts, day, resolve)
            if verdict is False:
                continue
            possible.append(cls)
            if verdict is True:
                break
    missing = tuple(f for f in rule.needs if f not in facts) if in_force else ()
    return SizeResult(rule, table, tuple(possible), missing)
