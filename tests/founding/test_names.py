"""Offline checks of a proposed name (Nghị định 92/2024/NĐ-CP, Điều 15)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.founding import check
from flows.founding.names import clean_name, is_vietnamese_letter


def name_codes(name, form="hop_tac_xa"):
    return {f.code: f for f in check({"form": form, "name": name})}


def test_a_good_name_only_hears_that_uniqueness_cannot_be_checked_offline():
    found = name_codes("Hợp tác xã Nông nghiệp Đồng Tâm")
    assert set(found) == {"name_uniqueness_offline"}
    assert "không tra được" in found["name_uniqueness_offline"].text()


def test_a_name_typed_without_diacritics_still_has_the_prefix():
    assert set(name_codes("hop tac xa dong tam")) == {"name_uniqueness_offline"}


@pytest.mark.parametrize("name", ["", "   ", "\x00\x07"])
def test_an_empty_name_is_blocked(name):
    assert name_codes(name)["name_empty"].severity == "block"


def test_a_name_without_the_form_is_given_a_suggestion():
    finding = name_codes("Đồng Tâm")["name_missing_prefix"]
    assert "Hợp tác xã Đồng Tâm" in finding.text()


def test_an_abbreviation_is_spelled_out():
    assert "Hợp tác xã Đồng Tâm" in name_codes("HTX Đồng Tâm")["name_abbreviated"].text()


def test_the_prefix_alone_is_not_a_name():
    assert name_codes("Hợp tác xã")["name_no_proper_name"].severity == "block"
    assert "name_abbreviated" not in name_codes("HTX")


def test_the_name_of_another_form_is_blocked():
    found = name_codes("Liên hiệp hợp tác xã Mê Kông")
    assert found["name_wrong_form"].severity == "block"
    assert "Liên hiệp hợp tác xã Mê Kông" in found["name_wrong_form"].text()
    assert "name_wrong_form" not in name_codes("Liên hiệp hợp tác xã Mê Kông", form="lien_hiep")
    assert "name_wrong_form" in name_codes("Hợp tác xã Bình An", form="to_hop_tac")


def test_symbols_and_foreign_scripts_are_warned_about():
    found = name_codes("Hợp tác xã Sen Vàng @ 东")
    assert found["name_bad_characters"].vars["characters"] == ["@", "东"]


def test_user_text_is_escaped_in_messages():
    assert "&lt;b&gt;" in name_codes("Hợp tác xã <b>")["name_uniqueness_offline"].text()


def test_a_very_long_name_is_warned_about():
    assert "name_too_long" in name_codes("Hợp tác xã " + "Nông nghiệp " * 10)


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
        assert finding.text() and finding.reference
