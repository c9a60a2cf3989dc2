"""Hand-off to a person: a question the bot cannot answer goes to the officials of the user's
province, one of them answers it with /cauhoi, and the user receives the answer."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import build_app
from bot.channels.telegram import TelegramChannel
from bot.settings import Settings
from db.models import Question, User
from flows.engine import geo
from flows.engine.delivery import RecipientGone
from flows.faq import Knowledge
from flows.faq.flow import MAX_OPEN
from flows.faq.knowledge import FAQ_DIR
from flows.join.accounts import add_official
from flows.join.scope import Scope
from tests.chat import Chat, fixed_clock
from tests.fakes.telegram_api import TelegramFake

VINH_LONG, HA_NOI = 86, 1
BUFFALO = "con trâu nhà tôi bị ốm <b>nặng</b> thì làm sao?"
ROOT = Path(__file__).resolve().parents[2]


class RecordingSender:
    """A channel's sender that keeps what it sent (or refuses, like a user who blocked the bot)."""

    def __init__(self, refuse: bool = False) -> None:
        self.sent: list[tuple[str, str]] = []
        self.refuse = refuse

    async def send(self, external_id: str, text: str) -> None:
        if self.refuse:
            raise RecipientGone("blocked")
        self.sent.append((external_id, text))


@pytest.fixture
async def app(engine, database_url):
    """The bot as `htxbot run` builds it (assistant installed), with a recording sender on channel "test"."""
    built = build_app(Settings(database_url=database_url), clock=fixed_clock(), parts=["assistant"])
    built.senders["test"] = RecordingSender()
    yield built
    await built.close()


def _long_hiep() -> int:
    return geo.find_commune("long hiep", VINH_LONG).places[0].code


async def _farmer(sessionmaker, external_id="u1", channel="test", province_code=VINH_LONG, commune_code=None):
    async with sessionmaker() as s:
        s.add(User(channel=channel, external_id=external_id, display_name="Ba Tư", role="nong_dan",
                   province_code=province_code, commune_code=commune_code, onboarded=True))
        await s.commit()


async def _official(sessionmaker, external_id, scope, channel="test"):
    async with sessionmaker() as s:
        await add_official(s, scope, channel=channel, external_id=external_id)
        await s.commit()


async def _questions(sessionmaker):
    async with sessionmaker() as s:
        return (await s.scalars(select(Question).order_by(Question.id))).all()


async def _hand_off(farmer: Chat, text: str = BUFFALO) -> None:
    await farmer.send(text)
    assert "gửi câu hỏi này cho cán bộ" in farmer.last_text
    await farmer.tap("handoff")
    assert farmer.said("Đã gửi câu hỏi của bạn cho cán bộ phụ trách ở <b>Vĩnh Long</b>")


async def test_an_official_of_the_province_answers_and_the_farmer_receives_it(app, sessionmaker):
    await _farmer(sessionmaker, commune_code=_long_hiep())
    await _official(sessionmaker, "o1", Scope("province", VINH_LONG))
    farmer, official = Chat(app.engine, "u1"), Chat(app.engine, "o1", name="Cán bộ Vĩnh Long")
    await _hand_off(farmer)
    [question] = await _questions(sessionmaker)
    assert (question.status, question.province_code, question.commune_code) == ("open", VINH_LONG, _long_hiep())

    await official.send("/cauhoi")
    assert "Câu hỏi đang chờ trả lời" in official.last_text
    assert "con trâu nhà tôi bị ốm &lt;b&gt;nặng&lt;/b&gt;" in official.last_text  # the user's text, escaped
    assert "Long Hiệp" in official.last_text
    await official.tap(str(question.id))
    assert "Gõ câu trả lời" in official.last_text
    await official.send("Bạn gọi ngay cán bộ thú y xã <Long Hiệp> để được khám.")
    assert official.said("Đã gửi câu trả lời")
    assert "mục hỏi đáp mới" in official.last_text

    [(to, text)] = app.senders["test"].sent
    assert to == "u1"
    assert "Cán bộ Vĩnh Long trả lời câu hỏi của bạn" in text
    assert "con trâu nhà tôi bị ốm &lt;b&gt;nặng&lt;/b&gt;" in text
    assert "thú y xã &lt;Long Hiệp&gt;" in text
    assert "không phải của bot" in text

    await official.tap("yes")
    assert official.said("Đã đánh dấu")
    assert "Không có câu hỏi nào đang chờ" in official.last_text
    [question] = await _questions(sessionmaker)
    assert (question.status, question.promote) == ("answered", True)
    assert question.answered_by is not None and question.answer.startswith("Bạn gọi ngay")


async def test_officials_elsewhere_do_not_see_the_question_and_a_country_official_does(app, sessionmaker):
    await _farmer(sessionmaker, commune_code=_long_hiep())
    await _official(sessionmaker, "hanoi", Scope("province", HA_NOI))
    other_commune = geo.find_commune("phuoc hau", VINH_LONG).places[0].code
    await _official(sessionmaker, "commune", Scope("commune", VINH_LONG, other_commune))
    await _official(sessionmaker, "country", Scope("country"))
    await _hand_off(Chat(app.engine, "u1"))
    for name in ("hanoi", "commune"):
        official = Chat(app.engine, name)
        await official.send("/cauhoi")
        assert "Không có câu hỏi nào đang chờ" in official.last_text
        assert "trâu" not in " ".join(r.text for r in official.replies)
    question = (await _questions(sessionmaker))[0]
    await Chat(app.engine, "hanoi").press_raw(f"questions.pick|{question.id}")  # a forged button
    assert (await _questions(sessionmaker))[0].status == "open"
    country = Chat(app.engine, "country")
    await country.send("/cauhoi")
    assert "trâu" in country.last_text


async def test_a_user_who_is_not_an_official_learns_nothing_from_cauhoi(app, sessionmaker):
    await _farmer(sessionmaker, "u1")
    await _farmer(sessionmaker, "u2")
    await _hand_off(Chat(app.engine, "u1"))
    curious = Chat(app.engine, "u2")
    await curious.send("/lenhkhongco")
    unknown = [r.text.replace("lenhkhongco", "cauhoi") for r in curious.replies]
    curious.replies.clear()
    await curious.send("/cauhoi")
    assert [r.text for r in curious.replies] == unknown
    assert "trâu" not in " ".join(unknown)


async def test_without_a_province_the_farmer_is_asked_where_to_send(app, sessionmaker):
    await _farmer(sessionmaker, province_code=None)
    farmer = Chat(app.engine, "u1")
    await farmer.send(BUFFALO)
    await farmer.tap("handoff")
    assert "bạn ở tỉnh/thành phố nào" in farmer.last_text
    await farmer.send("tra vinh")  # a former province: sent to the province it is part of now
    assert farmer.said("Đã gửi câu hỏi của bạn cho cán bộ phụ trách ở <b>Vĩnh Long</b>")
    [question] = await _questions(sessionmaker)
    assert (question.province_code, question.commune_code) == (VINH_LONG, None)


async def test_declining_the_offer_sends_nothing_and_invites_another_question(app, sessionmaker):
    await _farmer(sessionmaker)
    farmer = Chat(app.engine, "u1")
    await farmer.send(BUFFALO)
    await farmer.send("không")
    assert "gõ câu hỏi" in farmer.last_text
    assert await _questions(sessionmaker) == []


async def test_one_user_cannot_flood_the_officials(app, sessionmaker):
    await _farmer(sessionmaker)
    farmer = Chat(app.engine, "u1")
    for number in range(MAX_OPEN):
        await farmer.send(f"câu hỏi lạ số {number} về con trâu bị ốm thì sao?")
        await farmer.send("có")
    await farmer.send("một câu hỏi lạ nữa về con trâu thì sao?")
    await farmer.tap("handoff")
    assert f"đang có {MAX_OPEN} câu hỏi chờ" in farmer.last_text
    assert len(await _questions(sessionmaker)) == MAX_OPEN


async def test_an_answer_that_cannot_be_delivered_leaves_the_question_open(app, sessionmaker):
    app.senders["test"] = RecordingSender(refuse=True)
    await _farmer(sessionmaker)
    await _official(sessionmaker, "o1", Scope("province", VINH_LONG))
    await _hand_off(Chat(app.engine, "u1"))
    official = Chat(app.engine, "o1")
    await official.send("/cauhoi")
    await official.tap("con trâu")
    await official.send("Bạn gọi thú y xã nhé.")
    assert official.said("Chưa gửi được câu trả lời")
    [question] = await _questions(sessionmaker)
    assert (question.status, question.answer, question.answered_by) == ("open", None, None)


async def test_two_officials_cannot_answer_the_same_question_twice(app, sessionmaker):
    await _farmer(sessionmaker)
    await _official(sessionmaker, "o1", Scope("province", VINH_LONG))
    await _official(sessionmaker, "o2", Scope("province", VINH_LONG))
    await _hand_off(Chat(app.engine, "u1"))
    first, second = Chat(app.engine, "o1"), Chat(app.engine, "o2")
    for official in (first, second):
        await official.send("/cauhoi")
        await official.tap("con trâu")
    await first.send("Trả lời thứ nhất.")
    await second.send("Trả lời thứ hai.")
    assert second.said("đã được trả lời")
    assert len(app.senders["test"].sent) == 1
    assert (await _questions(sessionmaker))[0].answer == "Trả lời thứ nhất."


async def test_promoted_answers_become_entries_the_knowledge_base_loads(app, sessionmaker, database_url, tmp_path):
    await _farmer(sessionmaker)
    await _official(sessionmaker, "o1", Scope("province", VINH_LONG))
    await _hand_off(Chat(app.engine, "u1"))
    official = Chat(app.engine, "o1")
    await official.send("/cauhoi")
    await official.tap("con trâu")
    await official.send("Bạn báo cán bộ thú y xã; HTX hỗ trợ theo điều lệ & nghị quyết đại hội.")
    await official.tap("yes")
    base = tmp_path / "faq"
    base.mkdir()
    for path in FAQ_DIR.glob("*.yaml"):
        if path.name != "learned.yaml":
            (base / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    out = base / "learned.yaml"
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    for _ in range(2):  # a second run adds nothing and keeps the file
        done = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "bot", "faq", "promote", "--out", str(out)],
                                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    assert "Đã ghi 0 câu trả lời mới" in done.stdout and "giữ nguyên 1" in done.stdout
    knowledge = Knowledge.load(base)
    question = (await _questions(sessionmaker))[0]
    learned = knowledge.by_id[f"hoi-dap-{question.id}"]
    assert re.fullmatch(r"Trả lời của cán bộ Vĩnh Long, \d\d/\d\d/20\d\d", learned.source)
    assert "&amp; nghị quyết" in learned.answer
    assert knowledge.match("con trâu nhà tôi bị ốm nặng thì làm sao").entry == learned


@contextlib.asynccontextmanager
async def _telegram(app):
    async with TelegramFake(token="123:ABC") as tg:
        channel = TelegramChannel(app.engine, "123:ABC", base_url=tg.base_url + "/bot", poll_timeout=1)
        app.channels["telegram"] = app.senders["telegram"] = channel
        await channel.start()
        try:
            yield tg
        finally:
            await channel.stop()


def _texts(tg, chat_id):
    return [m.get("text") or "" for m in tg.messages_to(chat_id)]


async def test_the_answer_reaches_the_farmer_over_telegram(app, sessionmaker):
    await _farmer(sessionmaker, "42", channel="telegram")
    await _official(sessionmaker, "43", Scope("province", VINH_LONG), channel="telegram")
    async with _telegram(app) as tg:
        tg.user_says(42, BUFFALO)
        await tg.wait_for(lambda: any("gửi câu hỏi này cho cán bộ" in t for t in _texts(tg, 42)), timeout=10)
        tg.user_taps(42, "faq.unanswered|handoff")
        await tg.wait_for(lambda: any("Đã gửi câu hỏi" in t for t in _texts(tg, 42)), timeout=10)
        [question] = await _questions(sessionmaker)
        tg.user_says(43, "/cauhoi")
        await tg.wait_for(lambda: any("Câu hỏi đang chờ" in t for t in _texts(tg, 43)), timeout=10)
        tg.user_taps(43, f"questions.pick|{question.id}")
        await tg.wait_for(lambda: any("Gõ câu trả lời" in t for t in _texts(tg, 43)), timeout=10)
        tg.user_says(43, "Bạn gọi cán bộ thú y xã nhé.")
        await tg.wait_for(lambda: any("trả lời câu hỏi của bạn" in t for t in _texts(tg, 42)), timeout=10)
    received = next(t for t in _texts(tg, 42) if "trả lời câu hỏi của bạn" in t)
    assert "<b>nặng</b>" in received  # escaped on the way out, so shown literally, not as bold
    assert "Bạn gọi cán bộ thú y xã nhé." in received
