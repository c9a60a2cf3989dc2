"""How people type: diacritics, abbreviations, synonyms and typos lead to the same answer."""

from __future__ import annotations

import pytest


def tokens(knowledge, text):
    return knowledge.retriever.index.normalizer.tokens(text)


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("htx", "hợp tác xã"),
        ("HTX", "Hợp Tác Xã"),
        ("tht", "tổ hợp tác"),
        ("thtx", "tổ hợp tác"),
        ("lhhtx", "liên hiệp hợp tác xã"),
        ("đkkd", "đăng ký kinh doanh"),
        ("dkkd", "đăng ký kinh doanh"),
        ("ubnd xã", "ủy ban nhân dân xã"),
        ("htx la j", "hợp tác xã là gì"),
        ("bn tv", "bao nhiêu thành viên"),
    ],
)
def test_abbreviations_read_as_the_words_they_stand_for(knowledge, short, long):
    assert tokens(knowledge, short) == tokens(knowledge, long)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("giấy tờ", "hồ sơ"),
        ("xã viên", "thành viên"),
        ("mấy người", "bao nhiêu thành viên"),
        ("nộp qua mạng", "nộp trực tuyến"),
        ("sát nhập", "sáp nhập"),
        ("khái niệm", "là gì"),
        ("định nghĩa", "là gì"),
    ],
)
def test_synonyms_meet_in_one_canonical_form(knowledge, one, other):
    assert tokens(knowledge, one) == tokens(knowledge, other)


def test_a_longer_phrase_wins_so_mo_hinh_is_not_mo_a_cooperative(knowledge):
    assert "thanh_lap" not in tokens(knowledge, "mô hình htx kiểu mới")
    assert "thanh_lap" in tokens(knowledge, "mở htx")


def test_typos_are_corrected_to_words_of_the_knowledge_base(knowledge):
    assert tokens(knowledge, "thahn lap htx") == tokens(knowledge, "thành lập htx")
    assert tokens(knowledge, "thah lap htx") == tokens(knowledge, "thành lập htx")
    assert tokens(knowledge, "dieu kein ho tro") == tokens(knowledge, "điều kiện hỗ trợ")


def test_a_typo_keeps_its_first_letter_so_greetings_are_not_reports(knowledge):
    assert "bao" not in tokens(knowledge, "chao")
    assert knowledge.match("xin chào").entry is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Hồ sơ đăng ký HTX gồm những gì?", "ho-so-dang-ky"),
        ("ho so dang ky htx gom nhung gi", "ho-so-dang-ky"),
        ("hs dk htx gom j", "ho-so-dang-ky"),
        ("ho so dnag ky hop tac xa gom nhung gi", "ho-so-dang-ky"),
        ("Nộp hồ sơ HTX ở đâu?", "noi-nop-ho-so"),
        ("nop ho so htx o dau", "noi-nop-ho-so"),
        ("thanh lap htx can toi thieu may tv", "so-thanh-vien-toi-thieu"),
        ("Lập HTX cần ít nhất mấy người?", "so-thanh-vien-toi-thieu"),
    ],
)
def test_the_same_question_typed_differently_finds_the_same_entry(knowledge, typed, expected):
    assert knowledge.match(typed).entry.id == expected


@pytest.mark.parametrize("text", ["giá vàng hôm nay", "thoi tiet ngay mai", "xin chào", "", "???", "ok"])
def test_off_topic_text_gets_no_answer(knowledge, text):
    match = knowledge.match(text)
    assert match.entry is None
    assert match.is_task is False


def test_a_match_offers_at_most_two_other_questions_never_itself(knowledge):
    for text in ["htx la gi", "dang ky htx o dau", "bao cao thang co bat buoc khong"]:
        match = knowledge.match(text)
        assert 1 <= len(match.also) <= 2
        assert match.entry not in match.also


def test_scores_are_between_zero_and_one(knowledge):
    for text in ["tôi muốn lập htx thì làm thế nào", "htx", "giá vàng", "hợp tác xã là gì"]:
        assert 0.0 <= knowledge.match(text).score <= 1.0
