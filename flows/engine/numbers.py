"""Numbers, money and months as Vietnamese users type them ("1.200", "1,5 tỷ", "800tr", "tháng 10")."""

from __future__ import annotations

import datetime as dt
import re

from flows.engine.text import fold

_GROUPED = re.compile(r"^[0-9]{1,3}(?:([.,\s])[0-9]{3})(?:\1[0-9]{3})*$")


def is_ascii_digits(text: str) -> bool:
    """Whether a text is one or more of 0-9 ('²', '٣' and '３' pass str.isdigit() but are not)."""
    return text.isascii() and text.isdigit()


def ascii_int(text: str | None, max_digits: int = 18) -> int | None:
    """A code or an id as typed, '42' -> 42: ASCII digits only, at most max_digits of them; else None."""
    text = (text or "").strip()
    return int(text) if is_ascii_digits(text) and len(text) <= max_digits else None


def whole_number(token: str) -> int | None:
    """'1.200' / '1,200' / '1 200' / '1200' -> 1200; anything else None."""
    token = token.strip()
    if is_ascii_digits(token):
        return int(token)
    if _GROUPED.match(token):
        return int(re.sub(r"[^0-9]", "", token))
    return None


_UNITS = {
    "ty": 1_000_000_000, "ti": 1_000_000_000, "ty dong": 1_000_000_000,
    "trieu": 1_000_000, "tr": 1_000_000, "cu": 1_000_000, "m": 1_000_000,
    "nghin": 1_000, "ngan": 1_000, "k": 1_000, "ng": 1_000,
    "dong": 1, "d": 1, "vnd": 1, "vnđ": 1,
}
_MONEY_PART = re.compile(r"(\d[\d.,]*)\s*(ty|ti|trieu|tr|cu|nghin|ngan|ng|k|m|dong|vnd|d)?\s*(ruoi)?")


def _amount(number: str, has_unit: bool) -> float | None:
    """A number as typed before a unit: '1,5' and '1.5' are decimals, '1.200' a grouped thousand."""
    whole = whole_number(number)
    if whole is not None:
        return float(whole)
    if has_unit and re.fullmatch(r"\d+[.,]\d{1,2}", number):
        return float(number.replace(",", "."))
    return None


def parse_money(text: str) -> int | None:
    """VND from '1,5 tỷ', '2 ty', '800 triệu', '800tr', '15 triệu rưỡi', '1 tỷ 200 triệu', '1.200.000 đồng'."""
    folded = fold(text).replace("dong", " dong ").strip()
    folded = re.sub(r"\s+", " ", folded)
    if not folded or not is_ascii_digits(folded[0]):
        return None
    total = 0.0
    pos = 0
    last_unit = None
    for m in _MONEY_PART.finditer(folded):
        if m.start() != pos and folded[pos:m.start()].strip():
            return None
        pos = m.end()
        number, unit, half = m.group(1).rstrip(".,"), m.group(2), m.group(3)
        amount = _amount(number, unit is not None and unit not in ("dong", "d", "vnd"))
        if amount is None:
            return None
        if unit is None and last_unit not in (None, 1):
            # spoken style: "1 tỷ 2" is 1,2 tỷ, "15 triệu 5" is 15,5 triệu, "1 tỷ 200" is 1,2 tỷ
            if not is_ascii_digits(number) or len(number) > 3:
                return None
            total += int(number) * last_unit / 10 ** len(number)
            last_unit = 1
            continue
        if unit is None:
            scale = 1
        else:
            scale = _UNITS[unit]
        if half:
            amount += 0.5
        if last_unit is not None and scale >= last_unit and scale != 1:
            return None  # "2 triệu 3 tỷ" is not a way to write money
        total += amount * scale
        last_unit = scale
    if pos != len(folded) and folded[pos:].strip():
        return None
    return round(total)


_MONTH = re.compile(
    r"^(?:thang|t)?\s*(\d{1,2})\s*(?:(?:/|-|\.|\s|nam)\s*(?:nam\s*)?(\d{4}|\d{2}))?$"
)
_ISO_MONTH = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})$")


def parse_month(text: str, today: dt.date) -> str | None:
    """'10/2026', 'tháng 10', 't10/2026', '2026-10' -> '2026-10'; a month without year is the latest past one."""
    folded = fold(text).replace("thang", "thang ").strip()
    folded = re.sub(r"\s+", " ", folded)
    iso = _ISO_MONTH.match(folded)
    if iso:
        year, month = int(iso.group(1)), int(iso.group(2))
    else:
        m = _MONTH.match(folded)
        if not m:
            return None
        month = int(m.group(1))
        if m.group(2):
            year = int(m.group(2))
            year += 2000 if year < 100 else 0
        else:
            year = today.year if month <= today.month else today.year - 1
    if not 1 <= month <= 12 or not 2000 <= year <= today.year + 1:
        return None
    return f"{year:04d}-{month:02d}"
