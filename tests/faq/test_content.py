"""The knowledge base is complete, honest about what is unverified, and every answer renders."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest

from flows.engine.text import fold
from flows.faq import TASKS, Knowledge, Match, render_answer
from flows.faq.knowledge import FAQ_DIR

TODAY = dt.date(2026, 11, 22)
ALLOWED_TAGS = {"b", "i", "code", "a"}


def test_there_are_at_least_forty_entries_and_every_flow_can_be_started(knowledge):
    assert len(knowledge.entries) >= 40
    assert {entry.task for entry in knowledge.entries if entry.task} == TASKS


def test_the_question_shown_to_users_is_written_with_diacritics(knowledge):
    assert [e.id for e in knowledge.entries if fold(e.title) == e.title.lower()] == []


def test_some_variants_are_typed_without_diacritics(knowledge):
    bare = [e.id for e in knowledge.entries if any(fold(q) == q for q in e.questions)]
    assert len(bare) >= len(knowledge.entries) // 2


def test_answers_use_only_telegram_tags_and_close_them(knowledge):
    for entry in knowledge.entries:
        opened = re.findall(r"<([a-z]+)[^>]*>", entry.answer)
        closed = re.findall(r"</([a-z]+)>", entry.answer)
        assert set(opened) <= ALLOWED_TAGS, entry.id
        assert sorted(opened) == sorted(closed), entry.id


def test_every_entry_was_checked_and_cites_a_source(knowledge):
    for entry in knowledge.entries:
        assert entry.checked <= TODAY, entry.id
        assert len(entry.source) > 10, entry.id


def test_what_the_source_marks_unverified_is_hedged_to_the_user(knowledge):
    unverified = [e for e in knowledge.entries if "chưa xác minh" in e.source]
    assert unverified
    for entry in unverified:
        assert "xác minh" in entry.answer, entry.id


def test_programmes_of_2021_to_2025_are_shown_as_ended(knowledge):
    for entry in knowledge.entries:
        if "2021–2025" in entry.answer or "2023–2025" in entry.answer:
            assert "kết thúc" in entry.answer, entry.id


def test_the_old_2012_rules_are_never_given_as_current(knowledge):
    members = knowledge.by_id["so-thanh-vien-toi-thieu"].answer
    assert "ít nhất 5 thành viên chính thức" in members
    assert "không còn áp dụng" in members
    assert "Không cần" in knowledge.by_id["phuong-an-kinh-doanh"].answer


def test_the_monthly_update_is_never_called_a_legal_duty(knowledge):
    assert "tự nguyện" in knowledge.by_id["bao-cao-thang"].answer
    assert "15/12" in knowledge.by_id["bao-cao-thang-co-bat-buoc"].answer


def test_an_answer_cites_its_source_and_check_date_and_offers_related_questions(knowledge):
    text = render_answer(knowledge.match("dang ky htx o dau"))
    assert "cơ quan đăng ký kinh doanh cấp xã" in text
    assert "Nghị định 125/2025/NĐ-CP" in text
    assert "22/11/2026" in text
    assert "Bạn có thể muốn hỏi" in text


def test_every_entry_renders(knowledge):
    for entry in knowledge.entries:
        text = render_answer(Match(entry=entry, score=1.0, also=[knowledge.entries[0]]))
        assert entry.source in text.replace("&amp;", "&")


def test_no_match_says_so_politely_and_suggests_what_is_close(knowledge):
    text = render_answer(Match(entry=None, score=0.0, also=[knowledge.by_id["htx-la-gi"]]))
    assert text.startswith("Xin lỗi")
    assert "Hợp tác xã là gì?" in text


def test_user_text_never_reaches_a_template_unescaped(knowledge):
    entry = knowledge.by_id["htx-la-gi"]
    fake = type(entry)(**{**entry.__dict__, "id": "x", "questions": ("<b>hack</b>?", "x")})
    assert "&lt;b&gt;hack" in render_answer(Match(entry=None, score=0.0, also=[fake]))


@pytest.fixture
def faq_copy(tmp_path):
    target = tmp_path / "faq"
    shutil.copytree(FAQ_DIR, target)
    return target


def _append(directory, text):
    with open(directory / "zz_extra.yaml", "w", encoding="utf-8") as fh:
        fh.write(text)


ENTRY = """entries:
  - id: {id}
    questions: ["Câu hỏi một?", cau hoi hai]
    answer: Trả lời.
    source: Luật Hợp tác xã 2023
    checked: 2026-11-22
{extra}"""


@pytest.mark.parametrize(
    ("entry_id", "extra", "complaint"),
    [
        ("htx-la-gi", "", "duplicate"),
        ("moi", "    task: harvest\n", "unknown task"),
        ("moi", "    related: [khong-co]\n", "related ids"),
        ("moi", "    note: x\n", "unknown"),
    ],
)
def test_a_broken_knowledge_base_is_refused_at_load(faq_copy, entry_id, extra, complaint):
    _append(faq_copy, ENTRY.format(id=entry_id, extra=extra))
    with pytest.raises(ValueError, match=complaint):
        Knowledge.load(faq_copy)
