"""Lists a page at a time: the page asked for (?trang=, from 1) and how many pages a total makes."""

from __future__ import annotations

from aiohttp import web

from flows.engine.numbers import ascii_int

from .views import BadRequest

MAX_PAGE = 100_000


def page_number(request: web.Request, name: str = "trang") -> int:
    """The page asked for, from 1 (the first when not given); anything but a whole number from 1 is refused."""
    value = request.query.get(name, "").strip()
    if not value:
        return 1
    number = ascii_int(value, 6)
    if number is None or not 1 <= number <= MAX_PAGE:
        raise BadRequest("filter")
    return number


def page_count(total: int, size: int) -> int:
    """How many pages `total` rows make at `size` a page (at least one)."""
    return max(1, -(-total // size))
