"""Safe by default: a secret of its own without WEB_SECRET, a public one refused beyond loopback, cookies
Secure behind a TLS-ending proxy we trust (and only then)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp import ClientSession, CookieJar
from aiohttp.test_utils import TestServer
from itsdangerous import URLSafeTimedSerializer
from pydantic import ValidationError

from bot.app import build_app, build_web
from bot.channels.web import COOKIE
from bot.settings import Settings
from tests.chat import fixed_clock

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = "doi-khoa-nay-khi-trien-khai"  # the value the code and README used to ship


def test_without_web_secret_the_first_start_makes_one_and_later_starts_reuse_it(tmp_path):
    kept = tmp_path / "var" / "web_secret"
    first = Settings(web_secret_file=kept).web_secret.get_secret_value()
    assert kept.exists() and stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert len(first) >= 40 and first != PUBLIC and first in kept.read_text()
    assert Settings(web_secret_file=kept).web_secret.get_secret_value() == first
    assert Settings(web_secret_file=tmp_path / "other").web_secret.get_secret_value() != first
    assert Settings(web_secret_file=kept, web_secret="mot-chuoi-rieng-du-dai-va-ngau-nhien").web_secret \
        .get_secret_value() == "mot-chuoi-rieng-du-dai-va-ngau-nhien"


def test_a_public_secret_is_refused_beyond_loopback_and_allowed_on_it(tmp_path):
    for host in ("0.0.0.0", "::", "192.0.2.10"):
        with pytest.raises(ValidationError, match="giá trị công khai"):
            Settings(web_secret=PUBLIC, listen_host=host)
    for host in ("127.0.0.1", "localhost", "::1"):
        assert Settings(web_secret=PUBLIC, listen_host=host).web_secret.get_secret_value() == PUBLIC


def test_htxbot_run_with_the_public_secret_on_all_addresses_stops_with_one_clear_line(tmp_path):
    env = {**os.environ, "WEB_SECRET": PUBLIC, "LISTEN_HOST": "0.0.0.0", "PYTHONPATH": str(ROOT),
           "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"}
    done = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == 1 and "WEB_SECRET" in lines[0] and "giá trị công khai" in lines[0], done.stdout
    assert "Traceback" not in done.stderr


@pytest.fixture
async def serve(engine, database_url, tmp_path):
    """Start the bot's web chat with these settings; yields the starter."""
    started = []

    async def start(**settings):
        app = build_app(Settings(database_url=database_url, telegram_bot_token=None,
                                 web_secret_file=tmp_path / "web_secret", **settings),
                        clock=fixed_clock(), parts=["webchat"])
        server = TestServer(build_web(app), host="127.0.0.1")
        await server.start_server()
        started.append((app, server))
        return server

    yield start
    for app, server in started:
        await server.close()
        await app.close()


async def _post(server: TestServer, headers: dict[str, str] | None = None, cookie: str | None = None):
    jar = CookieJar(unsafe=True)
    async with ClientSession(base_url=str(server.make_url("/")), cookie_jar=jar) as browser:
        response = await browser.post("/api/chat", json={"text": "/start"}, headers=headers or {},
                                      cookies={COOKIE: cookie} if cookie else None)
        await response.read()
        return response


async def test_a_cookie_forged_with_the_public_secret_is_a_stranger(serve, tmp_path):
    server = await serve()
    forged = URLSafeTimedSerializer(PUBLIC, salt="htxbot.web.user").dumps("ban-do-cua-can-bo-tinh-123")
    response = await _post(server, cookie=forged)
    assert response.status == 200
    secret = (tmp_path / "web_secret").read_text().strip()
    visitor = URLSafeTimedSerializer(secret, salt="htxbot.web.user").loads(response.cookies[COOKIE].value)
    assert visitor != "ban-do-cua-can-bo-tinh-123"  # not believed: a new visitor with an id of their own


async def test_cookies_are_secure_behind_a_trusted_proxy_that_ends_tls(serve):
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    trusted = await serve(trusted_proxies="127.0.0.1, 10.0.0.0/8")
    assert (await _post(trusted, https)).cookies[COOKIE]["secure"]
    assert not (await _post(trusted)).cookies[COOKIE]["secure"]  # plain http through the proxy: not Secure
    untrusted = await serve(trusted_proxies="10.0.0.1")
    assert not (await _post(untrusted, https)).cookies[COOKIE]["secure"]  # anyone can send the header
    nobody = await serve()
    assert not (await _post(nobody, https)).cookies[COOKIE]["secure"]


async def test_behind_a_trusted_proxy_limits_count_the_forwarded_client_not_the_proxy(serve):
    server = await serve(trusted_proxies="127.0.0.1", web_new_visitors_per_address=2)
    first, second = {"X-Forwarded-For": "203.0.113.7"}, {"X-Forwarded-For": "198.51.100.9, 127.0.0.1"}
    assert [(await _post(server, first)).status for _ in range(3)] == [200, 200, 429]
    assert [(await _post(server, second)).status for _ in range(3)] == [200, 200, 429]
    spoofing = await serve(web_new_visitors_per_address=2)  # no trusted proxy: the header is ignored
    assert [(await _post(spoofing, {"X-Forwarded-For": f"192.0.2.{n}"})).status for n in range(3)] == [200, 200, 429]
