"""A farmer still names a province abolished on 01/07/2025, and learns which one it is now part of."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.engine.content import load_yaml
from flows.engine.geo import find_province, provinces
from flows.engine.law import format_citation
from flows.engine.text import fold

MAPPING = load_yaml("geo/former_provinces.yaml")
FORMER = [(name, group["into"]) for group in MAPPING["provinces"] for name in group["from"]]


def _plain(name: str) -> str:
    return fold(name).removeprefix("thanh pho ")


def test_the_mapping_cites_the_resolution_and_its_date():
    assert "202/2025/QH15" in format_citation(MAPPING["reference"])
    assert MAPPING["valid"]["from"] == dt.date(2025, 7, 1)


def test_the_63_former_provinces_became_the_34_current_ones():
    assert len(FORMER) == 63
    assert len({fold(name) for name, _ in FORMER}) == 63
    assert sorted(fold(group["into"]) for group in MAPPING["provinces"]) == sorted(
        _plain(p.name) for p in provinces()
    )


@pytest.mark.parametrize(("former", "now"), FORMER, ids=[name for name, _ in FORMER])
def test_every_former_province_is_found_as_the_one_it_became(former, now):
    match = find_province(fold(former))
    assert [_plain(p.name) for p in match.places] == [fold(now)]
    assert match.former == (None if fold(former) == fold(now) else former)


@pytest.mark.parametrize(
    ("typed", "now", "former"),
    [
        ("tra vinh", "Vĩnh Long", "Trà Vinh"),
        ("Tỉnh Bến Tre", "Vĩnh Long", "Bến Tre"),
        ("soc trang", "Thành phố Cần Thơ", "Sóc Trăng"),
        ("Hậu Giang", "Thành phố Cần Thơ", "Hậu Giang"),
        ("binh duong", "Thành phố Hồ Chí Minh", "Bình Dương"),
        ("Bà Rịa - Vũng Tàu", "Thành phố Hồ Chí Minh", "Bà Rịa – Vũng Tàu"),
        ("brvt", "Thành phố Hồ Chí Minh", "Bà Rịa – Vũng Tàu"),
        ("tra vin", "Vĩnh Long", "Trà Vinh"),  # and with a typo
    ],
)
def test_the_mergers_named_in_the_facts_sheet(typed, now, former):
    match = find_province(typed)
    assert [p.name for p in match.places] == [now]
    assert match.former == former


def test_ha_noi_was_not_merged():
    match = find_province("Hà Nội")
    assert [p.name for p in match.places] == ["Thành phố Hà Nội"]
    assert match.former is None


def test_the_old_name_of_hue_finds_hue_which_merged_with_nobody():
    match = find_province("Thừa Thiên Huế")
    assert [p.name for p in match.places] == ["Thành phố Huế"]
    assert match.former is None
