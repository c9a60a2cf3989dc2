"""The web chat's JSON API over HTTP: who a visitor is (signed cookie), what it refuses, what it answers."""

from __future__ import annotations

import base64
import json

import pytest
from aiohttp import ClientSession, CookieJar, web
from aiohttp.test_utils import TestServer
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from bot.catalog import all_flows
from bot.channels.web import COOKIE, MAX_BODY, WebChat, safe_html, session_tag
from bot.settings import Settings
from db.models import User
from flows.engine.dsl import Command, Flow, Show
from flows.engine.engine import Engine
from flows.engine.messages import Document
from tests.chat import fixed_clock
from tests.serving import served as served_app

SECRET = "khoa-thu-nghiem"


@pytest.fixture
async def served(engine, database_url):
    """The bot with only the web chat installed, on the test database; yields its App and server."""
    settings = Settings(database_url=database_url, web_secret=SECRET, telegram_bot_token=None)
    async with served_app(settings, ["webchat"]) as (app, server):
        yield app, server


def _browser(server: TestServer) -> ClientSession:
    """A new browser: its own cookie jar (accepting cookies from 127.0.0.1), talking to the server."""
    return ClientSession(base_url=str(server.make_url("/")), cookie_jar=CookieJar(unsafe=True))


@pytest.fixture
async def visitor(served):
    """One browser talking to the served bot."""
    async with _browser(served[1]) as client:
        yield client


async def _say(client: ClientSession, **payload) -> dict:
    response = await client.post("/api/chat", json=payload)
    assert response.status == 200, await response.text()
    return await response.json()


def _text(body: dict) -> str:
    return "\n".join(r["html"] for r in body["replies"])


def _cookie(client: ClientSession) -> str | None:
    for cookie in client.cookie_jar:
        if cookie.key == COOKIE:
            return cookie.value
    return None


async def _web_users(app) -> int:
    async with app.sessionmaker() as s:
        return await s.scalar(select(func.count()).select_from(User).where(User.channel == "web"))


async def test_a_new_visitor_gets_a_signed_cookie_and_goes_on_where_they_left(served, visitor):
    app, _server = served
    page = await visitor.get("/")
    assert page.status == 200
    header = page.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Max-Age=" in header
    user_id = URLSafeTimedSerializer(SECRET, salt="htxbot.web.user").loads(_cookie(visitor))
    assert f'data-session="{session_tag(user_id)}"' in await page.text()

    body = await _say(visitor, text="/start")
    assert "Xin chào" in _text(body) and "Bạn là ai" in _text(body)
    assert body["session"] == session_tag(user_id)
    role = body["replies"][-1]["buttons"]
    assert [b["id"] for b in role][:3] == ["onboarding.role|nong_dan", "onboarding.role|chu_nhiem",
                                           "onboarding.role|can_bo"]
    assert any(b["nav"] for b in role) and not role[0]["nav"]
    body = await _say(visitor, button="onboarding.role|nong_dan")
    assert "tỉnh/thành phố nào" in _text(body)
    async with app.sessionmaker() as s:
        user = (await s.execute(select(User).where(User.channel == "web"))).scalar_one()
    assert user.external_id == user_id  # one web user, the one the cookie names


async def test_a_forged_cookie_is_refused_and_the_visitor_starts_as_someone_new(served, visitor):
    app, server = served
    await _say(visitor, text="/start")
    await _say(visitor, button="onboarding.role|chu_nhiem")
    genuine = _cookie(visitor)
    forged_id = genuine[:-3] + ("AAA" if not genuine.endswith("AAA") else "BBB")
    other_secret = URLSafeTimedSerializer("khoa-khac", salt="htxbot.web.user").dumps("x" * 22)
    for forged in (forged_id, other_secret, "khong-phai-cookie"):
        async with _browser(server) as intruder:
            intruder.cookie_jar.update_cookies({COOKIE: forged})
            response = await intruder.post("/api/chat", json={"text": "/start"})
            assert "Bạn là ai" in _text(await response.json())  # a new user's greeting, not their next question
            fresh = response.cookies[COOKIE].value
            assert fresh not in (forged, genuine)
            assert URLSafeTimedSerializer(SECRET, salt="htxbot.web.user").loads(fresh)
    assert await _web_users(app) == 4
    body = await _say(visitor, text="ha noi")  # the genuine visitor is where they were
    assert "xã/phường nào" in _text(body)


async def test_an_oversized_body_gets_413_with_a_vietnamese_message(visitor):
    big = json.dumps({"text": "a" * (MAX_BODY + 10)})
    response = await visitor.post("/api/chat", data=big, headers={"Content-Type": "application/json"})
    assert response.status == 413
    assert "quá dài" in (await response.json())["error"]

    async def chunks():  # no Content-Length: the server stops reading at the cap
        for _ in range(100):
            yield b"a" * 1024

    response = await visitor.post("/api/chat", data=chunks(), headers={"Content-Type": "application/json"})
    assert response.status == 413
    assert "quá dài" in (await response.json())["error"]


@pytest.mark.parametrize("body", ["{không phải json", "", "\xff\xfe"])
async def test_bad_json_gets_400_with_a_vietnamese_message(visitor, body):
    response = await visitor.post("/api/chat", data=body.encode("latin-1", "replace") if body == "\xff\xfe"
                                  else body.encode(), headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert "không đúng dạng" in (await response.json())["error"]


@pytest.mark.parametrize("payload", [[1, 2], {"text": 5}, {"text": "a", "button": "b"}, {}, {"button": "x" * 300},
                                     {"button": None, "text": None}])
async def test_a_message_of_the_wrong_shape_gets_400(visitor, payload):
    response = await visitor.post("/api/chat", json=payload)
    assert response.status == 400
    assert "không hợp lệ" in (await response.json())["error"]


async def test_a_form_post_is_not_json_and_is_refused(visitor):
    response = await visitor.post("/api/chat", data={"text": "xin chào"})
    assert response.status == 415
    assert "không đúng dạng" in (await response.json())["error"]


async def test_a_stale_or_made_up_button_gets_a_graceful_answer(visitor):
    await _say(visitor, text="/start")
    await _say(visitor, button="onboarding.role|nong_dan")
    body = await _say(visitor, button="onboarding.role|can_bo")  # the role question is behind us
    assert "không còn dùng được" in _text(body)
    assert "tỉnh/thành phố nào" in _text(body)
    body = await _say(visitor, button="<script>alert(1)</script>")
    assert "không còn dùng được" in _text(body)
    assert "<script>" not in _text(body)


async def test_a_message_sent_twice_with_its_id_is_handled_once(visitor):
    """A retry after a lost answer (the page's «Thử lại» posts the same id) gets the replies it missed."""
    await _say(visitor, text="/start")
    first = await _say(visitor, button="onboarding.role|nong_dan", id="m1")
    assert first["replies"]
    again = await _say(visitor, button="onboarding.role|nong_dan", id="m1")
    assert again["replies"] == first["replies"]  # the same replies; the conversation moved once
    body = await _say(visitor, text="ha noi", id="m2")
    assert "xã/phường nào" in _text(body)


async def test_a_long_text_within_the_cap_is_answered_by_the_bot(visitor):
    body = await _say(visitor, text="lúa " * 2000)
    assert "quá dài" in _text(body) or "dài" in _text(body)


async def test_the_page_and_its_files_are_served_with_a_strict_policy(visitor):
    page = await visitor.get("/")
    html = await page.text()
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert 'placeholder="Nhập tin nhắn…"' in html and 'lang="vi"' in html
    assert "http://" not in html.replace('content="', "") and "https://" not in html  # no CDN, no fonts
    for asset in ("chat.js", "chat.css"):
        assert f"static/{asset}?v=" in html
        response = await visitor.get(f"/static/{asset}")
        assert response.status == 200
        assert "http://" not in await response.text() and "https://" not in await response.text()


def test_replies_keep_our_tags_and_show_anything_else_as_text():
    assert safe_html("<b>HTX</b> &amp; <i>tổ</i>\n<code>/start</code>") == \
        "<b>HTX</b> &amp; <i>tổ</i>\n<code>/start</code>"
    assert safe_html('<script>x()</script><img src=x onerror=y()>') == \
        "&lt;script&gt;x()&lt;/script&gt;&lt;img src=x onerror=y()&gt;"
    assert safe_html('<a href="https://luatvietnam.vn/x">luật</a>') == \
        '<a href="https://luatvietnam.vn/x" target="_blank" rel="noopener noreferrer">luật</a>'
    assert safe_html('<a href="javascript:alert(1)">x</a>').startswith("&lt;a href")
    assert safe_html("a < b <b") == "a &lt; b &lt;b"


# ---- documents --------------------------------------------------------------------------------

async def _send_draft(ctx, _arg):
    ctx.send_file(Document("dự-thảo điều lệ.docx", b"PK\x03\x04 not really a docx", "Dự thảo điều lệ"))
    return None


DRAFTS = Flow("thu_tep", [Show("x", "common/stale_button.j2")], commands=[Command("tepthu", _send_draft)])


@pytest.fixture
async def file_server(sessionmaker):
    """The web chat API over an engine with one more command that sends a file."""
    engine = Engine(sessionmaker, [*all_flows(), DRAFTS], clock=fixed_clock())
    web_app = web.Application()
    web_app.add_routes(WebChat(engine, SECRET).routes())
    server = TestServer(web_app, host="127.0.0.1")
    await server.start_server()
    try:
        yield server
    finally:
        await server.close()
        await engine.close()


async def test_a_file_is_downloaded_by_its_owner_from_a_random_link_without_the_user_id(file_server):
    async with _browser(file_server) as owner, _browser(file_server) as stranger:
        body = await _say(owner, text="/tepthu")
        (reply,) = [r for r in body["replies"] if r.get("document")]
        assert reply["document"]["filename"] == "dự-thảo điều lệ.docx"
        url = reply["document"]["url"]
        user_id = URLSafeTimedSerializer(SECRET, salt="htxbot.web.user").loads(_cookie(owner))
        token = url.rsplit("/", 1)[1]
        readable = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("latin-1")
        assert user_id not in url and user_id not in readable and "." not in token  # no signed payload
        response = await owner.get(url)
        assert response.status == 200
        assert await response.read() == b"PK\x03\x04 not really a docx"
        assert "filename*=UTF-8''d%E1%BB%B1" in response.headers["Content-Disposition"]
        assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")

        await _say(stranger, text="/start")
        refused = await stranger.get(url)
        assert refused.status == 404
        assert "hết hạn hoặc không thuộc về bạn" in await refused.text()
        tampered = await owner.get(url[:-2] + ("xx" if not url.endswith("xx") else "yy"))
        assert tampered.status == 404
