"""Vietnamese formatting of numbers, money and dates with Babel (vi_VN)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal

from flows.engine.files import load_yaml

LOCALE = "vi_VN"


def number(value: int | float | None) -> str:
    """1200 -> '1.200'; None -> '—'."""
    if value is None:
        return "—"
    return format_decimal(value, locale=LOCALE)


def vnd(amount: int | float | None) -> str:
    """1500000000 -> '1,5 tỷ đồng'; 800000000 -> '800 triệu đồng'; 1200000 -> '1,2 triệu đồng'."""
    if amount is None:
        return "—"
    units = load_yaml("ui.yaml")["money_units"]
    for unit, name in ((1_000_000_000, units["billion"]), (1_000_000, units["million"])):
        if abs(amount) >= unit:
            return f"{format_decimal(round(amount / unit, 3), locale=LOCALE)} {name} {units['dong']}"
    return f"{format_decimal(amount, locale=LOCALE)} {units['dong']}"


def date(value: Any) -> str:
    """A date as 'dd/MM/yyyy'."""
    if value is None:
        return "—"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, "dd/MM/yyyy", locale=LOCALE)
