"""A farmer names a province the way they type it, and the bot knows which of the 34 it is."""

from __future__ import annotations

import pytest

from flows.engine.geo import find_province, province, provinces
from flows.engine.text import fold

HANOI, HCM, HUE, DA_NANG, CAN_THO, VINH_LONG, DAK_LAK = 1, 79, 46, 48, 92, 86, 66


def test_vietnam_has_34_provinces_since_july_2025():
    assert len(provinces()) == 34
    assert len({p.code for p in provinces()}) == 34
    assert all(p.province_code is None for p in provinces())
    assert {p.kind for p in provinces()} == {"tỉnh", "thành phố trung ương"}


@pytest.mark.parametrize("place", provinces(), ids=lambda p: p.name)
def test_every_province_is_found_by_its_own_folded_name(place):
    assert find_province(fold(place.name)).places == [place]
    assert find_province(place.name).places == [place]


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("ha noi", HANOI),
        ("HÀ NỘI", HANOI),
        ("Hà Nội", HANOI),
        ("hanoi", HANOI),
        ("hn", HANOI),
        ("Thành phố Hà Nội", HANOI),
        ("tp hcm", HCM),
        ("TP.HCM", HCM),
        ("tphcm", HCM),
        ("hcm", HCM),
        ("sai gon", HCM),
        ("Sài Gòn", HCM),
        ("sg", HCM),
        ("TP. Hồ Chí Minh", HCM),
        ("hue", HUE),
        ("Huế", HUE),
        ("da nang", DA_NANG),
        ("danang", DA_NANG),
        ("can tho", CAN_THO),
        ("TP Cần Thơ", CAN_THO),
        ("tỉnh vĩnh long", VINH_LONG),
        ("Đăk Lăk", DAK_LAK),
        ("dak lak", DAK_LAK),
    ],
)
def test_a_province_typed_with_or_without_diacritics_prefix_or_as_a_nickname(typed, code):
    match = find_province(typed)
    assert [p.code for p in match.places] == [code]
    assert match.former is None


@pytest.mark.parametrize(
    ("typed", "code"),
    [("ha noii", HANOI), ("thanh hao", 38), ("quang nga", 51), ("nghe ann", 40), ("vinh lonh", VINH_LONG)],
)
def test_a_small_typo_still_finds_the_province(typed, code):
    assert [p.code for p in find_province(typed).places] == [code]


@pytest.mark.parametrize("typed", ["asdkjh", "", "   ", "123456", "tinh", "thanh pho", "xyz", "binh", "!!!"])
def test_garbage_finds_no_province(typed):
    assert find_province(typed).places == []


def test_a_typo_close_to_two_provinces_offers_both_to_choose():
    match = find_province("quang nai")  # one letter from Quảng Ngãi and from Quảng Nam (now Đà Nẵng)
    assert {p.code for p in match.places} == {51, DA_NANG}
    assert match.former is None  # which former name was meant is not known yet


def test_provinces_are_listed_in_vietnamese_alphabetical_order():
    names = [p.name.removeprefix("Thành phố ") for p in provinces()]
    assert names[:5] == ["An Giang", "Bắc Ninh", "Cà Mau", "Cao Bằng", "Cần Thơ"]
    assert names.index("Lào Cai") < names.index("Lâm Đồng")  # a < â
    assert names.index("Đồng Tháp") < names.index("Gia Lai")  # đ after d, before g
    assert names[-1] == "Vĩnh Long"


def test_a_province_is_looked_up_by_code():
    assert province(HCM).name == "Thành phố Hồ Chí Minh"
    assert province(HCM).kind == "thành phố trung ương"
    with pytest.raises(KeyError):
        province(2)  # Hà Giang's old code: merged into Tuyên Quang
