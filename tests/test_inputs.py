"""Input kinds with the ways Vietnamese users really type."""

import datetime as dt
from types import SimpleNamespace

import pytest

from flows.engine.inputs import (
    Choice,
    Invalid,
    Money,
    Month,
    MultiChoice,
    Ok,
    Option,
    Text,
    WholeNumber,
    YesNo,
    match_option,
    parse_money,
)

FORMS = [Option("to_hop_tac", "Tổ hợp tác"), Option("hop_tac_xa", "Hợp tác xã"), Option("lien_hiep", "Liên hiệp hợp tác xã")]
CTX = SimpleNamespace(today=dt.date(2026, 11, 22), answers={}, profile=None)


@pytest.mark.parametrize("typed, expected", [
    ("2", "hop_tac_xa"), ("Hợp tác xã", "hop_tac_xa"), ("hop tac xa", "hop_tac_xa"), ("HỢP TÁC XÃ", "hop_tac_xa"),
    ("to hop tac", "to_hop_tac"), ("lien hiep hop tac xa", "lien_hiep"), ("hop tac xa ", "hop_tac_xa"),
])
def test_choice_by_number_label_or_folded_label(typed, expected):
    assert Choice(FORMS).parse(typed, CTX) == Ok(expected)


@pytest.mark.parametrize("typed", ["4", "0", "xyz", "", "giá lúa"])
def test_choice_refuses_what_it_cannot_place(typed):
    assert isinstance(Choice(FORMS).parse(typed, CTX), Invalid)


def test_close_labels_are_not_guessed():
    opts = [Option("a", "Xã Tân An"), Option("b", "Xã Tân Ân")]
    assert match_option("xa tan an", opts) == opts[0]  # the same once folded: the first wins deterministically
    assert match_option("tan", [Option("a", "Tân An"), Option("b", "Tân Anh")]) is None


@pytest.mark.parametrize("typed, expected", [
    ("có", True), ("co", True), ("Ừ", True), ("ok", True), ("vâng", True), ("dạ", True), ("Có.", True),
    ("không", False), ("khong", False), ("ko", False), ("KHÔNG", False), ("chưa", False),
])
def test_yes_no(typed, expected):
    assert YesNo().parse(typed, CTX) == Ok(expected)


def test_yes_no_refuses_maybe():
    assert YesNo().parse("có lẽ", CTX) == Invalid("yes_no")


@pytest.mark.parametrize("typed, expected", [
    ("12", 12), ("12 người", 12), ("1.200", 1200), ("1,200", 1200), ("1 200", 1200), ("  7  ", 7), ("12 nguoi", 12),
])
def test_whole_number(typed, expected):
    assert WholeNumber(min=0, max=100_000).parse(typed, CTX) == Ok(expected)


@pytest.mark.parametrize("typed", ["mười hai", "12.5", "-3", "1.2.3", "abc", "12abc34"])
def test_whole_number_refuses(typed):
    assert isinstance(WholeNumber(min=0, max=100_000).parse(typed, CTX), Invalid)


def test_whole_number_bounds_say_the_bounds():
    result = WholeNumber(min=1, max=100).parse("250", CTX)
    assert result == Invalid("out_of_range", {"min": 1, "max": 100, "unit": "", "value": 250})


@pytest.mark.parametrize("typed, vnd", [
    ("1,5 tỷ", 1_500_000_000), ("1.5 tỷ", 1_500_000_000), ("2 ty", 2_000_000_000), ("800 triệu", 800_000_000),
    ("800tr", 800_000_000), ("800 tr", 800_000_000), ("15 triệu rưỡi", 15_500_000), ("1.200.000", 1_200_000),
    ("1200000 đồng", 1_200_000), ("1.200.000 đ", 1_200_000), ("1 tỷ 200 triệu", 1_200_000_000),
    ("1 tỷ 2", 1_200_000_000), ("15 triệu 5", 15_500_000), ("500k", 500_000), ("500 nghìn", 500_000),
    ("0", 0), ("2 TỶ", 2_000_000_000), ("1.200 triệu", 1_200_000_000),
])
def test_money(typed, vnd):
    assert parse_money(typed) == vnd
    assert Money().parse(typed, CTX) == Ok(vnd)


@pytest.mark.parametrize("typed", ["abc", "1,5", "2 triệu 3 tỷ", "tỷ", "nhiều tiền", "-5 triệu"])
def test_money_refuses(typed):
    assert isinstance(Money().parse(typed, CTX), Invalid)


@pytest.mark.parametrize("typed, month", [
    ("10/2026", "2026-10"), ("tháng 10", "2026-10"), ("thang 10", "2026-10"), ("t10/2026", "2026-10"),
    ("T10/2026", "2026-10"), ("2026-10", "2026-10"), ("tháng 12", "2025-12"), ("10-2026", "2026-10"),
    ("tháng 3 năm 2025", "2025-03"), ("11/2026", "2026-11"),
])
def test_month(typed, month):
    assert Month().parse(typed, CTX) == Ok(month)


@pytest.mark.parametrize("typed, hint", [("13/2026", "month"), ("12/2026", "month_future"), ("hôm qua", "month")])
def test_month_refuses(typed, hint):
    assert Month().parse(typed, CTX) == Invalid(hint)


def test_multi_choice_typed():
    needs = [Option("von", "Vốn"), Option("dao_tao", "Đào tạo"), Option("tieu_thu", "Tiêu thụ sản phẩm")]
    assert MultiChoice(needs).parse("1, 3", CTX) == Ok(["von", "tieu_thu"])
    assert MultiChoice(needs).parse("vốn và đào tạo", CTX) == Ok(["von", "dao_tao"])
    assert MultiChoice(needs).parse("von, dao tao", CTX) == Ok(["von", "dao_tao"])
    assert isinstance(MultiChoice(needs).parse("vốn, máy bay", CTX), Invalid)


def test_text_cap():
    assert Text(max_len=10).parse("  ngắn  ", CTX) == Ok("ngắn")
    assert Text(max_len=10).parse("x" * 11, CTX) == Invalid("text_long", {"max": 10, "length": 11})
