"""When the database does not answer, nobody waits for ever and nothing is lost (issue 15).

PostgreSQL goes silent behind a proxy that stops forwarding (packets dropped, not refused);
SQLite is locked by another connection. Meanwhile the web chat and the terminal say "hệ thống
đang bận", the webhook answers 503 (Telegram sends the update again), polling keeps its offset,
and /healthz says the database is down. Once the database is back, everything is answered.
"""

from __future__ import annotations

import contextlib
import io
import sqlite3

import aiohttp
from aiohttp.test_utils import TestServer
from sqlalchemy.engine import make_url

from bot.app import build_app, build_web
from bot.channels.terminal import chat
from bot.settings import Settings
from tests.chat import fixed_clock
from tests.fakes.telegram_api import TelegramFake, post_update
from tests.inbox.blackhole import BlackHole

TOKEN = "123:ABC"
HOOK = "https://htx.example/telegram/webhook"
SECRET = "outage-Test_secret"
BUSY = "hệ thống đang bận, bạn thử lại sau ít phút"


class Outage:
    """Makes the database stop answering and come back: a silent proxy (PostgreSQL) or a lock (SQLite)."""

    def __init__(self, database_url: str) -> None:
        self.direct_url = database_url
        self.url = database_url
        self.postgresql = make_url(database_url).get_backend_name() == "postgresql"
        self._proxy: BlackHole | None = None
        self._lock: sqlite3.Connection | None = None

    async def __aenter__(self) -> Outage:
        if self.postgresql:
            target = make_url(self.direct_url)
            self._proxy = await BlackHole(target.host or "127.0.0.1", target.port or 5432).__aenter__()
            self.url = target.set(host="127.0.0.1", port=self._proxy.port).render_as_string(hide_password=False)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.end()
        if self._proxy is not None:
            await self._proxy.__aexit__()

    def begin(self) -> None:
        if self._proxy is not None:
            self._proxy.cut()
        else:
            self._lock = sqlite3.connect(make_url(self.direct_url).database, isolation_level=None)
            self._lock.execute("BEGIN IMMEDIATE")  # another process holds the write lock

    def end(self) -> None:
        if self._proxy is not None:
            self._proxy.restore()
        if self._lock is not None:
            self._lock.rollback()
            self._lock.close()
            self._lock = None


@contextlib.asynccontextmanager
async def serving(database_url: str, *, webhook: bool):
    """The app (Telegram and the web chat) against a fake Bot API, through an outage-able database;
    yields (outage, tg, app, base URL)."""
    async with Outage(database_url) as outage, TelegramFake(token=TOKEN) as tg:
        hook = {"telegram_webhook_url": HOOK, "telegram_webhook_secret": SECRET} if webhook else {}
        settings = Settings(database_url=outage.url, telegram_bot_token=TOKEN, zalo_bot_token=None,
                            telegram_api_base_url=tg.base_url + "/bot", **hook)
        app = build_app(settings, clock=fixed_clock(), parts=["telegram", "webchat"])
        if not webhook:
            app.channels["telegram"].poll_timeout = 1
        server = TestServer(build_web(app), host="127.0.0.1")
        await server.start_server()
        await app.start()
        try:
            yield outage, tg, app, str(server.make_url("/")).rstrip("/")
        finally:
            outage.end()
            await app.stop()
            await server.close()


def _texts(tg: TelegramFake, chat_id: int) -> list[str]:
    return [m.get("text") or "" for m in tg.messages_to(chat_id)]


async def test_web_and_terminal_users_hear_busy_the_webhook_answers_503_and_healthz_says_down(engine, database_url):
    async with serving(database_url, webhook=True) as (outage, tg, app, base):
        async with aiohttp.ClientSession(base, timeout=aiohttp.ClientTimeout(total=60),
                                         cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async with http.get("/healthz") as r:
                assert (r.status, (await r.json())["database"]) == (200, "ok")
            outage.begin()

            async with http.post("/api/chat", json={"text": "/start", "id": "a1"}) as r:
                assert r.status == 503
                assert BUSY in (await r.json())["error"]
            out = io.StringIO()
            await chat(app.engine, "terminal-user", stdin=io.StringIO("/start\n"), stdout=out)
            assert BUSY in out.getvalue()
            update = tg.user_says(77, "/start")
            assert await post_update(f"{base}/telegram/webhook", update, secret_token=SECRET, timeout=60) == 503
            if outage.postgresql:  # a locked SQLite file still answers SELECT 1
                async with http.get("/healthz") as r:
                    assert (r.status, (await r.json())["database"]) == (503, "down")

            outage.end()
            async with http.get("/healthz") as r:
                assert r.status == 200
            async with http.post("/api/chat", json={"text": "/start", "id": "a1"}) as r:  # the page's retry
                assert r.status == 200
                assert "Bạn là ai" in "".join(reply["html"] for reply in (await r.json())["replies"])
            # Telegram sends the update again; it is answered
            assert await post_update(f"{base}/telegram/webhook", update, secret_token=SECRET) == 200
            await tg.wait_for(lambda: any("Bạn là ai" in t for t in _texts(tg, 77)), timeout=20)
    assert sum("Bạn là ai" in t for t in _texts(tg, 77)) == 1


async def test_polling_does_not_move_past_updates_the_inbox_could_not_take(engine, database_url):
    async with serving(database_url, webhook=False) as (outage, tg, _app, _base):
        outage.begin()
        tg.user_says(88, "/start")
        seen = len(tg.calls)
        # the batch was fetched, not written, and asked for again
        await tg.wait_for(lambda: sum(c.method == "getUpdates" for c in tg.calls[seen:]) >= 2, timeout=60)
        assert _texts(tg, 88) == []
        outage.end()
        await tg.wait_for(lambda: any("Bạn là ai" in t for t in _texts(tg, 88)), timeout=30)


async def test_zalo_webhooks_answer_503_while_the_database_is_away_and_the_resent_update_is_answered(
        engine, database_url):
    from tests.channels.zalo_helpers import APP_ID, OA_SECRET, oa_settings
    from tests.channels.zalo_helpers import HOOK as ZALO_HOOK
    from tests.channels.zalo_helpers import SECRET as ZALO_SECRET
    from tests.channels.zalo_helpers import TOKEN as ZALO_TOKEN
    from tests.fakes.zalo_api import ZaloBotFake, post_zalo_update
    from tests.fakes.zalo_oa import ZaloOAFake, oa_text_event, post_oa_event

    async with Outage(database_url) as outage, ZaloBotFake(token=ZALO_TOKEN) as zalo, ZaloOAFake() as oa:
        settings = oa_settings(outage.url, oa, zalo_bot_token=ZALO_TOKEN, zalo_api_base_url=zalo.base_url,
                               zalo_webhook_url=ZALO_HOOK, zalo_webhook_secret=ZALO_SECRET)
        app = build_app(settings, clock=fixed_clock(), parts=["zalo"])
        server = TestServer(build_web(app), host="127.0.0.1")
        await server.start_server()
        await app.start()
        try:
            bot_hook, oa_hook = str(server.make_url("/zalo/webhook")), str(server.make_url("/zalo-oa/webhook"))
            update = zalo.user_says("z1", "/start")
            zalo.updates.remove(update)  # delivered by the webhook, not by polling
            event = oa_text_event(APP_ID, "o1", "/start")
            outage.begin()
            assert await post_zalo_update(bot_hook, update, secret=ZALO_SECRET, timeout=60) == 503
            assert await post_oa_event(oa_hook, event, APP_ID, OA_SECRET, timeout=60) == 503
            outage.end()
            assert await post_zalo_update(bot_hook, update, secret=ZALO_SECRET) == 200  # sent again
            assert await post_oa_event(oa_hook, event, APP_ID, OA_SECRET) == 200
            await zalo.wait_for(lambda: any("Bạn là ai" in (c.text or "") for c in zalo.messages_to("z1")), timeout=20)
            await oa.wait_for(lambda: any("Bạn là ai" in str(c.params) for c in oa.sent), timeout=20)
        finally:
            outage.end()
            await app.stop()
            await server.close()
