"""The OA webhook takes only fresh, well-formed events it has not seen, and answers 200 to everything else:
Zalo retries other answers for hours and may then disable the webhook."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from db.models import User
from tests.channels.zalo_helpers import APP_ID, OA_SECRET, oa_received, oa_say, running_oa
from tests.fakes.zalo_oa import ZaloOAFake, oa_text_event, post_oa_event


def _ms(seconds_from_now: float) -> str:
    return str(int((time.time() + seconds_from_now) * 1000))


async def _users(sessionmaker) -> int:
    async with sessionmaker() as s:
        return (await s.execute(select(func.count()).select_from(User))).scalar_one()


async def test_events_more_than_a_few_minutes_old_or_ahead_are_dropped(database_url, engine, sessionmaker, caplog):
    async with ZaloOAFake(APP_ID, OA_SECRET) as oa, running_oa(database_url, oa) as (_app, url):
        for stamp in (_ms(-600), _ms(-301), _ms(600), "1", "abc", "１２３"):  # each correctly signed
            event = oa_text_event(APP_ID, "oa-1", "/start", timestamp=stamp)
            assert await post_oa_event(url, event, APP_ID, OA_SECRET) == 200
        assert oa.calls == [] and await _users(sessionmaker) == 0
        assert sum("timestamp" in r.getMessage() for r in caplog.records) == 6
        await oa_say(oa, url, "oa-1", "/start", "Bạn là ai")  # a fresh one is taken


async def test_a_shorter_age_limit_can_be_set(database_url, engine, sessionmaker):
    async with ZaloOAFake(APP_ID, OA_SECRET) as oa:
        async with running_oa(database_url, oa, zalo_oa_event_max_age_seconds=60) as (_app, url):
            event = oa_text_event(APP_ID, "oa-2", "/start", timestamp=_ms(-120))  # fine by the default limit
            assert await post_oa_event(url, event, APP_ID, OA_SECRET) == 200
            await oa_say(oa, url, "oa-5", "/start", "Bạn là ai")  # answered after anything sent before it
        assert oa_received(oa, "oa-2") == [] and await _users(sessionmaker) == 1


async def test_an_event_replayed_after_twenty_newer_ones_and_a_restart_is_dropped(database_url, engine):
    async with ZaloOAFake(APP_ID, OA_SECRET) as oa:
        first = oa_text_event(APP_ID, "oa-3", "/start")
        async with running_oa(database_url, oa) as (_app, url):
            assert await post_oa_event(url, first, APP_ID, OA_SECRET) == 200
            await oa.wait_for(lambda: oa_received(oa, "oa-3"))
            greeting = oa_received(oa, "oa-3")[0]
            for n in range(21):  # more messages than a conversation remembers the ids of
                await oa_say(oa, url, "oa-3", f"hỏi {n}", "")
        async with running_oa(database_url, oa) as (_app, url):  # a new process on the same database
            assert await post_oa_event(url, first, APP_ID, OA_SECRET) == 200  # replayed, still fresh
            await oa_say(oa, url, "oa-3", "2", "tỉnh/thành phố nào")
        assert oa_received(oa, "oa-3").count(greeting) == 1


async def test_malformed_bodies_get_200_and_nothing_is_processed(database_url, engine, sessionmaker):
    fresh = oa_text_event(APP_ID, "oa-4", "/start")
    bodies = [[], "x", None, 5, [fresh], {**fresh, "sender": "oa-4"}, {**fresh, "sender": {"id": ["oa-4"]}},
              {**fresh, "message": "hi"}, {**fresh, "message": {"text": {"b": 1}, "msg_id": "m"}},
              {**fresh, "event_name": 7}, {**fresh, "timestamp": {"ms": 1}}, {**fresh, "app_id": [APP_ID]}]
    raws = [b"{not json", b"[" * 100_000 + b"]" * 100_000, "\ud800".encode("utf-8", "surrogatepass"), b""]
    async with ZaloOAFake(APP_ID, OA_SECRET) as oa, running_oa(database_url, oa) as (_app, url):
        for body in bodies:
            assert await post_oa_event(url, body, APP_ID, OA_SECRET, timestamp=fresh["timestamp"]) == 200, body
        for raw in raws:
            assert await post_oa_event(url, None, APP_ID, OA_SECRET, timestamp=fresh["timestamp"], raw=raw) == 200
        assert oa.calls == [] and await _users(sessionmaker) == 0
        await oa_say(oa, url, "oa-4", "/start", "Bạn là ai")
