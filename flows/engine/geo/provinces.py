"""The 34 provinces and cities, found by name, abbreviation or former (pre-2025) name."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from vietnam_provinces import Province

from flows.engine.content import load_yaml
from flows.engine.geo.keys import (
    MAX_CHOICES,
    GeoMatch,
    Place,
    _by_length,
    _key,
    _near,
    _nospace,
    _sort_key,
    _strip_prefix,
)


@dataclass(frozen=True, slots=True)
class _ProvinceIndex:
    places: dict[int, Place]
    exact: dict[str, tuple[int, str | None]]  # folded key (spaced or not) -> (code, former name)
    fuzzy: dict[int, list[str]]  # keys without spaces long enough to forgive a typo, by length
    prefixes: dict[str, str | None]


def _bare(name: str) -> str:
    """'Thành phố Hà Nội' -> 'ha noi' (the name's key without its kind)."""
    key = _key(name)
    return key.removeprefix("thanh pho ").removeprefix("tinh ")


def _add(exact: dict[str, tuple[int, str | None]], key: str, code: int, former: str | None) -> None:
    for form in {key, _nospace(key)}:
        known = exact.get(form)
        if known and known[0] != code:
            raise ValueError(f"geo: {form!r} names two provinces ({known[0]}, {code})")
        if not known or known[1]:  # the current name wins over a former one
            exact[form] = (code, former)


@functools.cache
def _province_index() -> _ProvinceIndex:
    places = {
        int(p.code): Place(int(p.code), p.name, None, p.division_type.value) for p in Province.iter_all()
    }
    by_bare = {_bare(p.name): p.code for p in places.values()}
    exact: dict[str, tuple[int, str | None]] = {}
    for place in places.values():
        bare = _bare(place.name)
        for key in (bare, _key(place.name), "tinh " + bare, "tp " + bare, "tp" + _nospace(bare)):
            _add(exact, key, place.code, None)
    aliases = load_yaml("geo/aliases.yaml")
    for name, extra in aliases["provinces"].items():
        for key in extra:
            _add(exact, _key(key), by_bare[_bare(name)], None)
    former_aliases = load_yaml("geo/former_provinces.yaml")["former_aliases"]
    for group in load_yaml("geo/former_provinces.yaml")["provinces"]:
        code = by_bare[_bare(group["into"])]
        for name in group["from"]:
            former = None if _bare(name) == _bare(group["into"]) else name
            for key in [name, *former_aliases.get(name, [])]:
                _add(exact, _key(key), code, former)
    fuzzy = _by_length({key for key in exact if " " not in key})
    prefixes = {p: None for p in sorted(aliases["province_prefixes"], key=len, reverse=True)}
    return _ProvinceIndex(places, exact, fuzzy, prefixes)


def find_province(text: str) -> GeoMatch:
    """The province meant by what the user typed: current or former name, alias, or small typo."""
    index = _province_index()
    key = _key(text)
    if not key or key in index.prefixes:
        return GeoMatch([])
    stripped = _strip_prefix(key, index.prefixes)
    forms = [key] + ([stripped[0]] if stripped else [])
    for form in forms:
        hit = index.exact.get(form) or index.exact.get(_nospace(form))
        if hit:
            return GeoMatch([index.places[hit[0]]], hit[1])
    best: dict[int, tuple[int, str | None]] = {}  # code -> (distance, former)
    for form in map(_nospace, forms):
        for found, distance in _near(form, index.fuzzy):
            code, former = index.exact[found]
            if code not in best or distance < best[code][0]:
                best[code] = (distance, former)
    if not best:
        return GeoMatch([])
    nearest = min(distance for distance, _ in best.values())
    codes = [code for code, (distance, _) in best.items() if distance == nearest]
    codes.sort(key=lambda code: _sort_key(index.places[code]))
    former = best[codes[0]][1] if len(codes) == 1 else None
    return GeoMatch([index.places[code] for code in codes[:MAX_CHOICES]], former)


def province(code: int) -> Place:
    """The province with this code (KeyError if there is none)."""
    try:
        return _province_index().places[int(code)]
    except KeyError:
        raise KeyError(f"no province with code {code}") from None


def provinces() -> list[Place]:
    """All 34 provinces, in Vietnamese alphabetical order of their names without 'Thành phố'."""
    return sorted(_province_index().places.values(), key=_sort_key)


# ---------------------------------------------------------------- communes


