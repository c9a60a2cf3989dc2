"""Input kinds for the eligibility facts, one per fact type (content/facts.yaml), and how a value
reads back: yes/no with "chưa rõ", whole numbers, money, percentages, dates, choices, provinces."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from flows.eligibility.known import date_range
from flows.eligibility.schema import Fact
from flows.engine.content import load_yaml, render
from flows.engine.formatting import date as show_date
from flows.engine.formatting import number, vnd
from flows.engine.inputs import Choice, Invalid, Kind, Money, Ok, Option, Result, WholeNumber, YesNo
from flows.engine.numbers import parse_month
from flows.engine.places import Province
from flows.engine.text import fold

UNSURE = "unsure"
MAX_COUNT = 1_000_000  # members: a bound far above any cooperative
_ALIASES = {"form": ("registry/forms.yaml", "forms"), "sector": ("registry/sectors.yaml", "sectors")}


def label(name: str, count: int | None = None) -> str:
    """A button label of this flow from content/templates/eligibility/label.j2 (with a count, if given)."""
    return render("eligibility/label.j2", name=name, count=count)


_UNSURE_WORDS = {"chua ro", "khong ro", "khong biet", "chua biet", "khong chac", "chua chac", "ko biet", "k biet"}


@dataclass
class FactYesNo(YesNo):
    """Có / không, or 'chưa rõ' which leaves the fact unknown."""

    def options(self, ctx: Any) -> list[Option]:
        return [*super().options(ctx), Option(UNSURE, label(UNSURE))]

    def parse(self, text: str, ctx: Any) -> Result:
        if fold(text).strip(" .!?") in _UNSURE_WORDS or fold(text) == "3":
            return Ok(None)
        return super().parse(text, ctx)

    def from_button(self, option_id: str, ctx: Any) -> Result:
        return Ok(None) if option_id == UNSURE else super().from_button(option_id, ctx)


_PERCENT = re.compile(r"^(\d{1,3}(?:[.,]\d{1,3})?)\s*(?:%|phan tram)?$")


@dataclass
class Percent(Kind):
    """A share from 0 to 100: '5', '29,9', '12.5', '5%', '5 phần trăm'."""

    def parse(self, text: str, ctx: Any) -> Result:
        match = _PERCENT.match(fold(text))
        if not match:
            return Invalid("percent")
        value = float(match.group(1).replace(",", "."))
        if not 0 <= value <= 100:
            return Invalid("out_of_range", {"min": 0, "max": 100, "unit": "%", "value": value})
        return Ok(value)


_DAY = re.compile(r"^(?:ngay\s*)?(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_YEAR = re.compile(r"^(?:nam\s*)?(\d{4})$")


def parse_date(text: str, today: dt.date) -> str | None:
    """'15/03/2023' -> '2023-03-15', '03/2023' or 'tháng 3 năm 2023' -> '2023-03', '2023' -> '2023'."""
    folded = fold(text).strip(" .")
    day = _DAY.match(folded)
    iso = _ISO_DAY.match(folded)
    try:
        if day:
            return dt.date(int(day.group(3)), int(day.group(2)), int(day.group(1))).isoformat()
        if iso:
            return dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3))).isoformat()
    except ValueError:
        return None
    year = _YEAR.match(folded)
    if year:
        return year.group(1) if 1950 <= int(year.group(1)) <= today.year else None
    return parse_month(text, today)


@dataclass
class FactDate(Kind):
    """A past date, month or year, kept with the precision given (asked again if a rule needs more)."""

    def parse(self, text: str, ctx: Any) -> Result:
        value = parse_date(text, ctx.today)
        if value is None or date_range(value)[0].year < 1950:
            return Invalid("date")
        if date_range(value)[0] > ctx.today:
            return Invalid("date_future")
        return Ok(value)


def _choice_options(fact: Fact) -> list[Option]:
    aliases: dict[str, tuple[str, ...]] = {}
    if fact.id in _ALIASES:
        path, key = _ALIASES[fact.id]
        aliases = {item["id"]: tuple(item.get("aliases", ())) for item in load_yaml(path)[key]}
    return [Option(c.id, c.label, aliases.get(c.id, ())) for c in fact.choices]


def kind_of(fact: Fact) -> Kind:
    """The input kind that asks for a fact of this type."""
    if fact.type == "bool":
        return FactYesNo()
    if fact.type == "int":
        return WholeNumber(min=int(fact.min or 0), max=int(fact.max) if fact.max is not None else MAX_COUNT)
    if fact.type == "money":
        return Money(min=int(fact.min or 0))
    if fact.type == "percent":
        return Percent()
    if fact.type == "date":
        return FactDate()
    if fact.type == "province":
        return Province()
    return Choice(_choice_options(fact))


def shown(fact: Fact, value: Any) -> str:
    """A fact's value as the user reads it back (labels from content/facts.yaml)."""
    if fact.type == "bool":
        return fact.label if value else (fact.label_false or fact.label)
    if fact.type == "choice":
        return {c.id: c.label for c in fact.choices}.get(value, str(value))
    if fact.type == "province":
        return Province().describe(value, None)
    if fact.type == "money":
        return vnd(value)
    if fact.type == "percent":
        return f"{number(value)}%"
    if fact.type == "date":
        parts = str(value).split("-")
        return show_date(value) if len(parts) == 3 else "/".join(reversed(parts))
    return number(value)
