"""Zalo Official Account end to end: signed webhook events, replies, single-use token refresh, message rules."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from bot.cli import load_settings
from db.base import utcnow
from db.models import Delivery, OAContact, OAToken, User
from flows.announcements.outbox import create_announcement
from flows.engine.delivery import ChannelMisconfigured, PermanentError
from flows.join.scope import Scope
from tests.announcements.helpers import add_users
from tests.channels.zalo_helpers import APP_ID, APP_SECRET
from tests.channels.zalo_helpers import OA_SECRET as SECRET
from tests.channels.zalo_helpers import oa_received as _to
from tests.channels.zalo_helpers import oa_say as say
from tests.channels.zalo_helpers import running_oa as running
from tests.fakes.zalo_oa import ZaloOAFake, oa_text_event, post_oa_event

ROOT = Path(__file__).resolve().parents[2]


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
        await say(oa, url, "oa-1", "không", "Bạn có đồng ý")  # the privacy notice's consent
        await say(oa, url, "oa-1", "đồng ý", "Menu chính")
        assert all(c.params["recipient"] == {"user_id": "oa-1"} and "<b>" not in c.text for c in oa.sent)
        assert oa.refresh_calls == 0
    async with sessionmaker() as s:
        user = (await s.execute(select(User).where(User.channel == "zalo_oa"))).scalar_one()
        contact = await s.get(OAContact, (APP_ID, "oa-1"))
    assert (user.external_id, user.role, user.onboarded, user.announcements) == ("oa-1", "nong_dan", True, False)
    assert contact is not None and contact.sent_since >= 1


async def test_bad_signatures_and_other_apps_get_200_and_are_dropped_with_a_log_line(database_url, engine,
                                                                                    sessionmaker, caplog):
    async with ZaloOAFake(APP_ID, SECRET) as oa, running(database_url, oa) as (_app, url):
        event = oa_text_event(APP_ID, "oa-2", "/start")
        assert await post_oa_event(url, event, APP_ID, "wrong-secret") == 200  # Zalo retries anything else
        assert await post_oa_event(url, event, APP_ID, APP_SECRET) == 200  # the app secret does not sign events
        assert await post_oa_event(url, event, APP_ID, SECRET, timestamp="1") == 200  # signed another timestamp
        assert await post_oa_event(url, oa_text_event("9999", "oa-2", "/start"), "9999", SECRET) == 200
        async with sessionmaker() as s:
            assert (await s.execute(select(func.count()).select_from(User))).scalar_one() == 0
        assert oa.calls == []
        dropped = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
        assert len(dropped) == 4 and sum("bad signature" in m for m in dropped) == 3
        await say(oa, url, "oa-2", "/start", "Bạn là ai")  # the same event, signed right: taken


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
        assert oa.refresh_calls == 1 and oa.reused_refresh_tokens == [] and oa.refreshes_with_oa_key == 0
    row = await _token_row(sessionmaker)
    assert (row.access_token, row.refresh_token) == ("access-1", "refresh-1") and row.expires_at is not None


@pytest.mark.parametrize("code", [-216, -220, -124])  # invalid, expired or removed, ZNS's expired token
async def test_each_refused_token_error_leads_to_one_refresh(code, database_url, engine, sessionmaker):
    async with ZaloOAFake(APP_ID, SECRET) as oa, running(database_url, oa, zalo_oa_proactive_per_month=5) as (app, _):
        oa.inject("send", status=code, description="Access token is invalid or has expired")
        await app.senders["zalo_oa"].send("oa-6", "Thông báo")
        assert oa.refresh_calls == 1 and [c.text for c in oa.sent] == ["Thông báo"]
    assert (await _token_row(sessionmaker)).refresh_token == "refresh-1"


def test_the_oa_does_not_start_without_the_apps_secret_key(monkeypatch, capsys):
    for name, value in {"ZALO_OA_APP_ID": APP_ID, "ZALO_OA_SECRET_KEY": SECRET,
                        "ZALO_OA_REFRESH_TOKEN": "refresh-0"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("ZALO_OA_APP_SECRET", raising=False)
    monkeypatch.chdir(ROOT / "tests")  # no .env here
    with pytest.raises(SystemExit) as stopped:
        load_settings()
    (line,) = capsys.readouterr().out.strip().splitlines()
    assert stopped.value.code == 2 and line.startswith("Cấu hình không hợp lệ — ZALO_OA_APP_SECRET:")
    assert "ZALO_OA_SECRET_KEY" in line  # says it is not the webhook key


async def test_a_refused_refresh_is_a_configuration_error_shown_in_healthz(database_url, engine):
    import aiohttp

    async with ZaloOAFake(APP_ID, SECRET, app_secret="the-real-app-secret") as oa:
        async with running(database_url, oa, zalo_oa_proactive_per_month=5) as (app, url):
            oa.expire_access_tokens()
            with pytest.raises(ChannelMisconfigured, match="ZALO_OA_APP_SECRET"):
                await app.senders["zalo_oa"].send("oa-7", "Thông báo")
            async with aiohttp.ClientSession() as http, http.get(url.replace("/zalo-oa/webhook", "/healthz")) as r:
                report = await r.json()
        assert oa.sent == [] and oa.refresh_calls == 1
    assert [(p["channel"], p["setting"]) for p in report["problems"]] == [
        ("zalo_oa", "ZALO_OA_APP_SECRET, ZALO_OA_REFRESH_TOKEN")]


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
                            zalo_oa_secret_key="oa-secret-key", zalo_oa_app_secret="oa-app-secret",
                            zalo_oa_access_token="access-0",
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
