"""Zalo Bot API polling as Zalo behaves: getUpdates has no offset, hands consumed updates back and answers at
once while its queue is not empty; getWebhookInfo answers 404 when no webhook is set."""

from __future__ import annotations

import asyncio
import time

from tests.channels.zalo_helpers import HOOK, SECRET, TOKEN, ZaloUser, running
from tests.fakes.zalo_api import ZaloBotFake


async def test_polling_keeps_a_minimum_interval_when_zalo_answers_at_once(database_url, engine):
    interval = 0.25
    async with ZaloBotFake(token=TOKEN, redeliveries=10**9) as zalo:  # the queue never empties
        async with running(database_url, zalo, zalo_poll_interval=interval):
            user = ZaloUser(zalo, "u-1")
            await user.say("/start", "Bạn là ai")
            polls_before, started = len(zalo.calls), time.monotonic()
            await asyncio.sleep(1.0)
            polls, elapsed = len(zalo.calls) - polls_before, time.monotonic() - started
        assert sum("Bạn là ai" in t for t in user.received) == 1  # handed back again and again, answered once
    assert 1 <= polls <= elapsed / interval + 2  # a spinning loop makes hundreds of calls in that second


async def test_polling_starts_whether_or_not_a_webhook_is_set(database_url, engine):
    async with ZaloBotFake(token=TOKEN) as zalo:
        async with running(database_url, zalo):  # nothing to delete: getWebhookInfo answers 404
            await ZaloUser(zalo, "u-2").say("/start", "Bạn là ai")
        assert [(c.method, c.status) for c in zalo.calls][0] == ("getWebhookInfo", 404)
        zalo.webhook = {"url": HOOK, "secret_token": SECRET, "updated_at": 0}  # left over from webhook mode
        async with running(database_url, zalo):
            assert zalo.webhook["url"] == ""
            await ZaloUser(zalo, "u-3").say("/start", "Bạn là ai")


async def test_a_message_handed_back_after_a_restart_is_not_answered_again(database_url, engine):
    async with ZaloBotFake(token=TOKEN, redeliveries=0) as zalo:
        user = ZaloUser(zalo, "u-4")
        async with running(database_url, zalo):
            first = zalo.user_says("u-4", "/start", display_name=user.name)
            await zalo.wait_for(lambda: any("Bạn là ai" in t for t in user.received))
            for n in range(21):  # more messages than a conversation remembers the ids of
                await user.say(f"hỏi {n}", "")
        async with running(database_url, zalo):  # a new process on the same database
            zalo.updates.append(first)  # Zalo hands the first message back
            await user.say("2", "tỉnh/thành phố nào")  # answered after the handed-back one, in order
        assert sum("Xin chào Chị Hoa" in t for t in user.received) == 1


async def test_a_malformed_update_from_polling_is_dropped_and_polling_goes_on(database_url, engine):
    async with ZaloBotFake(token=TOKEN) as zalo, running(database_url, zalo):
        bad = zalo.user_says("u-5", "/start")
        bad["message"]["from"] = "u-5"  # a string where an object belongs
        zalo.updates.append(["not", "an", "update"])
        zalo.updates.append("x")
        await ZaloUser(zalo, "u-6").say("/start", "Bạn là ai")
        assert zalo.messages_to("u-5") == []
