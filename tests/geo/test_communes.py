"""A farmer names their commune or ward; the bot finds it, or asks which one when the name repeats."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.engine.geo import MAX_CHOICES, commune, communes, find_commune, province, provinces
from flows.engine.text import fold

DONG_NAI, LAM_DONG, VINH_LONG, HANOI, GIA_LAI = 75, 68, 86, 1, 52
ALL = [place for p in provinces() for place in communes(p.code)]


def names(match) -> list[tuple[str, str]]:
    return [(place.name, province(place.province_code).name) for place in match.places]


def test_vietnam_has_3321_communes_wards_and_special_zones():
    assert len(ALL) == 3321
    assert len({place.code for place in ALL}) == 3321
    assert {place.kind for place in ALL} == {"xã", "phường", "đặc khu"}


def test_the_new_vinh_long_has_124_communes_and_wards():
    assert len(communes(VINH_LONG)) == 124


def test_every_commune_is_found_by_its_official_name_in_its_province():
    for place in ALL:
        assert find_commune(place.name, place.province_code).places == [place], place


def test_every_commune_is_found_by_its_folded_name_among_those_spelt_alike():
    for place in ALL:
        found = find_commune(fold(place.name), place.province_code).places
        assert place in found
        assert {fold(p.name) for p in found} == {fold(place.name)}


def test_xa_tan_tien_exists_in_seven_provinces_so_the_user_is_asked_which():
    match = find_commune("Xã Tân Tiến")
    assert len(match.places) == 7
    assert {p.name for p in match.places} == {"Xã Tân Tiến"}
    assert len({p.province_code for p in match.places}) == 7


def test_with_the_province_known_tan_tien_is_one_commune():
    assert names(find_commune("tan tien", DONG_NAI)) == [("Xã Tân Tiến", "Đồng Nai")]
    assert find_commune("tan tien", GIA_LAI).places == []  # no Tân Tiến there


def test_the_province_may_be_typed_after_the_commune():
    assert names(find_commune("Tân Tiến, Đồng Nai")) == [("Xã Tân Tiến", "Đồng Nai")]
    assert names(find_commune("xa tan tien tinh dong nai")) == [("Xã Tân Tiến", "Đồng Nai")]


def test_a_commune_named_with_a_former_province_tells_which_province_it_was():
    match = find_commune("Phường Bến Tre, Trà Vinh")
    assert names(match) == [("Phường Bến Tre", "Vĩnh Long")]
    assert match.former == "Trà Vinh"


def test_a_very_common_name_offers_at_most_eight_choices():
    match = find_commune("tan thanh")
    assert len(match.places) == MAX_CHOICES


def test_diacritics_typed_pick_tan_thanh_over_tan_thanh_with_a_dot():
    assert {p.name for p in find_commune("Tân Thạnh").places} == {"Xã Tân Thạnh"}
    assert {p.name for p in find_commune("Xã Tân Thành").places} == {"Xã Tân Thành"}


def test_without_diacritics_both_spellings_are_offered_even_if_one_has_none():
    hcm = 79  # has both Xã Thanh An and Xã Thạnh An
    assert {p.name for p in find_commune("thanh an", hcm).places} == {"Xã Thanh An", "Xã Thạnh An"}
    assert [p.name for p in find_commune("Thạnh An", hcm).places] == ["Xã Thạnh An"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("phường hoàn kiếm", "Phường Hoàn Kiếm"),
        ("PHUONG HOAN KIEM", "Phường Hoàn Kiếm"),
        ("p. hoan kiem", "Phường Hoàn Kiếm"),
        ("hoan kiem", "Phường Hoàn Kiếm"),
        ("hoankiem", "Phường Hoàn Kiếm"),
        ("van mieu quoc tu giam", "Phường Văn Miếu - Quốc Tử Giám"),
        ("dac khu phu quoc", "Đặc khu Phú Quốc"),
        ("phu quoc", "Đặc khu Phú Quốc"),
        ("phuong lieu", "Phường Phương Liễu"),  # a name that starts like a prefix
    ],
)
def test_a_commune_typed_any_way(typed, expected):
    assert [p.name for p in find_commune(typed).places] == [expected]


def test_an_exact_name_wins_over_names_one_letter_away():
    # Đông Hà and Đông A are one typo from Đống Đa, but 'dong da' is exactly Đống Đa
    assert [p.name for p in find_commune("dong da").places] == ["Phường Đống Đa"]


@pytest.mark.parametrize(
    ("typed", "province_code", "expected"),
    [
        ("hoan kem", None, "Phường Hoàn Kiếm"),
        ("Hoàn Kíem", HANOI, "Phường Hoàn Kiếm"),
        ("tan tein", DONG_NAI, "Xã Tân Tiến"),
        ("a loui 3", None, "Xã A Lưới 3"),
    ],
)
def test_a_small_typo_still_finds_the_commune(typed, province_code, expected):
    assert [p.name for p in find_commune(typed, province_code).places] == [expected]


def test_numbers_are_matched_exactly_never_fuzzily():
    assert names(find_commune("phường 1", LAM_DONG)) == [("Phường 1 Bảo Lộc", "Lâm Đồng")]
    assert names(find_commune("p1", LAM_DONG)) == [("Phường 1 Bảo Lộc", "Lâm Đồng")]
    assert names(find_commune("bao loc 1")) == [("Phường 1 Bảo Lộc", "Lâm Đồng")]
    assert find_commune("phường 4", LAM_DONG).places == []  # there is no Phường 4 any more
    assert [p.name for p in find_commune("ha giang 2").places] == ["Phường Hà Giang 2"]
    assert [p.name for p in find_commune("a luoi 3").places] == ["Xã A Lưới 3"]
    assert all(p.name.endswith(" 1") or " 1 " in p.name for p in find_commune("phuong 1").places)


def test_a_name_without_its_number_offers_every_numbered_commune():
    assert [p.name for p in find_commune("a luoi").places] == [f"Xã A Lưới {n}" for n in range(1, 6)]


@pytest.mark.parametrize("typed", ["asdkjh", "", "  ", "123456", "xã", "phường", "qwerty uiop", "!!!"])
def test_garbage_finds_no_commune(typed):
    assert find_commune(typed).places == []
    assert find_commune(typed, HANOI).places == []


def test_a_commune_is_looked_up_by_code_and_belongs_to_its_province():
    place = find_commune("hoan kiem").places[0]
    assert commune(place.code) == place
    assert place.province_code == HANOI and place.kind == "phường"
    with pytest.raises(KeyError):
        commune(-1)
    with pytest.raises(KeyError):
        find_commune("tan tien", 2)  # not a province since 01/07/2025


def test_communes_of_a_province_are_in_vietnamese_alphabetical_order():
    plain = [p.name.split(" ", 1)[1] for p in communes(VINH_LONG)]
    assert plain[:2] == ["An Bình", "An Định"]
    assert plain.index("Cầu Kè") < plain.index("Châu Hòa")  # 'c' + 'â' before 'ch'
    assert plain.index("Đông Hải") > plain.index("Duyên Hải")  # đ after d


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40), province_code=st.sampled_from([None, HANOI, VINH_LONG]))
def test_whatever_is_typed_the_answer_is_a_short_list_within_the_province(text, province_code):
    match = find_commune(text, province_code)
    assert len(match.places) <= MAX_CHOICES
    assert len(set(match.places)) == len(match.places)
    if province_code is not None:
        assert all(p.province_code == province_code for p in match.places)
