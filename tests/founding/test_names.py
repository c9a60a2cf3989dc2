"""Offline checks of a proposed name (Luật Hợp tác xã 2023, Điều 50; Nghị định 295/2026/NĐ-CP, Điều 15, 17),
and the name as the plan and the drafts write it."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.founding import FORMS, check
from flows.founding.names import clean_name, is_vietnamese_letter, proper_name

LONG_HIEP = {"province_code": 86, "commune_code": 29506}  # Xã Long Hiệp, Vĩnh Long
ADVICE = {"name_too_long", "name_written_as"}  # the bot's own words: no legal source


def name_codes(name, form="hop_tac_xa", **place):
    return {f.code: f for f in check({"form": form, "name": name, **place})}


def test_a_good_name_only_hears_that_uniqueness_cannot_be_checked_offline():
    found = name_codes("Hợp tác xã Nông nghiệp Đồng Tâm")
    assert set(found) == {"name_uniqueness_offline"}
    assert "không tra được" in found["name_uniqueness_offline"].text()


def test_a_name_typed_without_diacritics_still_has_the_prefix_and_is_written_properly():
    found = name_codes("hop tac xa dong tam")
    assert set(found) == {"name_written_as", "name_uniqueness_offline"}
    assert "<b>Hợp tác xã Đồng Tâm</b>" in found["name_written_as"].text()
    assert "“Hợp tác xã Đồng Tâm”" in found["name_uniqueness_offline"].text()


def test_the_name_is_written_with_the_form_in_full_the_place_and_known_words_restored():
    hop_tac_xa = FORMS["hop_tac_xa"]
    places = ("Long Hiệp", "Vĩnh Long")
    assert proper_name("htx nong nghiep long hiep", hop_tac_xa, places) == "Hợp tác xã Nông nghiệp Long Hiệp"
    assert proper_name("HTX NONG NGHIEP LONG HIEP", hop_tac_xa, places) == "Hợp tác xã Nông nghiệp Long Hiệp"
    assert proper_name("nong nghiep vinh long", hop_tac_xa, places) == "Hợp tác xã Nông nghiệp Vĩnh Long"
    assert proper_name("tht rau sach tan phu", FORMS["to_hop_tac"]) == "Tổ hợp tác Rau sạch Tân Phú"
    # what the user wrote with diacritics stays; unknown words get a capital
    assert proper_name("Hợp tác xã Rau An Toàn Đồng Tâm", hop_tac_xa) == "Hợp tác xã Rau An Toàn Đồng Tâm"
    assert proper_name("htx lúa vàng 2", hop_tac_xa) == "Hợp tác xã Lúa Vàng 2"
    # a name of another form is left as typed (the check blocks it)
    assert proper_name("Liên hiệp hợp tác xã Mê Kông", hop_tac_xa) == "Liên hiệp hợp tác xã Mê Kông"


def test_the_written_name_uses_the_plan_s_commune():
    found = name_codes("htx nong nghiep long hiep", **LONG_HIEP)
    assert "<b>Hợp tác xã Nông nghiệp Long Hiệp</b>" in found["name_abbreviated"].text()
    assert "name_written_as" not in found  # said once, in the abbreviation's warning


@pytest.mark.parametrize("name", ["", "   ", "\x00\x07"])
def test_an_empty_name_is_blocked(name):
    assert name_codes(name)["name_empty"].severity == "block"


def test_a_name_without_the_form_is_given_a_suggestion():
    finding = name_codes("Đồng Tâm")["name_missing_prefix"]
    assert "Hợp tác xã Đồng Tâm" in finding.text()


def test_an_abbreviation_is_spelled_out():
    finding = name_codes("HTX Đồng Tâm")["name_abbreviated"]
    assert "Hợp tác xã Đồng Tâm" in finding.text() and "không viết tắt" in finding.text()
    assert finding.source == "Luật Hợp tác xã 2023, Điều 50 khoản 1 điểm a, Điều 50 khoản 3"


def test_the_prefix_alone_is_not_a_name():
    assert name_codes("Hợp tác xã")["name_no_proper_name"].severity == "block"
    assert "name_abbreviated" not in name_codes("HTX")


def test_the_name_of_another_form_is_blocked():
    found = name_codes("Liên hiệp hợp tác xã Mê Kông")
    assert found["name_wrong_form"].severity == "block"
    assert "Liên hiệp hợp tác xã Mê Kông" in found["name_wrong_form"].text()
    assert "name_wrong_form" not in name_codes("Liên hiệp hợp tác xã Mê Kông", form="lien_hiep")
    assert "name_wrong_form" in name_codes("Hợp tác xã Bình An", form="to_hop_tac")


def test_symbols_are_allowed_and_foreign_scripts_are_warned_about():
    found = name_codes("Hợp tác xã Sen Vàng & Bạn 东")
    assert found["name_bad_characters"].vars["characters"] == ["东"]
    assert found["name_bad_characters"].severity == "warn"
    symbols = found["name_symbols"]
    assert symbols.severity == "info" and symbols.vars["characters"] == ["&"]
    assert "được dùng ký hiệu" in symbols.text() and "Phụ lục VIII" in symbols.text()
    assert "Nên bỏ" not in symbols.text()
    assert symbols.source == "Luật Hợp tác xã 2023, Điều 50 khoản 1 điểm b; Thông tư 09/2024/TT-BKHĐT, Điều 3 khoản 5"


def test_user_text_is_escaped_in_messages():
    assert "&lt;b&gt;" in name_codes("Hợp tác xã <b>")["name_uniqueness_offline"].text()


def test_a_very_long_name_is_the_bot_s_advice_not_law():
    finding = name_codes("Hợp tác xã " + "Nông nghiệp " * 10)["name_too_long"]
    assert "Luật không giới hạn độ dài" in finding.text() and "lời khuyên của mình" in finding.text()
    assert finding.reference == () and finding.severity == "info"


def test_the_name_checks_cite_the_current_texts():
    found = name_codes("Hợp tác xã Đồng Tâm")
    assert found["name_uniqueness_offline"].source == (
        "Luật Hợp tác xã 2023, Điều 50; Nghị định 295/2026/NĐ-CP, Điều 29")
    assert "dangkykinhdoanh.gov.vn" in found["name_uniqueness_offline"].text()
    sensitive = name_codes("Hợp tác xã Công An Xã")["name_sensitive_words"]
    assert sensitive.source == (
        "Luật Hợp tác xã 2023, Điều 50; Nghị định 295/2026/NĐ-CP, Điều 15, Điều 17")


def test_a_to_hop_tac_s_name_rules_are_unverified_and_said_so():
    finding = name_codes("Hợp tác xã Bình An", form="to_hop_tac")["name_wrong_form"]
    assert finding.source == "Nghị định 294/2026/NĐ-CP"
    assert {c.status for c in finding.reference} == {"unverified"}


def test_unsuitable_words_are_found_without_diacritics_and_only_as_whole_words():
    assert name_codes("Hợp tác xã Co Bac Tân Lập")["name_sensitive_words"].vars["words"] == ["cờ bạc"]
    assert "name_sensitive_words" not in name_codes("Hợp tác xã Công Anh")


def test_vietnamese_letters_are_letters_and_others_are_not():
    assert all(is_vietnamese_letter(c) for c in "ăâđêôơưáạảãàẮỆỰỹĐfjwz")
    assert not any(is_vietnamese_letter(c) for c in "ßøñçüî东ж")


def test_clean_name_composes_diacritics_and_collapses_spaces():
    assert clean_name("Ho\u0302\u0323i  An\x00") == "Hội An"


@given(name=st.text(max_size=120), form=st.sampled_from(["to_hop_tac", "hop_tac_xa", "lien_hiep", "chua_ro"]))
@settings(max_examples=200, deadline=None)
def test_any_typed_name_gets_words_and_either_empty_or_the_offline_caveat(name, form):
    findings = [f for f in check({"form": form, "name": name}) if f.code.startswith("name_")]
    codes = {f.code for f in findings}
    assert len(codes & {"name_empty", "name_uniqueness_offline"}) == 1
    for finding in findings:
        assert finding.text() and (finding.reference or finding.code in ADVICE)
