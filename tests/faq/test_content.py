"""The knowledge base is complete, honest about what is unverified, and every answer renders."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest

from flows.engine.law import format_citation, has_hedge, in_force
from flows.engine.text import fold
from flows.faq import TASKS, Knowledge, Match, render_answer
from flows.faq.knowledge import FAQ_DIR

TODAY = dt.date(2026, 11, 27)
ABOUT_THE_BOT = ("bot-lam-duoc-gi", "nhan-thong-bao", "thong-tin-ca-nhan")
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


def test_every_entry_was_checked_and_every_legal_answer_cites_its_texts(knowledge):
    for entry in knowledge.entries:
        assert entry.checked <= TODAY, entry.id
        if entry.id not in ABOUT_THE_BOT:
            assert entry.citations, entry.id
            assert entry.source == format_citation(entry.citations), entry.id


def test_an_entry_about_the_bot_itself_cites_no_law(knowledge):
    for entry_id in ABOUT_THE_BOT:
        assert knowledge.by_id[entry_id].citations == ()


def test_the_hedges_left_are_exactly_the_unverified_facts(knowledge):
    """An unverified citation is hedged in the answer; an answer resting only on verified articles is not."""
    unverified = [e for e in knowledge.entries if any(c.status == "unverified" for c in e.citations)]
    assert len(unverified) >= 8
    for entry in unverified:
        assert has_hedge(entry.answer), entry.id
    for entry in knowledge.entries:
        if entry.citations and {c.status for c in entry.citations} == {"verified"}:
            assert not has_hedge(entry.answer), entry.id


def test_no_entry_cites_a_replaced_decree_as_current(knowledge):
    for entry in knowledge.entries:
        for citation in entry.citations:
            assert citation.old or in_force(citation.text, TODAY), (entry.id, citation.text)


def test_programmes_of_2021_to_2025_are_shown_as_ended(knowledge):
    for entry in knowledge.entries:
        if "2021–2025" in entry.answer or "2023–2025" in entry.answer:
            assert "kết thúc" in entry.answer, entry.id


def test_the_old_2012_rules_are_never_given_as_current(knowledge):
    members = knowledge.by_id["so-thanh-vien-toi-thieu"].answer
    assert "ít nhất 5 thành viên chính thức" in members
    assert "không còn áp dụng" in members
    plan = knowledge.by_id["phuong-an-kinh-doanh"].answer
    assert "Không cần" not in plan and "quyết định" in plan and "nghị quyết hội nghị thành lập" in plan


def test_the_monthly_update_is_never_called_a_legal_duty(knowledge):
    assert "tự nguyện" in knowledge.by_id["bao-cao-thang"].answer
    duty = knowledge.by_id["bao-cao-thang-co-bat-buoc"].answer
    assert "không bắt" in duty and "chậm nhất ngày 15/12" in duty


def test_the_annual_update_is_due_no_later_than_the_fifteenth_of_december(knowledge):
    for entry in knowledge.entries:
        assert "trước ngày 15/12" not in entry.answer and "trước 15/12" not in entry.answer, entry.id
    assert "chậm nhất ngày 15/12" in knowledge.by_id["cap-nhat-hang-nam"].answer


def test_an_answer_cites_its_source_and_check_date_and_offers_related_questions(knowledge):
    text = render_answer(knowledge.match("dang ky htx o dau"))
    assert "cơ quan đăng ký kinh doanh cấp xã" in text
    assert "Nghị định 295/2026/NĐ-CP, Điều 5" in text
    assert "125/2025" not in text and "92/2024" not in text
    assert "27/11/2026" in text
    assert "Bạn có thể muốn hỏi" in text


def test_an_answer_about_the_bot_shows_its_check_date_without_a_source(knowledge):
    entry = knowledge.by_id["bot-lam-duoc-gi"]
    text = render_answer(Match(entry=entry, score=1.0))
    assert "Nguồn" not in text and "Kiểm tra ngày 27/11/2026" in text


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
    source: {{text: luat-htx-2023, article: "Điều 4", status: verified}}
    checked: 2026-11-22
{extra}"""


@pytest.mark.parametrize(
    ("entry_id", "extra", "complaint"),
    [
        ("htx-la-gi", "", "duplicate"),
        ("moi", "    task: harvest\n", "unknown task"),
        ("moi", "    related: [khong-co]\n", "related ids"),
        ("moi", "    note: x\n", "unknown"),
        ("moi", "    source: Luật Hợp tác xã 2023\n", "citations"),
        ("moi", "    source: {text: luat-htx-2099, status: verified}\n", "unknown legal texts"),
    ],
)
def test_a_broken_knowledge_base_is_refused_at_load(faq_copy, entry_id, extra, complaint):
    _append(faq_copy, ENTRY.format(id=entry_id, extra=extra))
    with pytest.raises(ValueError, match=complaint):
        Knowledge.load(faq_copy)
