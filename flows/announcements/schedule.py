"""When a scheduled announcement goes out: '20:00', '22/11 20:00', 'ngày mai 7h', '8 giờ tối' in Việt Nam time.

A time alone means today; a day without a year means the next such day. A time already past, or
more than MAX_DAYS ahead, is refused with a reason id (templates say it in Vietnamese).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from unidecode import unidecode

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_DAYS = 31

_DATE = re.compile(r"\b(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}|\d{2}))?\b")
_TIME = re.compile(r"\b(\d{1,2})\s*(?::|h|g\b|gio\b)\s*(\d{2})?\s*(?:phut\b|p\b)?")
_DAYS = [(re.compile(r"\b(ngay kia|ngay mot|mot)\b"), 2), (re.compile(r"\b(ngay mai|mai)\b"), 1),
         (re.compile(r"\b(hom nay)\b"), 0)]
_FILLER = re.compile(r"\b(luc|vao|ngay|gui|nhe|a|thang|nam|nay|sang|trua|chieu|toi|dem)\b")
_AFTERNOON = re.compile(r"\b(chieu|toi|dem)\b")


@dataclass(frozen=True, slots=True)
class When:
    """A parsed time (aware, Việt Nam time), or the reason it was refused: unknown, past, too_far."""

    at: dt.datetime | None = None
    reason: str | None = None


def parse_when(text: str, now: dt.datetime) -> When:
    """The moment a typed time names, seen from `now` (any aware datetime)."""
    now = now.astimezone(LOCAL)
    rest = unidecode(text).lower().strip()
    day = now.date()
    if m := _DATE.search(rest):
        day = _day(int(m.group(1)), int(m.group(2)), m.group(3), now.date())
        if day is None:
            return When(reason="unknown")
        rest = rest[: m.start()] + " " + rest[m.end():]
    else:
        for pattern, offset in _DAYS:
            if found := pattern.search(rest):
                day = now.date() + dt.timedelta(days=offset)
                rest = rest[: found.start()] + " " + rest[found.end():]
                break
    m = _TIME.search(rest)
    if m is None:
        return When(reason="unknown")
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if _AFTERNOON.search(rest) and hour < 12:
        hour += 12
    if hour > 23 or minute > 59:
        return When(reason="unknown")
    rest = rest[: m.start()] + " " + rest[m.end():]
    if _FILLER.sub(" ", rest).strip(" ,.!"):
        return When(reason="unknown")
    at = dt.datetime.combine(day, dt.time(hour, minute), LOCAL)
    if at <= now:
        return When(reason="past")
    if at > now + dt.timedelta(days=MAX_DAYS):
        return When(reason="too_far")
    return When(at=at)


def _day(day: int, month: int, year: str | None, today: dt.date) -> dt.date | None:
    """'22/11' is the next 22 November (this year, or next year once passed); None if no such day."""
    try:
        if year:
            return dt.date(int(year) + (2000 if len(year) == 2 else 0), month, day)
        candidate = dt.date(today.year, month, day)
        return candidate if candidate >= today else dt.date(today.year + 1, month, day)
    except ValueError:
        return None
