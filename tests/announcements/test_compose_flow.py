"""Officials compose announcements in chat: preview, audience, count, confirm, schedule, cancel, history, rights."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.catalog import all_flows
from bot.channels.render import plain
from db.models.core import User
from db.models.outbox import Announcement
from db.models.registry import Cooperative, MonthlyReport
from flows.announcements import views
from flows.announcements.flow import MAX_TEXT
from flows.announcements.ratelimit import Limits
from flows.announcements.schedule import LOCAL
from flows.announcements.worker import Worker, WorkerConfig
from flows.engine.engine import Engine
from flows.engine.services import Services
from flows.join.accounts import add_official
from flows.join.coops import link_reporter
from flows.join.scope import Scope
from tests.announcements.helpers import (
    CUA_NAM,
    HANOI,
    HCMC,
    HOAN_KIEM,
    FrozenClock,
    RecordingSender,
    add_users,
)
from tests.chat import Chat, fixed_clock

NOW = dt.datetime(2026, 11, 22, 15, 0, tzinfo=LOCAL)
FAST = WorkerConfig(backoff_seconds=0.01, max_attempts=3, poll_seconds=0.05, cancel_check_seconds=0.0)


@pytest.fixture
def bot(sessionmaker):
    return Engine(sessionmaker, all_flows(), clock=fixed_clock(), services=Services(now=lambda: NOW))


PROVINCE = Scope("province", HANOI)


async def _world(sessionmaker, scope=PROVINCE):
    """Heads and farmers in Hà Nội and Hồ Chí Minh; an official 'boss' of `scope` on the test channel."""
    async with sessionmaker() as s, s.begin():
        rows = [{"external_id": f"hn-head-{i}", "role": "chu_nhiem", "province_code": HANOI,
                 "commune_code": HOAN_KIEM} for i in range(3)]
        rows += [{"external_id": f"hn-farmer-{i}", "role": "nong_dan", "province_code": HANOI,
                  "commune_code": CUA_NAM, "sector": "thuy_san"} for i in range(2)]
        rows += [{"external_id": f"hcm-head-{i}", "role": "chu_nhiem", "province_code": HCMC} for i in range(2)]
        rows += [{"external_id": "hn-head-quiet", "role": "chu_nhiem", "province_code": HANOI,
                  "announcements": False}]
        await add_users(s, [{"channel": "test"} | r for r in rows])
        await add_official(s, scope, channel="test", external_id="boss")


def _worker(sessionmaker, sender, clock=None):
    kwargs = {"clock": clock} if clock else {}
    return Worker(sessionmaker, {"test": sender}, Limits.unlimited(), "w1", config=FAST, **kwargs)


async def _compose(chat, text="Họp chủ nhiệm HTX lúc 8h ngày 25/11 tại UBND xã."):
    await chat.send("/guithongbao")
    assert "Soạn thông báo" in chat.last_text
    await chat.send(text)


async def test_an_official_sees_the_preview_and_the_count_then_heads_of_the_province_receive_it(bot, sessionmaker):
    await _world(sessionmaker)
    chat = Chat(bot, user="boss")
    text = "Tập huấn <Luật HTX 2023> & hỏi đáp, 8h ngày 25/11."
    await _compose(chat, text)
    preview = chat.replies[-2].text
    assert preview == views.message_text(text, "test"), "the preview is the message exactly as delivered"
    assert "&lt;Luật HTX 2023&gt;" in preview and "/tatthongbao" in preview
    assert "Xem trước" in chat.last_text
    await chat.tap("ok")
    assert "Gửi cho ai" in chat.last_text
    await chat.tap("heads")
    assert "<b>3</b> người" in chat.last_text, "3 heads in Hà Nội accept announcements (not HCM, not the quiet one)"
    await chat.tap("send_now")
    assert "đang được gửi tới 3 người" in chat.last_text
    sender = RecordingSender()
    await _worker(sessionmaker, sender).run_until_idle(30)
    assert sorted(sender.recipients()) == ["hn-head-0", "hn-head-1", "hn-head-2"]
    assert all(sent == views.message_text(text, "test") for _, _, sent in sender.sent)
    await chat.send("/thongbao")
    assert chat.said("Đã gửi 3/3") and chat.said("đã gửi xong")


async def test_a_sector_or_a_commune_narrows_the_audience(bot, sessionmaker):
    await _world(sessionmaker)
    chat = Chat(bot, user="boss")
    await _compose(chat)
    await chat.tap("ok")
    await chat.tap("sector")
    await chat.send("thuỷ sản")
    assert "<b>2</b> người" in chat.last_text and "Thủy sản" in chat.last_text
    await chat.tap("audience")
    await chat.tap("commune")
    await chat.send("Hoàn Kiếm")
    assert "<b>3</b> người" in chat.last_text


async def test_an_official_cannot_reach_another_province(bot, sessionmaker):
    await _world(sessionmaker)
    chat = Chat(bot, user="boss")
    await _compose(chat)
    await chat.tap("ok")
    await chat.tap("province")
    await chat.send("Hồ Chí Minh")
    assert chat.said("ngoài phạm vi đó")
    assert "Gửi cho ai" in chat.last_text, "back to choosing the audience"
    async with sessionmaker() as s:
        assert (await s.execute(select(Announcement))).first() is None


async def test_a_commune_official_cannot_widen_to_the_province(bot, sessionmaker):
    await _world(sessionmaker, Scope("commune", HANOI, CUA_NAM))
    chat = Chat(bot, user="boss")
    await _compose(chat)
    await chat.tap("ok")
    await chat.tap("commune")
    await chat.send("Hoàn Kiếm")
    assert chat.said("ngoài phạm vi đó")
    await chat.tap("everyone")
    assert "<b>2</b> người" in chat.last_text, "only the two farmers of Cửa Nam"


async def test_a_non_official_learns_nothing_about_the_officials_commands(bot, sessionmaker):
    await _world(sessionmaker)
    chat = Chat(bot, user="hn-farmer-0")
    await chat.send("/lenhkhongco")
    unknown = chat.last_text.replace("lenhkhongco", "")
    for command in ("guithongbao", "thongbao", "huythongbao 1"):
        await chat.send(f"/{command}")
        assert chat.last_text.replace(command.split()[0], "") == unknown
    await chat.send("/start")
    await chat.tap("announcements")
    assert chat.said("đang <b>nhận</b> thông báo") and "/tatthongbao" in chat.replies[-2].text
    assert not any("Soạn thông báo" in r.text for r in chat.replies)


async def test_a_scheduled_announcement_waits_for_its_time_and_a_past_time_is_refused(bot, sessionmaker):
    await _world(sessionmaker)
    chat = Chat(bot, user="boss")
    await _compose(chat)
    await chat.tap("ok")
    await chat.tap("farmers")
    await chat.tap("schedule")
    await chat.send("10:00")
    assert chat.said("đã qua")
    await chat.send("20:00")
    assert "lúc <b>20:00 ngày 22/11/2026</b>" in chat.last_text
    sender = RecordingSender()
    clock = FrozenClock(dt.datetime(2026, 11, 22, 19, 59, tzinfo=LOCAL).astimezone(dt.UTC))
    await _worker(sessionmaker, sender, clock).run_until_idle(30)
    assert sender.sent == []
    clock.advance(minutes=2)
    await _worker(sessionmaker, sender, clock).run_until_idle(30)
    assert sorted(sender.recipients()) == ["hn-farmer-0", "hn-farmer-1"]


async def test_cancel_before_delivery_then_history_and_cancel_by_number(bot, sessionmaker):
    await _world(sessionmaker)
    chat = Chat(bot, user="boss")
    await _compose(chat)
    await chat.tap("ok")
    await chat.tap("everyone")
    await chat.tap("schedule")
    await chat.send("ngày mai 7h")
    await chat.tap("cancel")
    assert chat.said("Đã huỷ thông báo") and chat.said("Không gửi do huỷ: 5")
    sender = RecordingSender()
    await _worker(sessionmaker, sender, FrozenClock(NOW + dt.timedelta(days=2))).run_until_idle(30)
    assert sender.sent == []
    await chat.send("/thongbao")
    assert chat.said("đã huỷ")
    async with sessionmaker() as s, s.begin():
        other = Announcement(text="x", audience={"kind": "everyone"}, scope_level="province", province_code=HCMC)
        s.add(other)
    await chat.send(f"/huythongbao {other.id}")
    assert chat.said(f"Không có thông báo số {other.id} trong phạm vi của bạn")
    await chat.send("/huythongbao 1")
    assert chat.said("đã được huỷ trước đó")


async def test_heads_who_have_not_reported_this_month_and_linked_heads(bot, sessionmaker):
    await _world(sessionmaker)
    async with sessionmaker() as s, s.begin():
        heads = {u.external_id: u for u in (await s.execute(select(User).where(User.role == "chu_nhiem"))).scalars()}
        quiet, busy = Cooperative(name="HTX Im Lặng", form="hop_tac_xa", province_code=HANOI, commune_code=HOAN_KIEM), \
            Cooperative(name="HTX Chăm Chỉ", form="hop_tac_xa", province_code=HANOI, commune_code=HOAN_KIEM)
        s.add_all([quiet, busy])
        await s.flush()
        await link_reporter(s, heads["hn-head-0"].id, quiet.id, "head")
        await link_reporter(s, heads["hn-head-1"].id, busy.id, "head")
        await link_reporter(s, heads["hcm-head-0"].id, quiet.id, "head")  # outside the scope
        s.add(MonthlyReport(cooperative_id=busy.id, period="2026-11", members=9, workers=3, revenue=1,
                            status="on_dinh", reference="R1"))
    chat = Chat(bot, user="boss")
    await _compose(chat)
    await chat.tap("ok")
    await chat.tap("linked_heads")
    assert "<b>2</b> người" in chat.last_text
    await chat.tap("audience")
    await chat.tap("not_reported")
    assert "(11/2026)" in chat.last_text and "<b>1</b> người" in chat.last_text
    await chat.tap("send_now")
    sender = RecordingSender()
    await _worker(sessionmaker, sender).run_until_idle(30)
    assert sender.recipients() == ["hn-head-0"]
    async with sessionmaker() as s:
        stored = (await s.execute(select(Announcement))).scalar_one()
    assert stored.audience == {"kind": "not_reported", "month": "2026-11"}


async def test_a_text_too_long_for_any_channel_is_refused_and_the_longest_fits_telegram_and_zalo(bot, sessionmaker):
    await _world(sessionmaker)
    chat = Chat(bot, user="boss")
    await _compose(chat, "x" * (MAX_TEXT + 1))
    assert chat.said(f"quá giới hạn {MAX_TEXT:,}".replace(",", "."))
    longest = "🌾" * MAX_TEXT
    assert len(plain(views.message_text(longest, "zalo"))) <= 2000
    assert len(plain(views.message_text(longest, "telegram")).encode("utf-16-le")) // 2 <= 4096
