"""The real app served for bench/scale.py in a process of its own, so that its memory and its event loop are
measured apart from the bench: `python -m bench.scale_server DATABASE_URL WEB_SECRET`.

It is `build_app` + `build_web` on 127.0.0.1 (port chosen by the system, printed as 'PORT n'), with one
route of the bench added: POST /bench/nhac-nho runs the reminders job of 27/11/2026 with sending excluded
(a sender that does nothing, no pacing) and answers how long it took; GET /bench/tre answers the longest
the event loop was late since the last time it was asked.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import web  # noqa: E402

from bot.app import build_app, build_web  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.wiring.reminders import paced  # noqa: E402
from flows.announcements.ratelimit import Limits  # noqa: E402
from flows.monthly_report.reminders import send_reminders  # noqa: E402

TODAY = dt.date(2026, 11, 27)


class LoopLag:
    """How late the event loop wakes a 10 ms sleep: the longest delay since the bench last asked."""

    def __init__(self) -> None:
        self.worst = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            start = time.perf_counter()
            await asyncio.sleep(0.01)
            self.worst = max(self.worst, time.perf_counter() - start - 0.01)

    async def answer(self, request: web.Request) -> web.Response:
        worst, self.worst = self.worst, 0.0
        return web.json_response({"worst": worst})


async def _nothing(_user, _text) -> None:
    """Sending excluded: the letter is made, nothing leaves."""


async def _remind(request: web.Request) -> web.Response:
    app = request.app["bench_app"]
    started = time.perf_counter()
    summary = await send_reminders(app.sessionmaker, TODAY, _nothing, deliver=paced(Limits.unlimited()))
    return web.json_response({"seconds": time.perf_counter() - started, "claimed": summary.claimed,
                              "sent": summary.sent})


async def main(url: str, secret: str) -> None:
    settings = Settings(database_url=url, web_secret=secret, telegram_bot_token=None, reminders_enabled=False,
                        listen_host="127.0.0.1", as_of_date=TODAY)
    app = build_app(settings)
    web_app = build_web(app)
    web_app["bench_app"] = app
    web_app.router.add_post("/bench/nhac-nho", _remind)
    lag = LoopLag()
    web_app.router.add_get("/bench/tre", lag.answer)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    await app.start()
    gc.freeze()  # as `htxbot run` does (bot/cli.py)
    print(f"PORT {site._server.sockets[0].getsockname()[1]}", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    lagging = asyncio.create_task(lag.run(stop))
    try:
        await asyncio.wait_for(stop.wait(), 3600)  # the bench stops it; an hour at most
    except TimeoutError:
        pass
    finally:
        stop.set()
        await lagging
        await app.stop()
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
