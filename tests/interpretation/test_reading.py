"""Reading one message at one step, without a database: normalised words, yes/no words, small talk,
option scores, and the labelled questions of tests/faq/questions (train and dev splits only: the
test split is never read here) typed at the steps they were written for."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from bot.catalog import all_flows
from flows.engine import answers as read
from flows.engine.content import load_yaml, template_exists
from flows.engine.context import Context
from flows.engine.dsl import Ask, FlowSet
from flows.engine.inputs import Choice, Guess, Invalid, MultiChoice, Ok, Option, Text, YesNo, options_from
from flows.engine.interpret import ACT_AT, chosen, rank, small_talk
from flows.engine.messages import Incoming
from flows.engine.normalise import means, tokens
from flows.engine.services import Services
from flows.engine.store import Profile, State
from flows.engine.text import words

CTX = SimpleNamespace(today=dt.date(2026, 11, 22), answers={}, profile=None)
MENU = options_from(load_yaml("menu.yaml")["entries"])
QUESTIONS = Path(__file__).resolve().parents[1] / "faq" / "questions"


@pytest.mark.parametrize("typed, words", [
    ("Ko đc ạ!!", ("khong", "duoc", "a")), ("ntn", ("nhu", "the", "nao")), ("bn tr", ("bao", "nhieu", "trieu")),
    ("sdt ad", ("so", "dien", "thoai", "admin")), ("okkk", ("ok",)), ("j vs hok", ("gi", "voi", "khong")),
    ("50k", ("50k",)),
])
def test_chat_abbreviations_are_spelt_out(typed, words):
    assert tokens(typed) == words


@pytest.mark.parametrize("typed", ["dung", "ok", "uh", "vang", "chuan", "Đúng", "dạ có ạ", "ok ad nhé", "ừ"])
def test_every_way_of_saying_yes(typed):
    assert YesNo().parse(typed, CTX) == Ok(True)


@pytest.mark.parametrize("typed", ["ko", "khong co", "ko co", "hok", "Không ạ", "k", "ko đc"])
def test_every_way_of_saying_no(typed):
    assert YesNo().parse(typed, CTX) == Ok(False)


@pytest.mark.parametrize("typed", ["khong co", "ko co", "không có gì", "chua can"])
def test_none_of_several(typed):
    assert means(typed, "none_words")
    assert MultiChoice([Option("von", "Vốn")]).parse(typed, CTX) == Ok([])


@pytest.mark.parametrize("typed, kind", [
    ("cam on ad nhieu", "thanks"), ("ban la ai", "who"), ("chao ban", "greeting"), ("ok", "ack"), ("👍", "ack"),
    ("chao ban, ban la ai", "who"), ("ok cam on", "thanks"), ("ad oi", "greeting"),
])
def test_small_talk(typed, kind):
    assert small_talk(typed) == kind


def test_every_kind_of_small_talk_has_its_reply():
    for kind in load_yaml("language/smalltalk.yaml"):
        assert template_exists(f"smalltalk/{kind}.j2"), kind


def test_an_abbreviation_is_one_typed_word():
    for short in load_yaml("language/abbreviations.yaml")["chat"]:
        assert len(words(str(short))) == 1, short  # expanded word by word


@pytest.mark.parametrize("typed", ["cam on, cho hoi htx la gi", "htx la gi", "1 ty", "co", "thanh lap htx"])
def test_what_is_not_small_talk(typed):
    assert small_talk(typed) is None


@pytest.mark.parametrize("typed", ["giai the htx thi phai lam gi", "nop ho so o huyen hay o xa vay ad",
                                   "bao cao thang gom nhung chi tieu gi", "qd 298 cua tra vinh con ho tro htx ko"])
def test_a_sentence_with_a_menu_word_scores_far_below_a_press(typed):
    assert rank(typed, MENU)[0][0] < 0.5
    assert isinstance(Choice(MENU).parse(typed, CTX), Invalid)


@pytest.mark.parametrize("typed, entry", [
    ("bao cao", "monthly_report"), ("bao cau thang", "monthly_report"), ("Hồ sơ", "profile"), ("lap htx", "founding"),
    ("5", "faq"),
])
def test_an_entry_typed_as_itself_or_misspelt_is_pressed(typed, entry):
    assert Choice(MENU).parse(typed, CTX) == Ok(entry)


def test_a_few_words_of_a_label_are_a_guess_not_a_press():
    options = [Option("tick:draft_charter", "⬜ Dự thảo điều lệ và phương án sản xuất, kinh doanh"),
               Option("drafts", "📄 Tải bản nháp giấy tờ")]
    assert Choice(options).parse("dieu le", CTX) == Guess([options[0]])
    assert rank("von dieu le toi thieu la bao nhieu", options)[0][0] < 0.5
    assert chosen(rank("du thao dieu le", options)) == options[0]  # the start of a label names it
    assert rank("dieu le", options)[0][0] < ACT_AT


# ---- the labelled questions, typed at the step they were written for ---------------------

FLOWS = FlowSet(all_flows())
PLAN = {"form": "hop_tac_xa", "members": 6, "member_kinds": ["ca_nhan"], "sector": "nong_nghiep",
        "province_code": 86, "charter_capital": 10**9, "largest_contribution": 10**8,
        "name": "Hợp tác xã Nông nghiệp Đồng Tâm", "_progress": {}}


def _labelled() -> list[tuple[str, str, object]]:
    items = []
    for split in ("train", "dev"):  # never test.yaml
        for item in yaml.safe_load((QUESTIONS / f"{split}.yaml").read_text(encoding="utf-8")):
            if item["state"] != "idle":
                items.append((item["text"], item["state"], item["expect"]))
    return items


def _at(state: str) -> tuple[Context, Ask] | None:
    flow, _, step_id = ("menu", "", "main") if state == "menu" else state.partition(".")
    step = FLOWS[flow].step(step_id) if flow in FLOWS else None
    if not isinstance(step, Ask) or step.input.open_ended:
        return None
    if isinstance(step.input, Text) and step.input.open_ended:
        return None  # the question box of Hỏi đáp: its text is its answer
    answers = dict(PLAN) if flow == "founding" else {}
    profile = Profile(id=1, channel="test", external_id="u1", role="nong_dan", province_code=86, onboarded=True)
    st = State(user_id=1, flow=flow, step=step_id, answers=answers)
    return Context(FLOWS, None, Services(), Incoming("test", "u1"), profile, st, dt.date(2026, 11, 22)), step


LABELLED = _labelled()
READ_HERE = [item for item in LABELLED if _at(item[1]) is not None]  # at a free-text step the text is the answer


@pytest.mark.parametrize("text, state, expect", READ_HERE, ids=[f"{s}: {t}" for t, s, _ in READ_HERE])
async def test_a_labelled_question_typed_at_a_step_never_changes_what_is_saved(text, state, expect):
    ctx, step = _at(state)
    decision = await read.read_text(ctx, step, text)
    if expect == "smalltalk":
        assert isinstance(decision, read.SmallTalk)
    elif isinstance(expect, dict) and "flow" in expect and state == "menu":
        assert not isinstance(decision, read.Accept) or decision.value == expect["flow"]
    elif expect == "none" and isinstance(step.input, Text):  # "trời mưa quá, lúa ngã hết rồi" as the
        assert isinstance(decision, read.Accept | read.Question), decision  # month's difficulties is one
    else:  # an entry of the knowledge base, or nothing known: a question either way
        assert not isinstance(decision, read.Accept | read.Toggle | read.Confirm), decision


def test_most_labelled_questions_at_a_step_are_read_here():
    left_out = [state for _, state, _ in LABELLED if _at(state) is None]
    assert len(left_out) < len(LABELLED) / 4, left_out
