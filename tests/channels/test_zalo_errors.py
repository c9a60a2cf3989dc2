"""Zalo Bot API errors read by Zalo's own table: 403 is Zalo's trouble (not a blocked user), 401 a refused
token (a configuration error an operator must see), 429 a reason to slow down more and more."""

from __future__ import annotations

import asyncio
import re

import aiohttp
import pytest
from sqlalchemy import select

from db.models import Delivery, User
from flows.announcements.outbox import create_announcement
from flows.announcements.pacing import WorkerConfig
from flows.dashboard_login.flow import issue_login_token
from flows.engine.delivery import ChannelMisconfigured, RetryLater
from flows.join.scope import Scope
from tests.announcements.helpers import add_users
from tests.channels.zalo_helpers import TOKEN, running
from tests.fakes.zalo_api import ZaloBotFake
from tests.registry import world

QUICK = WorkerConfig(backoff_seconds=0.05, backoff_max_seconds=0.2, poll_seconds=0.05, max_attempts=1000)


async def _announce(sessionmaker, ids: list[str]):
    async with sessionmaker() as session, session.begin():
        await add_users(session, [{"channel": "zalo", "external_id": i, "province_code": 86} for i in ids])
        return await create_announcement(session, None, Scope("province", 86), "Họp thành viên lúc 8 giờ",
                                         {"kind": "everyone"})


async def test_an_announcement_during_a_zalo_403_outage_blocks_nobody_and_completes_when_zalo_recovers(
        database_url, engine, sessionmaker):
    from bot.wiring.announcements import make_worker

    ids = ["u-1", "u-2", "u-3"]
    ann = await _announce(sessionmaker, ids)
    async with ZaloBotFake(token=TOKEN) as zalo, running(database_url, zalo, webhook=True) as (app, _url):
        zalo.inject(method="sendMessage", status=403, description="Internal server error", always=True)
        worker = asyncio.create_task(make_worker(app, config=QUICK).run_until_idle(60))
        await zalo.wait_for(lambda: all(len(zalo.per_chat_calls(i)) >= 2 for i in ids), timeout=20)  # tried again
        async with sessionmaker() as s:
            during = (await s.execute(select(Delivery.status).where(Delivery.announcement_id == ann.id))).scalars()
            assert set(during) <= {"pending", "sending"}  # waiting to be tried again: neither blocked nor failed
            assert not any((await s.execute(select(User.blocked).where(User.channel == "zalo"))).scalars())
        zalo.clear_faults()  # Zalo is back
        counters = await worker
        assert {c.chat_id for c in zalo.sent} == set(ids) and counters.blocked == 0
    async with sessionmaker() as s:
        rows = (await s.execute(select(Delivery).where(Delivery.announcement_id == ann.id))).scalars().all()
        users = (await s.execute(select(User).where(User.channel == "zalo"))).scalars().all()
    assert {(d.external_id, d.status) for d in rows} == {(i, "sent") for i in ids}
    assert not any(u.blocked for u in users)


async def _dashboard_home(base_url: str, sessionmaker) -> str:
    """The dashboard's home page as a signed-in country-level official sees it."""
    async with sessionmaker() as session:
        person = await world.official(session, Scope("country"))
        raw = await issue_login_token(session, person.id)
        await session.commit()
    async with aiohttp.ClientSession(base_url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:  # an IP host
        async with browser.get("/quan-ly/dang-nhap", params={"t": raw}) as opened:
            csrf = re.search(r'name="csrf" value="([^"]+)"', await opened.text()).group(1)
        async with browser.post("/quan-ly/dang-nhap", data={"t": raw, "csrf": csrf}) as signed_in:
            assert signed_in.status == 200
        async with browser.get("/quan-ly/") as home:
            return await home.text()


async def test_a_refused_token_stops_sending_and_shows_in_healthz_and_on_the_dashboard(database_url, engine,
                                                                                     sessionmaker, caplog):
    async with ZaloBotFake(token=TOKEN) as zalo:
        async with running(database_url, zalo, webhook=True, parts=("zalo", "dashboard")) as (app, url):
            base = url.removesuffix("/zalo/webhook")
            async with aiohttp.ClientSession(base) as http, http.get("/healthz") as healthy:
                fine = await healthy.json()
            assert fine["ok"] is True and "problems" not in fine
            assert "tạm dừng gửi tin" not in await _dashboard_home(base, sessionmaker)
            zalo.token = "1234567890:a-new-secret"  # the token was revoked: Zalo answers 401 from now on
            with pytest.raises(ChannelMisconfigured):
                await app.senders["zalo"].send("u-1", "Thông báo")
            calls = len(zalo.calls)
            with pytest.raises(ChannelMisconfigured):
                await app.senders["zalo"].send("u-2", "Thông báo")
            assert len(zalo.calls) == calls  # sending stopped: Zalo is not asked again
            async with aiohttp.ClientSession(base) as http, http.get("/healthz") as health:
                report = await health.json()
            home = await _dashboard_home(base, sessionmaker)
    assert health.status == 200 and report["ok"] is False
    assert [(p["channel"], p["problem"], p["setting"]) for p in report["problems"]] == [
        ("zalo", "configuration", "ZALO_BOT_TOKEN")]
    assert "401" in report["problems"][0]["detail"] and TOKEN.split(":")[1] not in str(report)
    assert "Kênh Zalo đang tạm dừng gửi tin" in home and "ZALO_BOT_TOKEN" in home
    assert [r.levelname for r in caplog.records if "CONFIGURATION ERROR" in r.getMessage()] == ["ERROR"]


async def test_a_refused_token_keeps_an_announcement_waiting_instead_of_failing_it(database_url, engine,
                                                                                   sessionmaker):
    from bot.wiring.announcements import make_worker

    ann = await _announce(sessionmaker, ["u-1"])
    async with ZaloBotFake(token=TOKEN) as zalo, running(database_url, zalo, webhook=True) as (app, _url):
        zalo.token = "1234567890:a-new-secret"
        with pytest.raises(TimeoutError):  # the worker waits for the channel instead of finishing the delivery
            await make_worker(app, config=QUICK).run_until_idle(1.5)
    async with sessionmaker() as s:
        (delivery,) = (await s.execute(select(Delivery).where(Delivery.announcement_id == ann.id))).scalars()
        (user,) = (await s.execute(select(User).where(User.channel == "zalo"))).scalars()
    assert delivery.status == "pending" and not user.blocked
    assert len([c for c in zalo.calls if c.method == "sendMessage"]) == 1


async def test_429_slows_down_by_a_growing_delay_that_starts_over_after_a_success(database_url, engine):
    async with ZaloBotFake(token=TOKEN) as zalo, running(database_url, zalo, webhook=True) as (app, _url):
        zalo.inject(method="sendMessage", status=429, description="Quota exceeded", count=4)
        delays = []
        for _ in range(4):
            with pytest.raises(RetryLater) as waited:
                await app.senders["zalo"].send("u-1", "Thông báo")
            delays.append(waited.value.seconds)
        await app.senders["zalo"].send("u-1", "Thông báo")
        zalo.inject(method="sendMessage", status=429)
        with pytest.raises(RetryLater) as again:
            await app.senders["zalo"].send("u-1", "Thông báo")
    assert delays == sorted(delays) and delays[0] < delays[1] < delays[2] < delays[3]
    assert again.value.seconds == delays[0]
