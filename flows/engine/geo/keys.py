"""Place names as keys for matching: folded, without spaces or prefixes, near by a few edits."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from flows.engine.collation import collation_key
from flows.engine.text import words

MAX_CHOICES = 8
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")


@dataclass(frozen=True, slots=True)
class Place:
    """A province (province_code None) or a commune/ward/special zone."""

    code: int
    name: str
    province_code: int | None
    kind: str  # 'tỉnh', 'thành phố trung ương', 'xã', 'phường', 'đặc khu'


@dataclass(frozen=True, slots=True)
class GeoMatch:
    """[] nothing found, [one] found, several: ask the user to choose (best first, at most 8)."""

    places: list[Place]
    former: str | None = None  # the former province typed, when it is now part of another


# ---------------------------------------------------------------- folding and ordering


def _key(text: str) -> str:
    """'Phường  P.5, TP.HCM' -> 'phuong p 5 tp hcm': folded words, letters and digits apart."""
    return _LETTER_DIGIT.sub(" ", " ".join(words(text)))


def _nospace(key: str) -> str:
    return key.replace(" ", "")


def _max_edits(length: int) -> int:
    """Typos forgiven for a key of this many letters (none for short keys like 'hue', 'sg')."""
    return 0 if length < 5 else 1 if length < 8 else 2 if length < 14 else 3


def _plain(place: Place) -> str:
    """'Thành phố Hà Nội' -> 'Hà Nội', 'Xã Tân Tiến' -> 'Tân Tiến' (diacritics kept)."""
    for prefix in ("Thành phố ", "Tỉnh ", place.kind.capitalize() + " "):
        if place.name.startswith(prefix):
            return place.name[len(prefix) :]
    return place.name


@functools.cache
def _sort_key(place: Place) -> tuple[tuple[tuple[int, ...], tuple[int, ...]], int]:
    """Vietnamese order of the plain name, then the code (names repeat across provinces)."""
    return collation_key(_plain(place)), place.code


def _by_length(keys: set[str]) -> dict[int, list[str]]:
    """Keys long enough to forgive a typo, grouped by length (k typos change it by k at most)."""
    groups: dict[int, list[str]] = {}
    for key in sorted(keys):
        if _max_edits(len(key)):
            groups.setdefault(len(key), []).append(key)
    return groups


def _near(query: str, keys: dict[int, list[str]]) -> list[tuple[str, int]]:
    """(key, number of typos) for the keys within the typos forgiven for the query's length."""
    limit = _max_edits(len(query))
    found: list[tuple[str, int]] = []
    for length in range(len(query) - limit, len(query) + limit + 1) if limit else ():
        for key, distance, _ in process.extract(
            query, keys.get(length, ()), scorer=OSA.distance, score_cutoff=limit, limit=None
        ):
            found.append((key, distance))
    return found


def _strip_prefix(key: str, prefixes: dict[str, str | None]) -> tuple[str, str | None] | None:
    """('xa tan tien', ...) -> ('tan tien', 'xã'); None when the key has no known prefix."""
    for prefix, kind in prefixes.items():  # longest first
        if key.startswith(prefix + " "):
            return key[len(prefix) + 1 :], kind
    return None


def _prefixes(entries: dict[str | None, list[str]]) -> dict[str, str | None]:
    flat = {prefix: kind for kind, group in entries.items() for prefix in group}
    return dict(sorted(flat.items(), key=lambda item: -len(item[0])))


# ---------------------------------------------------------------- provinces


