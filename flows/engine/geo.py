"""Provinces and communes of Vietnam since 01/07/2025 (34 and 3,321; Nghị quyết 202/2025/QH15),
found the way people type them: any case, no diacritics, with or without "tỉnh"/"xã", small
typos, former (pre-2025) province names. Data: the `vietnam_provinces` package and content/geo/.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA
from vietnam_provinces import Province, Ward

from flows.engine.collation import collation_key
from flows.engine.content import load_yaml
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
