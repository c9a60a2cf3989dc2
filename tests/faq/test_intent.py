"""Task or question: "tôi muốn lập htx" starts a flow, "htx là gì" is answered, "5 sào" is a reply."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("text", "flow"),
    [
        ("tôi muốn lập htx", "founding"),
        ("muon thanh lap hop tac xa", "founding"),
        ("Tôi muốn lập HTX thì làm thế nào?", "founding"),
        ("giúp tôi mở hợp tác xã", "founding"),
        ("bao cao thang", "monthly_report"),
        ("gửi báo cáo tháng 11", "monthly_report"),
        ("kiem tra ho tro", "eligibility"),
        ("tôi muốn nhận thông báo", "announcements"),
        ("doi tinh cua toi", "profile"),
    ],
)
def test_a_request_starts_the_flow_instead_of_an_answer(knowledge, text, flow):
    match = knowledge.match(text)
    assert match.is_task
    assert match.entry.task == flow


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("htx la gi", "htx-la-gi"),
        ("tôi muốn biết htx là gì", "htx-la-gi"),
        ("báo cáo tháng có bắt buộc không", "bao-cao-thang-co-bat-buoc"),
        ("hồ sơ lập htx gồm gì", "ho-so-dang-ky"),
    ],
)
def test_a_question_is_answered_not_turned_into_a_task(knowledge, text, entry):
    match = knowledge.match(text)
    assert match.entry.id == entry
    assert not match.is_task


def test_a_question_that_matches_a_task_entry_is_answered(knowledge):
    match = knowledge.match("các bước thành lập hợp tác xã là gì?")
    assert match.entry.id == "lap-htx"
    assert not match.is_task


@pytest.mark.parametrize(
    "text",
    [
        "htx là gì",
        "htx la gi",
        "bao nhiêu?",
        "nộp ở đâu",
        "lap htx can bao nhieu nguoi",
        "có phải nộp phí",
        "đăng ký online được không",
        "thành viên liên kết là sao",
        "dang ky o dau vay",
        "htx co duoc ho tro ko",
    ],
)
def test_questions_typed_inside_a_flow_are_recognised(knowledge, text):
    assert knowledge.looks_like_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "không",
        "có",
        "5 sào",
        "5 sao",
        "12 thành viên",
        "Nguyễn Văn Nam",
        "HTX Nông nghiệp Đồng Tâm",
        "trồng lúa và nuôi cá",
        "xã Long Hiệp, tỉnh Vĩnh Long",
        "thành viên liên kết không góp vốn",
    ],
)
def test_plain_replies_inside_a_flow_are_not_questions(knowledge, text):
    assert not knowledge.looks_like_question(text)
