"""What operators watch: /metrics over HTTP in the Prometheus text format, for loopback or a token only,
and one JSON log line per message with LOG_FORMAT=json (no text, no user id)."""

from __future__ import annotations

import json
import logging

import pytest
from aiohttp import ClientSession, CookieJar
from aiohttp.test_utils import TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.logs import setup_logging
from bot.settings import Settings
from tests.serving import served as served_app

TOKEN = "metrics-token-for-tests"


@pytest.fixture
async def served(engine, database_url):
    """The bot with the web chat and the metrics part, on the test database, served on 127.0.0.1."""
    settings = Settings(database_url=database_url, web_secret="khoa-thu-nghiem", metrics_token=TOKEN,
                        log_format="json")
    async with served_app(settings, ["webchat", "metrics"]) as (app, server):
        yield app, server


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


async def _metrics(server: TestServer, **headers: str) -> tuple[int, str]:
    async with ClientSession() as http, http.get(server.make_url("/metrics"), headers=headers) as response:
        return response.status, await response.text()


async def test_messages_and_their_answer_time_are_counted_per_channel(served):
    _app, server = served
    async with ClientSession(base_url=str(server.make_url("/")), cookie_jar=CookieJar(unsafe=True)) as browser:
        for i, text in enumerate(["/start", "menu", "/start"]):
            response = await browser.post("/api/chat", json={"text": text, "id": f"m{i}"})
            assert response.status == 200
        await browser.post("/api/chat", json={"text": "menu", "id": "m1"})  # the page sends one again
    status, text = await _metrics(server)
    assert status == 200
    samples = _samples(text)
    assert samples[("htxbot_messages_handled_total", (("channel", "web"), ("outcome", "ok")))] == 3
    assert samples[("htxbot_messages_handled_total", (("channel", "web"), ("outcome", "repeat")))] == 1
    assert samples[("htxbot_answer_seconds_count", (("channel", "web"),))] == 3
    assert ("htxbot_inbox_backlog", ()) in samples and ("htxbot_outbox_backlog", ()) in samples
    assert ("htxbot_database_errors_total", ()) in samples
    assert ("htxbot_event_loop_stalls_total", ()) in samples


async def test_metrics_are_refused_through_a_proxy_or_with_a_wrong_token(served):
    _app, server = served
    assert (await _metrics(server, **{"X-Forwarded-For": "203.0.113.7"}))[0] == 403  # a proxy on this host
    assert (await _metrics(server, **{"X-Forwarded-For": "203.0.113.7",
                                      "Authorization": "Bearer wrong"}))[0] == 403
    status, text = await _metrics(server, **{"X-Forwarded-For": "203.0.113.7", "Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and "htxbot_messages_handled" in text


async def test_a_sender_s_outcomes_are_counted(served):
    from flows.engine.delivery import RecipientGone

    app, server = served

    class Gone:
        async def send(self, external_id: str, text: str) -> None:
            raise RecipientGone("blocked")

    from bot.metrics import CountedSender, metrics_of

    sender = CountedSender(Gone(), "zalo", metrics_of(app).deliveries)
    with pytest.raises(RecipientGone):
        await sender.send("1", "xin chào")
    with pytest.raises(RecipientGone):  # the web mailbox as installed: counted too
        await app.senders["web"].send("nobody-at-all", "xin chào")
    samples = _samples((await _metrics(server))[1])
    assert samples[("htxbot_deliveries_total", (("channel", "zalo"), ("outcome", "recipient_gone")))] == 1
    assert samples[("htxbot_deliveries_total", (("channel", "web"), ("outcome", "recipient_gone")))] == 1
    assert ("htxbot_deliveries_total", (("channel", "web"), ("outcome", "sent"))) not in samples


async def test_json_logs_have_one_line_per_message_without_its_text(served, capsys):
    _app, server = served
    setup_logging("INFO", "json")
    try:
        async with ClientSession(base_url=str(server.make_url("/")), cookie_jar=CookieJar(unsafe=True)) as browser:
            await browser.post("/api/chat", json={"text": "tôi tên là Bí Mật", "id": "a1"})
            await browser.post("/api/chat", json={"text": "/start", "id": "a2"})
    finally:
        logging.getLogger().handlers.clear()
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    handled = [line for line in lines if line.get("message") == "message handled"]
    assert [(line["channel"], line["kind"], line["outcome"]) for line in handled] == [
        ("web", "text", "ok"), ("web", "command", "ok")]
    assert handled[0]["user"] == handled[1]["user"] and len(handled[0]["user"]) == 12
    assert all(line["level"] and line["time"] and line["ms"] >= 0 for line in handled)
    assert "Bí Mật" not in json.dumps(lines, ensure_ascii=False)
