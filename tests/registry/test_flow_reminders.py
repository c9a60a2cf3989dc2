"""The daily reminder job as wired into the App: once per cooperative, period and kind, whoever runs it."""

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_app
from bot.settings import Settings
from bot.wiring import reminders
from flows.join import invites
from tests.chat import Chat
from tests.registry import world

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAY_5 = dt.date(2026, 11, 5)


class Recorder:
    """A channel's sender that records what it was asked to send."""

    def __init__(self):
        self.sent: list[tuple[str, str]] = []

    async def send(self, external_id: str, text: str) -> None:
        await asyncio.sleep(0.005)
        self.sent.append((external_id, text))


def _app(database_url, **settings):
    app = build_app(Settings(database_url=database_url, **settings), parts=["reminders"])
    app.senders["telegram"] = Recorder()
    return app


async def _heads(sessionmaker, n=3):
    async with sessionmaker() as session:
        heads = []
        for i in range(n):
            heads.append((await world.head_of(session, await world.coop(session, f"HTX Nhắc {i}"))).external_id)
        await session.commit()
        return sorted(heads)


@pytest.fixture
def runs(monkeypatch):
    """Every call the job makes to remind(), with its summary."""
    calls = []
    original = reminders.remind

    async def remind(app, today):
        summary = await original(app, today)
        calls.append((today, summary))
        return summary

    monkeypatch.setattr(reminders, "remind", remind)
    return calls


async def _run_job(app, at: dt.datetime, runs, expect: int) -> None:
    """Run the app's reminder job with a clock fixed at `at` until remind() was called `expect` times in all."""
    stop = asyncio.Event()
    task = asyncio.create_task(reminders.make_job(app, clock=lambda: at)(stop))
    for _ in range(500):
        if len(runs) >= expect:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, 10)


def test_the_installer_adds_the_job_only_when_reminders_are_on(database_url):
    assert len(build_app(Settings(database_url=database_url), parts=["reminders"]).jobs) == 1
    off = build_app(Settings(database_url=database_url, reminders_enabled=False), parts=["reminders"])
    assert off.jobs == []


def test_the_job_sleeps_until_the_configured_hour_and_at_most_an_hour():
    morning = dt.datetime(2026, 11, 5, 7, 30, tzinfo=TZ)
    assert reminders.seconds_until(morning, 8) == 1800
    assert reminders.seconds_until(morning.replace(hour=9), 8) == reminders.MAX_SLEEP


async def test_the_job_run_twice_on_the_same_day_sends_once(engine, database_url, sessionmaker, runs):
    heads = await _heads(sessionmaker)
    app = _app(database_url, reminder_hour=8)
    try:
        await _run_job(app, dt.datetime(2026, 11, 5, 7, 59, tzinfo=TZ), runs, expect=0)
        assert runs == [] and app.senders["telegram"].sent == []  # before the hour: nothing
        await _run_job(app, dt.datetime(2026, 11, 5, 8, 0, tzinfo=TZ), runs, expect=1)
        await _run_job(app, dt.datetime(2026, 11, 5, 21, 0, tzinfo=TZ), runs, expect=2)  # a restart that evening
    finally:
        await app.close()
    assert [(day, s.claimed, s.sent) for day, s in runs] == [(DAY_5, 3, 3), (DAY_5, 0, 0)]
    sent = app.senders["telegram"].sent
    assert sorted(user for user, _ in sent) == heads
    assert all("/tatnhac" in text and "tháng <b>10/2026</b>" in text for _, text in sent)


async def test_two_app_instances_on_one_database_send_each_reminder_once(engine, database_url, sessionmaker, runs):
    heads = await _heads(sessionmaker, n=10)
    first, second = _app(database_url), _app(database_url)
    at = dt.datetime(2026, 11, 5, 9, 0, tzinfo=TZ)
    try:
        await asyncio.gather(_run_job(first, at, runs, expect=2), _run_job(second, at, runs, expect=2))
    finally:
        await first.close()
        await second.close()
    sent = first.senders["telegram"].sent + second.senders["telegram"].sent
    assert sorted(user for user, _ in sent) == heads
    assert sum(s.claimed for _, s in runs) == 10


async def test_a_user_on_a_channel_without_a_sender_is_reminded_when_it_is_back(engine, database_url, sessionmaker):
    heads = await _heads(sessionmaker, n=1)
    app = _app(database_url)
    recorder = app.senders.pop("telegram")
    try:
        assert (await reminders.remind(app, DAY_5)).released == 1
        app.senders["telegram"] = recorder
        assert (await reminders.remind(app, DAY_5)).sent == 1
    finally:
        await app.close()
    assert [user for user, _ in recorder.sent] == heads


async def test_a_head_who_typed_tatnhac_gets_no_reminder_until_batnhac(engine, database_url, sessionmaker, bot_engine):
    async with sessionmaker() as session:
        coop = await world.coop(session, "HTX Tắt Nhắc")
        code = (await invites.create_code(session, "reporter", None, cooperative_id=coop.id)).code
        await session.commit()
    head = Chat(bot_engine, "head")
    await head.send(f"/thamgia {code}")
    await head.send("/tatnhac")
    app = _app(database_url)
    app.senders["test"] = recorder = Recorder()
    try:
        assert (await reminders.remind(app, DAY_5)).claimed == 0
        await head.send("/batnhac")
        assert (await reminders.remind(app, DAY_5)).sent == 1
    finally:
        await app.close()
    [(user, text)] = recorder.sent
    assert user == "head" and "HTX Tắt Nhắc" in text and "10/2026" in text
