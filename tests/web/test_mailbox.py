"""The web mailbox: what the bot sends a web visitor outside a request is kept for them, handed to their
page (events, poll) and marked read; announcements and an official's answer reach web visitors."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import delete, select

from bot.app import build_app, build_web
from bot.settings import Settings
from db.models import Conversation, Question, User, WebMessage
from flows.announcements.outbox import create_announcement
from flows.announcements.ratelimit import Limits
from flows.announcements.worker import Worker
from flows.engine.delivery import RecipientGone
from flows.join.accounts import add_official
from flows.join.scope import Scope
from tests.chat import Chat, fixed_clock
from tests.faq.test_handoff import BUFFALO, RecordingSender

VINH_LONG = 86


@pytest.fixture
async def site(engine, database_url):
    """The bot with the web chat and the assistant on a test server; officials talk on channel "test"."""
    app = build_app(Settings(database_url=database_url, telegram_bot_token=None), clock=fixed_clock(),
                    parts=["assistant", "webchat"])
    app.senders["test"] = RecordingSender()
    client = TestClient(TestServer(build_web(app)))
    await client.start_server()
    yield app, client
    await app.stop()
    await client.close()


async def _visitor(client: TestClient, app) -> tuple[str, User]:
    """A web visitor who has onboarded in Vĩnh Long; returns their id and user row."""
    response = await client.post("/api/chat", json={"text": "/start", "id": "m0"})
    assert response.status == 200
    async with app.sessionmaker() as s:
        user = (await s.scalars(select(User).where(User.channel == "web"))).one()
        user.onboarded, user.province_code, user.role = True, VINH_LONG, "nong_dan"
        await s.execute(delete(Conversation).where(Conversation.user_id == user.id))  # past onboarding, at rest
        await s.commit()
    app.engine.store.forget("web", user.external_id)
    return user.external_id, user


async def _official(app, external_id: str = "o1") -> Chat:
    async with app.sessionmaker() as s:
        await add_official(s, Scope("province", VINH_LONG), channel="test", external_id=external_id)
        await s.commit()
    return Chat(app.engine, external_id, name="Cán bộ Vĩnh Long")


async def _mailbox(client: TestClient, after: int = 0) -> list[dict]:
    response = await client.get("/api/chat/mailbox", params={"after": str(after)})
    assert response.status == 200
    return (await response.json())["items"]


async def test_an_official_answers_a_web_visitors_question_in_chat_and_it_waits_in_their_mailbox(site):
    app, client = site
    _visitor_id, _user = await _visitor(client, app)
    asked = await client.post("/api/chat", json={"text": BUFFALO, "id": "m1"})
    assert "gửi câu hỏi này cho cán bộ" in json.dumps(await asked.json(), ensure_ascii=False)
    replies = (await asked.json())["replies"]
    handoff = next(b["id"] for r in replies for b in r["buttons"] if b["id"].endswith("handoff"))
    await client.post("/api/chat", json={"button": handoff, "id": "m2"})

    official = await _official(app)
    await official.send("/cauhoi")
    async with app.sessionmaker() as s:
        [question] = (await s.scalars(select(Question))).all()
    await official.tap(str(question.id))
    await official.send("Bạn gọi ngay cán bộ thú y xã để được khám.")
    assert official.said("Đã gửi câu trả lời"), official.transcript

    [item] = await _mailbox(client)
    assert "Cán bộ Vĩnh Long trả lời câu hỏi của bạn" in item["html"] and item["unread"] is True
    assert "cán bộ thú y xã" in item["html"]
    async with app.sessionmaker() as s:
        assert (await s.get(Question, question.id)).status == "answered"

    marked = await client.post("/api/chat/mailbox/read", json={"upto": item["id"]})
    assert (await marked.json()) == {"read": 1}
    [again] = await _mailbox(client)
    assert again["unread"] is False
    assert await _mailbox(client, after=item["id"]) == []


async def test_a_stream_carries_a_message_the_moment_it_is_stored(site):
    app, client = site
    visitor_id, _user = await _visitor(client, app)
    response = await client.get("/api/chat/events")
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/event-stream")
    assert await response.content.readuntil(b"\n\n") == b"retry: 3000\n\n"
    await app.senders["web"].send(visitor_id, "📣 <b>Tập huấn</b> <script>x</script>")
    event = (await asyncio.wait_for(response.content.readuntil(b"\n\n"), 10)).decode()
    lines = dict(line.split(": ", 1) for line in event.strip().splitlines())
    data = json.loads(lines["data"])
    assert lines["event"] == "message" and int(lines["id"]) == data["id"]
    assert data["html"] == "📣 <b>Tập huấn</b> &lt;script&gt;x&lt;/script&gt;"
    response.close()


async def test_a_visitor_without_a_cookie_gets_nothing_and_a_stranger_cannot_read_or_mark(site):
    app, client = site
    visitor_id, _user = await _visitor(client, app)
    await app.senders["web"].send(visitor_id, "Tin riêng")
    stranger = TestClient(TestServer(build_web(app)))
    await stranger.start_server()
    try:
        assert (await stranger.get("/api/chat/events")).status == 204
        assert (await (await stranger.get("/api/chat/mailbox")).json()) == {"items": []}
        assert (await stranger.post("/api/chat/mailbox/read", json={"upto": 1})).status == 400
    finally:
        await stranger.close()
    assert [i["unread"] for i in await _mailbox(client)] == [True]


async def test_a_visitor_who_is_gone_is_reported_as_gone(site):
    app, _client = site
    with pytest.raises(RecipientGone):
        await app.senders["web"].send("nobody-like-this-visitor", "Xin chào")


async def test_an_announcement_reaches_web_visitors_who_opted_in_and_not_the_others(site):
    app, client = site
    visitor_id, user = await _visitor(client, app)
    async with app.sessionmaker() as s:
        s.add(User(channel="web", external_id="quiet-visitor-0000001", province_code=VINH_LONG, onboarded=True,
                   announcements=False))
        author = await add_official(s, Scope("province", VINH_LONG), channel="test", external_id="o9")
        announcement = await create_announcement(s, author.user_id, Scope("province", VINH_LONG),
                                                 "Tập huấn chuyển đổi số", {"kind": "everyone"})
        await s.commit()
    assert announcement.recipients == 1
    worker = Worker(app.sessionmaker, {"web": app.senders["web"]}, Limits.unlimited(), "test-worker")
    await worker.run_until_idle(30)
    [item] = await _mailbox(client)
    assert "Tập huấn chuyển đổi số" in item["html"] and "/tatthongbao" in item["html"]
    async with app.sessionmaker() as s:
        rows = (await s.scalars(select(WebMessage))).all()
    assert [r.user_id for r in rows] == [user.id]
    assert visitor_id


async def test_a_monthly_reminder_reaches_a_cooperative_head_who_uses_the_web_chat(site):
    """A head who linked their cooperative in the web chat is reminded there (the reminders job's senders)."""
    import datetime as dt

    from bot.wiring.reminders import remind
    from flows.join.coops import link_reporter
    from tests.registry import world

    app, client = site
    _visitor_id, user = await _visitor(client, app)
    async with app.sessionmaker() as s:
        silent = await world.coop(s, "HTX Im Lặng")
        await link_reporter(s, user.id, silent.id, "head")
        await s.commit()
    summary = await remind(app, dt.date(2026, 11, 5))  # the first reminder of the October update
    assert summary.sent == 1
    [item] = await _mailbox(client)
    assert "HTX Im Lặng" in item["html"] and item["unread"]
