"""What the web sends over the wire: gzip for pages and files, versioned files kept a year, an icon, and the
compressed weight of each page with what it loads (written to tests/output/page-weights.json)."""

from __future__ import annotations

import json
import re

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_app, build_web
from bot.commands.demo import prepare
from bot.settings import Settings
from bot.web.assets import shared
from tests.chat import fixed_clock
from tests.web.audit import OUTPUT
from tests.web.dashboard_site import Site

GZIP = {"Accept-Encoding": "gzip"}
BUDGET = 20 * 1024  # bytes, compressed: a page with its CSS and scripts, on a slow phone connection


@pytest.fixture
async def client(engine, database_url):
    app = build_app(Settings(database_url=database_url, telegram_bot_token=None), clock=fixed_clock(),
                    parts=["dashboard", "webchat"])
    client = TestClient(TestServer(build_web(app)), auto_decompress=False)
    await client.start_server()
    yield client
    await client.close()
    await app.stop()


async def _wire(client, path: str, headers: dict | None = None) -> tuple[int, dict, int]:
    response = await client.get(path, headers=headers or GZIP)
    body = await response.read()
    return response.status, response.headers, len(body)


async def test_pages_and_files_are_compressed_and_versioned_files_kept_a_year(client):
    status, headers, _ = await _wire(client, "/")
    assert status == 200 and headers["Content-Encoding"] == "gzip" and headers["Cache-Control"] == "no-store"
    page = await (await client.get("/", headers={"Accept-Encoding": "identity"})).text()
    for name in ("chat.css", "chat.js", "favicon.svg"):
        url = shared().url(name)
        assert url.lstrip("/") in page
        status, headers, _ = await _wire(client, url)
        assert status == 200 and headers["Cache-Control"] == "public, max-age=31536000, immutable"
        if name != "favicon.svg" or int(headers.get("Content-Length", 0)) >= 512:
            assert headers["Content-Encoding"] == "gzip"
        status, again, _ = await _wire(client, url, GZIP | {"If-None-Match": headers["ETag"]})
        assert status == 304
        status, old, _ = await _wire(client, f"/static/{name}?v=0000000000")  # an old release's URL
        assert status == 200 and old["Cache-Control"] == "no-cache"
    status, headers, _ = await _wire(client, "/favicon.ico")
    assert status == 200 and headers["Content-Type"].startswith("image/svg+xml")
    status, headers, _ = await _wire(client, "/quan-ly/dashboard.css?v=" + shared().version_of("dashboard.css"))
    assert status == 200 and "immutable" in headers["Cache-Control"] and headers["Content-Encoding"] == "gzip"
    assert (await _wire(client, "/static/nothing.js"))[0] == 404
    status, headers, _ = await _wire(client, "/", {"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in headers


async def test_the_event_stream_is_not_compressed_or_buffered(client):
    await client.post("/api/chat", json={"text": "/start", "id": "a1"})
    response = await client.get("/api/chat/events", headers=GZIP)
    assert response.headers["Content-Type"].startswith("text/event-stream")
    assert "Content-Encoding" not in response.headers
    assert await response.content.readuntil(b"\n\n") == b"retry: 3000\n\n"
    response.close()


async def test_page_weights_compressed(engine, database_url):
    """Each page as a first visit downloads it: HTML, CSS, scripts and icon, gzip-compressed, within the budget."""
    raw, _ = await prepare(database_url, fixed_clock()())
    app = build_app(Settings(database_url=database_url, telegram_bot_token=None), clock=fixed_clock(),
                    parts=["dashboard", "webchat"])
    server = TestServer(build_web(app))
    client = TestClient(server, auto_decompress=False)
    await client.start_server()
    weights: dict[str, dict[str, int]] = {}
    try:
        site = Site(app, TestClient(server))  # a browser-like client for signing in (decompresses)
        await site.client.start_server()
        assert (await site.sign_in(raw)).status == 303
        jar = site.client.session.cookie_jar.filter_cookies(client.make_url("/quan-ly/"))
        cookies = {k: v.value for k, v in jar.items()}
        async with ClientSession(cookies=cookies, auto_decompress=False) as browser:
            for path in ("/", "/quan-ly/", "/quan-ly/xu-huong", "/quan-ly/hop-tac-xa", "/quan-ly/kho-khan",
                         "/quan-ly/ho-tro", "/quan-ly/cau-hoi", "/quan-ly/thong-bao", "/quan-ly/xuat"):
                async with browser.get(client.make_url(path), headers=GZIP) as response:
                    assert response.status == 200, path
                    html_bytes = await response.read()
                    text = (await (await site.client.get(path)).text()) if path != "/" else \
                        (await (await client.get("/", headers={"Accept-Encoding": "identity"})).read()).decode()
                parts = {"html": len(html_bytes)}
                for link in re.findall(r'(?:href|src)="(/?(?:static|quan-ly)/[^"]+\.(?:css|js|svg)\?v=[^"]+)"', text):
                    async with browser.get(client.make_url("/" + link.lstrip("/")), headers=GZIP) as r:
                        parts[link.split("?")[0].rsplit("/", 1)[1]] = len(await r.read())
                parts["total"] = sum(parts.values())
                weights[path] = parts
    finally:
        await site.client.close()
        await client.close()
        await app.stop()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "page-weights.json").write_text(json.dumps(weights, indent=1))
    for path, parts in weights.items():
        assert parts["total"] <= BUDGET, (path, parts)
