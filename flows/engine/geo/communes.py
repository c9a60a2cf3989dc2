"""The 3,321 communes and wards, found by name within a province or across the country."""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

from vietnam_provinces import Ward

from flows.engine.content import load_yaml
from flows.engine.geo.keys import (
    MAX_CHOICES,
    GeoMatch,
    Place,
    _by_length,
    _key,
    _near,
    _nospace,
    _plain,
    _prefixes,
    _sort_key,
    _strip_prefix,
)
from flows.engine.geo.provinces import _province_index, find_province, province


@dataclass(frozen=True, slots=True)
class _CommuneIndex:
    exact: dict[str, list[Place]]  # full and bare keys, with and without spaces
    by_base: dict[str, list[Place]]  # bare key without its numbers and spaces ('aluoi')
    by_numbers: dict[tuple[str, ...], list[Place]]  # ('1',) -> 'Phường 1 Bảo Lộc', ...
    fuzzy: dict[int, list[str]]  # the keys of by_base, by length


def _numbers(key: str) -> tuple[str, ...]:
    return tuple(sorted(token for token in key.split() if token.isdigit()))


def _base(key: str) -> str:
    return "".join(token for token in key.split() if not token.isdigit())


@functools.cache
def _communes() -> dict[int, tuple[Place, str]]:
    """Every commune by code, with its bare key ('Xã Tân Tiến' -> 'tan tien')."""
    data = {}
    for ward in Ward.iter_all():
        kind = ward.division_type.value
        place = Place(int(ward.code), ward.name, int(ward.province_code), kind)
        data[place.code] = (place, _key(ward.name).removeprefix(_key(kind) + " "))
    return data


@functools.cache
def _commune_index(province_code: int | None) -> _CommuneIndex:
    exact: dict[str, list[Place]] = {}
    by_base: dict[str, list[Place]] = {}
    by_numbers: dict[tuple[str, ...], list[Place]] = {}
    for place, bare in _communes().values():
        if province_code is not None and place.province_code != province_code:
            continue
        full = _key(place.name)
        for key in dict.fromkeys((full, bare, _nospace(full), _nospace(bare))):
            exact.setdefault(key, []).append(place)
        by_base.setdefault(_base(bare), []).append(place)
        if _numbers(bare):
            by_numbers.setdefault(_numbers(bare), []).append(place)
    fuzzy = _by_length(set(by_base))
    return _CommuneIndex(exact, by_base, by_numbers, fuzzy)


@functools.cache
def _commune_prefixes() -> dict[str, str | None]:
    return _prefixes(load_yaml("geo/aliases.yaml")["commune_prefixes"])


def _best(places: list[Place], kind: str | None, text: str) -> list[Place]:
    """Without repeats, at most 8: those of the kind typed, then those spelt as typed, if any.

    'Tân Thành' and 'Tân Thạnh' fold alike: a user who typed diacritics gets the one meant
    (a user who typed none may mean either, even where one of them has no diacritics).
    """
    chosen = list(dict.fromkeys(places))
    if kind:
        chosen = [place for place in chosen if place.kind == kind] or chosen
    spelt = " ".join(unicodedata.normalize("NFC", text).lower().split())
    if not spelt.isascii():
        chosen = [p for p in chosen if spelt in (p.name.lower(), _plain(p).lower())] or chosen
    return chosen[:MAX_CHOICES]


def _ordered(places: list[Place]) -> list[Place]:
    return sorted(places, key=lambda p: (_sort_key(province(p.province_code)), _sort_key(p)))


def _same_name(index: _CommuneIndex, forms: list[str], kind: str | None) -> list[Place]:
    """Exact name, or same name with the numbers in another order, or only a number ('phường 1')."""
    found = [
        place for form in forms for place in index.exact.get(form) or index.exact.get(_nospace(form), [])
    ]
    if found:
        return found
    for form in forms:
        base, numbers = _base(form), _numbers(form)
        if base:
            found += [
                p for p in index.by_base.get(base, []) if not numbers or _numbers(_bare_of(p)) == numbers
            ]
        elif numbers:  # a bare number means little: 'phường 4' is not 'Xã Bảo Lâm 4'
            found += [p for p in index.by_numbers.get(numbers, []) if kind in (None, p.kind)]
    return found


def _bare_of(place: Place) -> str:
    return _communes()[place.code][1]


def _nearest(index: _CommuneIndex, forms: list[str]) -> list[Place]:
    """Communes whose name is a few typos away (the nearest ones), never another number."""
    best: dict[Place, int] = {}
    for form in forms:
        base, numbers = _base(form), _numbers(form)
        if base in _commune_prefixes():  # 'phuong 17': the number alone decides, and did
            continue
        for key, distance in _near(base, index.fuzzy):
            for place in index.by_base[key]:
                if (not numbers or _numbers(_bare_of(place)) == numbers) and distance < best.get(place, 99):
                    best[place] = distance
    nearest = min(best.values(), default=0)
    return [place for place, distance in best.items() if distance == nearest]


def _province_named_at_end(text: str, key: str) -> tuple[str, GeoMatch] | None:
    """'Tân Tiến, Gia Lai' or 'tan tien gia lai' -> ('tan tien', the match of Gia Lai)."""
    if "," in text:
        head, tail = text.rsplit(",", 1)
        match = find_province(tail)
        if len(match.places) == 1 and _key(head):
            return _key(head), match
    tokens = key.split()
    exact = _province_index().exact
    for size in range(min(4, len(tokens) - 1), 0, -1):
        hit = exact.get(" ".join(tokens[-size:]))
        if hit:
            return " ".join(tokens[:-size]), GeoMatch([province(hit[0])], hit[1])
    return None


def find_commune(text: str, province_code: int | None = None) -> GeoMatch:
    """The commune/ward meant by what the user typed, within one province if given.

    An exact name (after folding) wins over typos; numbers must match exactly. The text may
    end with the province ('Tân Tiến, Gia Lai'); then `former` tells a former province typed.
    """
    if province_code is not None:
        province(province_code)
    key = _key(text)
    if not key or key in _commune_prefixes():
        return GeoMatch([])
    index = _commune_index(province_code)
    stripped = _strip_prefix(key, _commune_prefixes())
    kind = stripped[1] if stripped else None
    forms = [key] + ([stripped[0]] if stripped and stripped[0] else [])
    found = _same_name(index, forms, kind)
    if found:
        return GeoMatch(_best(_ordered(found), kind, text))
    split = _province_named_at_end(text, key)
    if split and (province_code is None or split[1].places[0].code == province_code):
        head, match = split
        inner = find_commune(head, match.places[0].code)
        if inner.places:
            return GeoMatch(inner.places, match.former)
    return GeoMatch(_best(_ordered(_nearest(index, forms)), kind, text))


def commune(code: int) -> Place:
    """The commune, ward or special zone with this code (KeyError if there is none)."""
    try:
        return _communes()[int(code)][0]
    except KeyError:
        raise KeyError(f"no commune with code {code}") from None


def communes(province_code: int) -> list[Place]:
    """The communes of a province, in Vietnamese alphabetical order of their names without 'Xã'/'Phường'."""
    province(province_code)
    places = [place for place, _ in _communes().values() if place.province_code == province_code]
    return sorted(places, key=_sort_key)

