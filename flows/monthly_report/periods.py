"""Reporting periods of the monthly update, stored as 'YYYY-MM' and shown as 'MM/YYYY'."""

from __future__ import annotations

import datetime as dt
import re

LAST_MONTH_UNTIL_DAY = 10  # until the 10th (inclusive) the default period is last month

_SHOWN = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\s*$")
_STORED = re.compile(r"^(\d{4})-(\d{2})$")


def period_of(day: dt.date) -> str:
    """The period a date falls in: 2026-11-22 -> '2026-11'."""
    return f"{day.year:04d}-{day.month:02d}"


def shift(period: str, months: int) -> str:
    """A period moved by a number of months: shift('2026-01', -1) -> '2025-12'."""
    year, month = _split(period)
    index = year * 12 + (month - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def previous(period: str) -> str:
    """The month before a period."""
    return shift(period, -1)


def default_period(today: dt.date) -> str:
    """Last month until the 10th (inclusive), then the current month."""
    current = period_of(today)
    return previous(current) if today.day <= LAST_MONTH_UNTIL_DAY else current


def parse(text: str) -> str | None:
    """'10/2026', '10-2026' or '2026-10' -> '2026-10'; anything else -> None."""
    shown = _SHOWN.match(text or "")
    if shown:
        month, year = int(shown.group(1)), int(shown.group(2))
    else:
        stored = _STORED.match((text or "").strip())
        if not stored:
            return None
        year, month = int(stored.group(1)), int(stored.group(2))
    if not 1 <= month <= 12 or year < 2000:
        return None
    return f"{year:04d}-{month:02d}"


def display(period: str) -> str:
    """'2026-10' -> '10/2026'."""
    year, month = _split(period)
    return f"{month:02d}/{year:04d}"


def between(first: str, last: str) -> list[str]:
    """Every period from first to last inclusive (empty when last is before first)."""
    out: list[str] = []
    current = first
    while current <= last and len(out) < 1200:
        out.append(current)
        current = shift(current, 1)
    return out


def _split(period: str) -> tuple[int, int]:
    stored = _STORED.match(period)
    if not stored:
        raise ValueError(f"not a period 'YYYY-MM': {period!r}")
    return int(stored.group(1)), int(stored.group(2))
