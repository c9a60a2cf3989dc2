"""Limits that hold across identities: a web visitor without a cookie is a new user every time, so
invite-code guesses and new visitors are limited per client address and for everyone together."""

from __future__ import annotations

import datetime as dt

import pytest
from aiohttp import ClientSession, CookieJar
from aiohttp.test_utils import TestServer
from sqlalchemy import func, insert, select

from bot.app import build_app, build_web
from bot.settings import Settings
from db.base import utcnow
from db.models import CodeAttempt, User
from flows.join import invites
from tests.chat import Chat, fixed_clock
from tests.registry.world import coop

GUESS = "/thamgia ZZZZZZZZ"


async def _serve(database_url: str, **settings):
    app = build_app(Settings(database_url=database_url, telegram_bot_token=None, web_secret="k" * 32, **settings),
                    clock=fixed_clock(), parts=["webchat"])
    server = TestServer(build_web(app), host="127.0.0.1")
    await server.start_server()
    return app, server


@pytest.fixture
async def serve(engine, database_url):
    """Start the bot with the web chat and the given limits; yields the starter."""
    started = []

    async def start(**limits):
        started.append(await _serve(database_url, **limits))
        return started[-1]

    yield start
    for app, server in started:
        await server.close()
        await app.close()


async def _guess_without_a_cookie(server: TestServer, text: str = GUESS):
    """A visitor who never keeps the cookie: every message comes from a new browser."""
    async with ClientSession(base_url=str(server.make_url("/")), cookie_jar=CookieJar(unsafe=True)) as browser:
        return await browser.post("/api/chat", json={"text": text})


async def _count(app, model) -> int:
    async with app.sessionmaker() as s:
        return await s.scalar(select(func.count()).select_from(model))


async def test_a_visitor_without_a_cookie_guessing_codes_is_refused_after_a_few_new_identities(serve):
    app, server = await serve(web_new_visitors_per_address=5, web_new_visitors_per_hour=1000)
    answers = [await _guess_without_a_cookie(server) for _ in range(8)]
    assert [r.status for r in answers] == [200] * 5 + [429] * 3
    assert "Mã này không đúng" in (await answers[0].json())["replies"][0]["html"]
    refused = await answers[-1].json()
    assert "quá nhiều lượt trò chuyện mới từ địa chỉ mạng của bạn" in refused["error"]
    assert "Set-Cookie" not in answers[-1].headers
    assert await _count(app, User) == 5 and await _count(app, CodeAttempt) == 5
    async with ClientSession(base_url=str(server.make_url("/"))) as browser:
        page = await browser.get("/")  # the page is shown, without a new identity: its API says why
        assert page.status == 200 and "Set-Cookie" not in page.headers


async def test_new_visitors_are_limited_for_everyone_together(serve):
    app, server = await serve(web_new_visitors_per_address=100, web_new_visitors_per_hour=4)
    statuses = [(await _guess_without_a_cookie(server, "/start")).status for _ in range(6)]
    assert statuses == [200, 200, 200, 200, 429, 429]
    assert await _count(app, User) == 4


async def test_wrong_codes_from_one_address_slow_down_every_new_identity_there(serve):
    app, server = await serve(web_new_visitors_per_address=100)
    for _ in range(invites.MAX_WRONG_PER_ORIGIN):
        body = await (await _guess_without_a_cookie(server)).json()
        assert "Mã này không đúng" in body["replies"][0]["html"]
    body = await (await _guess_without_a_cookie(server)).json()
    assert "tạm ngừng nhận mã mời" in body["replies"][0]["html"]
    assert await _count(app, CodeAttempt) == invites.MAX_WRONG_PER_ORIGIN  # the refused guess was not tried
    async with app.sessionmaker() as s:
        origins = set(await s.scalars(select(CodeAttempt.origin)))
    assert len(origins) == 1 and "127.0.0.1" not in next(iter(origins))  # a keyed hash, not the address


async def test_wrong_codes_of_everyone_together_slow_down_even_a_right_code(bot_engine, sessionmaker):
    async with sessionmaker() as s:
        place = await coop(s, "HTX Đồng Tâm")
        code = (await invites.create_code(s, "reporter", None, cooperative_id=place.id)).code
        guessers = [User(channel="telegram", external_id=f"g{i}") for i in range(invites.MAX_WRONG_EVERYONE)]
        s.add_all(guessers)
        await s.flush()
        now = utcnow() - dt.timedelta(minutes=1)
        await s.execute(insert(CodeAttempt), [{"user_id": g.id, "at": now} for g in guessers])
        await s.commit()
    chat = Chat(bot_engine, user="head", channel="telegram")
    await chat.send(f"/thamgia {code}")
    assert chat.said("tạm ngừng nhận mã mời") and chat.said("phút rồi gõ lại mã")
    async with sessionmaker() as s:
        assert (await invites.wait_left(s, guessers[0].id)) is not None
