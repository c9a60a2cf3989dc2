"""Zalo Official Account end to end: signed webhook events, replies, single-use token refresh, message rules."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import sys
import textwrap
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select, update

from bot.app import build_app, build_web
from bot.settings import Settings
from db.base import utcnow
from db.models import Delivery, OAContact, OAToken, User
from flows.announcements.outbox import create_announcement
from flows.engine.delivery import PermanentError
from flows.join.scope import Scope
from tests.announcements.helpers import add_users
from tests.chat import fixed_clock
from tests.fakes.zalo_oa import ZaloOAFake, oa_text_event, post_oa_event

APP_ID, SECRET = "4321", "oa-secret-key"
ROOT = Path(__file__).resolve().parents[2]


def _settings(database_url: str, oa: ZaloOAFake, **extra) -> Settings:
    return Settings(**{
        "database_url": database_url, "telegram_bot_token": None, "zalo_bot_token": None,
        "zalo_oa_app_id": APP_ID, "zalo_oa_secret_key": SECRET, "zalo_oa_access_token": "access-0",
        "zalo_oa_refresh_token": "refresh-0", "zalo_oa_api_base_url": oa.openapi_base,
        "zalo_oa_oauth_base_url": oa.oauth_base, **extra})


@contextlib.asynccontextmanager
async def running(database_url, oa, **extra):
    """The app serving the OA webhook on 127.0.0.1; yields (app, webhook URL)."""
    app = build_app(_settings(database_url, oa, **extra), clock=fixed_clock(), parts=["zalo"])
    server = TestServer(build_web(app), host="127.0.0.1")
    await server.start_server()
    await app.start()
    try:
        yield app, str(server.make_url("/zalo-oa/webhook"))
    finally:
        await app.stop()
        await server.close()


def _to(oa: ZaloOAFake, user_id: str) -> list[str]:
    return [c.text or "" for c in oa.sent if c.chat_id == user_id]


async def say(oa, url, user_id, text, expect, **post) -> None:
    """A user writes to the OA; wait for a new reply containing `expect`."""
    before = len(_to(oa, user_id))
    assert await post_oa_event(url, oa_text_event(APP_ID, user_id, text), APP_ID, SECRET, **post) == 200
    await oa.wait_for(lambda: any(expect in t for t in _to(oa, user_id)[before:]), timeout=10)


async def _token_row(sessionmaker) -> OAToken:
    async with sessionmaker() as s:
        return (await s.execute(select(OAToken))).scalar_one()


async def test_a_farmer_is_onboarded_through_the_official_account(database_url, engine, sessionmaker):
    async with ZaloOAFake(APP_ID, SECRET) as oa, running(database_url, oa) as (_app, url):
        await say(oa, url, "oa-1", "/start", "Bạn là ai")
        assert "1. " in _to(oa, "oa-1")[-1]
        await say(oa, url, "oa-1", "1", "tỉnh/thành phố nào", with_mac_prefix=False)  # "mac=" is optional
        await say(oa, url, "oa-1", "vinh long", "xã/phường nào")
        await say(oa, url, "oa-1", "long hiep", "thông báo")
        await say(oa, url, "oa-1", "không", "Menu chính")
        assert all(c.params["recipient"] == {"user_id": "oa-1"} and "<b>" not in c.text for c in oa.sent)
        assert oa.refresh_calls == 0
    async with sessionmaker() as s:
        user = (await s.execute(select(User).where(User.channel == "zalo_oa"))).scalar_one()
        contact = await s.get(OAContact, (APP_ID, "oa-1"))
    assert (user.external_id, user.role, user.onboarded, user.announcements) == ("oa-1", "nong_dan", True, False)
    assert contact is not None and contact.sent_since >= 1


async def test_bad_signatures_and_other_apps_are_refused_and_nothing_is_processed(database_url, engine, sessionmaker):
    async with ZaloOAFake(APP_ID, SECRET) as oa, running(database_url, oa) as (_app, url):
        event = oa_text_event(APP_ID, "oa-2", "/start")
        assert await post_oa_event(url, event, APP_ID, "wrong-secret") == 403
        assert await post_oa_event(url, event, APP_ID, SECRET, timestamp="1") == 403  # signed another timestamp
        assert await post_oa_event(url, oa_text_event("9999", "oa-2", "/start"), "9999", SECRET) == 403
        async with sessionmaker() as s:
            assert (await s.execute(select(func.count()).select_from(User))).scalar_one() == 0
        assert oa.calls == []
        await say(oa, url, "oa-2", "/start", "Bạn là ai")


async def test_a_redelivered_event_is_handled_once(database_url, engine):
    async with ZaloOAFake(APP_ID, SECRET) as oa, running(database_url, oa) as (_app, url):
        event = oa_text_event(APP_ID, "oa-3", "/start", msg_id="m-1")
        for _ in range(3):
            assert await post_oa_event(url, event, APP_ID, SECRET) == 200
        await say(oa, url, "oa-3", "2", "tỉnh/thành phố nào")
        assert sum("Bạn là ai" in t for t in _to(oa, "oa-3")) == 1


async def test_a_refused_access_token_is_refreshed_once_and_both_tokens_are_stored(database_url, engine, sessionmaker):
    async with ZaloOAFake(APP_ID, SECRET) as oa, running(database_url, oa) as (_app, url):
        await say(oa, url, "oa-4", "/start", "Bạn là ai")
        oa.expire_access_tokens()
        await say(oa, url, "oa-4", "1", "tỉnh/thành phố nào")
        await say(oa, url, "oa-4", "ha noi", "xã/phường nào")
        assert oa.refresh_calls == 1 and oa.reused_refresh_tokens == []
    row = await _token_row(sessionmaker)
    assert (row.access_token, row.refresh_token) == ("access-1", "refresh-1") and row.expires_at is not None


async def test_an_expiring_access_token_is_refreshed_before_use(database_url, engine, sessionmaker):
    async with sessionmaker() as s, s.begin():
        s.add(OAToken(app_id=APP_ID, access_token="access-0", refresh_token="refresh-0",
                      expires_at=utcnow() + dt.timedelta(minutes=2)))
    async with ZaloOAFake(APP_ID, SECRET) as oa, running(database_url, oa, zalo_oa_proactive_per_month=5) as (app, _):
        await app.senders["zalo_oa"].send("oa-5", "Thông báo")
        assert oa.refresh_calls == 1 and oa.sent[-1].text.startswith("Thông báo")
    assert (await _token_row(sessionmaker)).refresh_token == "refresh-1"


async def test_two_apps_racing_to_refresh_use_the_refresh_token_once(database_url, engine, sessionmaker):
    async with ZaloOAFake(APP_ID, SECRET) as oa:
        extra = {"zalo_oa_proactive_per_month": 1000}
        async with running(database_url, oa, **extra) as (one, _), running(database_url, oa, **extra) as (two, _):
            await one.senders["zalo_oa"].send("oa-0", "Chào")  # both processes hold access-0 ...
            await two.senders["zalo_oa"].send("oa-0", "Chào")
            oa.expire_access_tokens()  # ... when it stops working
            sends = [app.senders["zalo_oa"].send(f"oa-{i}", f"Tin {i}") for i in range(10) for app in (one, two)]
            await asyncio.gather(*sends)
        assert oa.reused_refresh_tokens == [] and oa.refresh_calls == 1
        assert len(oa.sent) == 22
    assert (await _token_row(sessionmaker)).refresh_token == "refresh-1"


_PROCESS = textwrap.dedent("""
    import asyncio, sys
    from bot.app import build_app
    from bot.settings import Settings

    async def main(url, base, name):
        settings = Settings(database_url=url, telegram_bot_token=None, zalo_oa_app_id="4321",
                            zalo_oa_secret_key="oa-secret-key", zalo_oa_access_token="access-0",
                            zalo_oa_refresh_token="refresh-0", zalo_oa_api_base_url=base,
                            zalo_oa_oauth_base_url=base, zalo_oa_proactive_per_month=1000)
        app = build_app(settings, parts=["zalo"])
        try:
            oa = app.senders["zalo_oa"]
            await asyncio.gather(*(oa.send(f"{name}-{i}", "Tin") for i in range(10)))
        finally:
            await app.senders["zalo_oa"].stop_sending()
            await app.close()

    asyncio.run(main(*sys.argv[1:]))
""")


async def test_two_processes_racing_to_refresh_use_the_refresh_token_once(database_url, engine, sessionmaker):
    async with ZaloOAFake(APP_ID, SECRET) as oa:
        oa.expire_access_tokens()
        oa.inject("refresh", delay=0.3)  # a slow OAuth answer widens the window for a race
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        procs = [await asyncio.create_subprocess_exec(sys.executable, "-c", _PROCESS, database_url, oa.base_url, name,
                                                      cwd=ROOT, env=env, stderr=asyncio.subprocess.PIPE)
                 for name in ("a", "b")]
        results = [await asyncio.wait_for(p.communicate(), 60) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], [err.decode()[-2000:] for _, err in results]
        assert oa.reused_refresh_tokens == [] and oa.refresh_calls == 1
        assert len(oa.sent) == 20
    assert (await _token_row(sessionmaker)).refresh_token == "refresh-1"


async def _announce(sessionmaker, external_ids):
    async with sessionmaker() as session, session.begin():
        await add_users(session, [{"channel": "zalo_oa", "external_id": e, "province_code": 86} for e in external_ids])
        return await create_announcement(session, None, Scope("province", 86), "Họp thành viên", {"kind": "everyone"})


async def _deliveries(sessionmaker, announcement_id) -> dict[str, Delivery]:
    async with sessionmaker() as s:
        rows = await s.execute(select(Delivery).where(Delivery.announcement_id == announcement_id))
        return {d.external_id: d for d in rows.scalars()}


async def test_announcements_respect_the_reply_window_and_the_queue_records_why_not(database_url, engine, sessionmaker):
    from bot.wiring.announcements import make_worker

    async with ZaloOAFake(APP_ID, SECRET) as oa, running(database_url, oa) as (app, url):
        await say(oa, url, "oa-recent", "/start", "Bạn là ai")  # wrote just now: inside the window
        async with sessionmaker() as s, s.begin():
            s.add(OAContact(app_id=APP_ID, user_id="oa-old", last_message_at=utcnow() - dt.timedelta(hours=49)))
            s.add(OAContact(app_id=APP_ID, user_id="oa-busy", last_message_at=utcnow(), sent_since=8))
            await s.execute(update(User).where(User.external_id == "oa-recent").values(province_code=86))
        ann = await _announce(sessionmaker, ["oa-old", "oa-busy", "oa-never"])
        counters = await make_worker(app).run_until_idle(60)
        assert counters.sent == 1 and counters.failed == 3
        assert [t for t in _to(oa, "oa-recent") if t.startswith("Họp thành viên")]
        assert not any(_to(oa, u) for u in ("oa-old", "oa-busy", "oa-never"))
    rows = await _deliveries(sessionmaker, ann.id)
    assert rows["oa-recent"].status == "sent"
    for user in ("oa-old", "oa-busy", "oa-never"):
        assert rows[user].status == "failed" and "48 h window" in rows[user].last_error and "proactive" in rows[user].last_error


async def test_the_proactive_quota_is_shared_and_not_spent_on_failed_sends(database_url, engine, sessionmaker):
    async with ZaloOAFake(APP_ID, SECRET) as oa:
        async with running(database_url, oa, zalo_oa_proactive_per_month=2) as (app, _url):
            sender = app.senders["zalo_oa"]
            oa.inject("send", status=-201, description="Parameters are invalid")
            with pytest.raises(PermanentError, match="-201"):
                await sender.send("oa-a", "Tin một")  # refused by Zalo: the quota is given back
            await sender.send("oa-a", "Tin một")
            await sender.send("oa-b", "Tin hai")
            with pytest.raises(PermanentError, match="proactive quota"):
                await sender.send("oa-c", "Tin ba")
        assert [c.chat_id for c in oa.sent] == ["oa-a", "oa-b"]
    async with sessionmaker() as s:
        assert (await s.execute(select(func.count()).select_from(OAContact))).scalar_one() == 0
