"""Logs without secrets: the access log of `htxbot run` keeps sign-in tokens, download queries and
chat file keys out (a cookie or a session could otherwise be had from the log)."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest
from aiohttp import ClientSession, CookieJar, web

from bot.app import build_app, build_web
from bot.settings import Settings
from bot.web.access_log import runner
from flows.dashboard_login.flow import issue_login_token
from flows.join.scope import Scope
from tests.chat import fixed_clock
from tests.registry.world import HANOI, official


@pytest.fixture
async def served(engine, database_url):
    """The dashboard and the web chat served as `htxbot run` serves them; yields (app, base URL)."""
    app = build_app(Settings(database_url=database_url, telegram_bot_token=None, web_secret="k" * 32),
                    clock=fixed_clock(), parts=["dashboard", "webchat"])
    serving = runner(build_web(app))
    await serving.setup()
    site = web.TCPSite(serving, "127.0.0.1", 0)
    await site.start()
    yield app, f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
    await serving.cleanup()
    await app.close()


async def access_log(caplog, lines: int) -> str:
    """The access log once it holds `lines` lines: aiohttp writes a line after the handler returns,
    which can be just after the client has the response (waits at most 2 s)."""
    for _ in range(200):
        records = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
        if len(records) >= lines:
            break
        await asyncio.sleep(0.01)
    return "\n".join(records)


async def test_the_access_log_keeps_sign_in_tokens_download_queries_and_file_keys_out(served, caplog):
    app, base = served
    async with app.sessionmaker() as s:
        raw = await issue_login_token(s, (await official(s, Scope("province", HANOI))).id)
        await s.commit()
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    async with ClientSession(base_url=base, cookie_jar=CookieJar(unsafe=True)) as browser:
        opened = await browser.get(f"/quan-ly/dang-nhap?t={raw}", headers={"Referer": f"{base}/quan-ly/dang-nhap?t={raw}"})
        form_token = re.search(r'name="csrf" value="([^"]+)"', await opened.text()).group(1)
        signed_in = await browser.post("/quan-ly/dang-nhap", data={"t": raw, "csrf": form_token})
        assert signed_in.status == 200
        export = await browser.get("/quan-ly/xuat/tep?tu=2026-10&den=2026-10&dinh_dang=csv")
        assert export.status == 200
        await export.read()  # a streamed file is logged once its last byte is sent, not at its headers
        gone = await browser.get("/api/chat/file/Kh0aT3pBiMat_khong-duoc-ghi-lai")
        assert gone.status == 404
    logged = await access_log(caplog, lines=5)
    assert "GET /quan-ly/dang-nhap?… HTTP" in logged and "POST /quan-ly/dang-nhap HTTP" in logged
    assert "GET /quan-ly/xuat/tep?… HTTP" in logged and "GET /api/chat/file/… HTTP" in logged
    assert raw not in logged and "t=" not in logged and "dinh_dang" not in logged
    assert "Kh0aT3pBiMat" not in logged
    assert " 200 " in logged and " 404 " in logged  # the rest of each line is as aiohttp writes it
