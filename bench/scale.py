"""National scale on PostgreSQL (issue 17, item 4): a country official's and a province official's pages, chat
views, exports and the reminders job, each with its median time and the /healthz stall meanwhile.

Seeds S (1 province, 1,000 cooperatives), M (10,000) and L (33,557; 34 provinces; 133,557 users; 12 months of
updates from three in four cooperatives) with bench/scale_seed.py, starts the real app in its own process
(bench/scale_server.py), signs in both officials through the real sign-in link, talks to /canbo through the
web chat, and probes /healthz every 20 ms from another connection while each operation runs: the stall is
the slowest /healthz answer seen during the operation (it includes the database's SELECT 1), the loop lag
the longest the server's event loop was late meanwhile. Memory is the server's resident size with its
child processes' (a big export is made in one), the peak during the operation.
Usage: .venv/bin/python bench/scale.py [--sizes S,M,L] [--pg postgresql+asyncpg://…] [--rounds 3] [--reseed]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from aiohttp import ClientSession, ClientTimeout, CookieJar  # noqa: E402
from itsdangerous import URLSafeTimedSerializer  # noqa: E402

from bench.scale_probe import OP_LIMIT, PROBE_EVERY, Memory, Probe  # noqa: E402
from bench.scale_seed import BIG_PROVINCE, LAST_MONTH, MONTHS, SIZES, ensure_seeded, pg_dsn  # noqa: E402
from db.base import make_engine, make_sessionmaker  # noqa: E402
from flows.dashboard_login.flow import issue_login_token  # noqa: E402
from flows.join.accounts import add_official  # noqa: E402
from flows.join.scope import Scope  # noqa: E402

SECRET = "khoa-bench-quy-mo-quoc-gia"
PAGES = {"home": "/quan-ly/?thang={m}", "trends": "/quan-ly/xu-huong?thang={m}", "coops": "/quan-ly/hop-tac-xa?thang={m}",
         "coops not sent": "/quan-ly/hop-tac-xa?thang={m}&bao_cao=chua",
         "coops page 20": "/quan-ly/hop-tac-xa?thang={m}&trang=20",
         "coops search": "/quan-ly/hop-tac-xa?thang={m}&q=Hòa+Bình+12",
         "coops by revenue": "/quan-ly/hop-tac-xa?thang={m}&sap_xep=doanh_thu", "needs": "/quan-ly/kho-khan?thang={m}",
         "funnel": "/quan-ly/thanh-lap", "eligibility": "/quan-ly/ho-tro?thang={m}", "questions": "/quan-ly/cau-hoi",
         "announcements": "/quan-ly/thong-bao", "cooperative": "/quan-ly/hop-tac-xa/1"}
COUNTRY_ONLY = {"audit log": "/quan-ly/nhat-ky"}  # a province official is refused it
VIEWS = ("compliance", "totals", "needs")
EXPORT = f"/quan-ly/xuat/tep?tu={MONTHS[0]}&den={MONTHS[-1]}&dinh_dang={{fmt}}"


async def _timed(probe: Probe, work) -> tuple[float, float, int, float]:
    """(seconds, /healthz stall, bytes, event loop lag) of one operation."""
    await probe.loop_lag()
    start = time.perf_counter()
    size = await asyncio.wait_for(work(), OP_LIMIT)
    end = time.perf_counter()
    await asyncio.sleep(PROBE_EVERY * 3)  # a probe sent during the operation has answered
    return end - start, probe.stall(start, end), size, await probe.loop_lag()


async def _get(client: ClientSession, path: str) -> int:
    async with client.get(path) as response:
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
        size = 0
        async for chunk in response.content.iter_chunked(1 << 16):
            size += len(chunk)
        return size


async def _officials(url: str, client_of) -> dict[str, tuple[ClientSession, ClientSession]]:
    """Sign both officials in on the dashboard and as web chat visitors; returns name -> (dashboard, chat)."""
    engine = make_engine(url)
    out = {}
    try:
        for name, scope in (("country", Scope("country")), ("province", Scope("province", BIG_PROVINCE))):
            dashboard, chat = client_of(), client_of()
            async with chat.post("/api/chat", json={"text": "/start"}) as response:
                await response.read()
            visitor = URLSafeTimedSerializer(SECRET, salt="htxbot.web.user").loads(
                next(c.value for c in chat.cookie_jar if c.key == "htxbot_web"))
            async with make_sessionmaker(engine)() as session:
                official = await add_official(session, scope, channel="bench", external_id=f"bench-{name}")
                await add_official(session, scope, channel="web", external_id=visitor)
                raw = await issue_login_token(session, official.user_id)
                await session.commit()
            async with dashboard.get("/quan-ly/dang-nhap", params={"t": raw}) as opened:
                token = re.search(r'name="csrf" value="([^"]+)"', await opened.text()).group(1)
            async with dashboard.post("/quan-ly/dang-nhap", data={"t": raw, "csrf": token},
                                      allow_redirects=False) as confirmed:
                if confirmed.status != 303:
                    raise RuntimeError(f"sign-in of the {name} official failed: HTTP {confirmed.status}")
            out[name] = (dashboard, chat)
    finally:
        await engine.dispose()
    return out


async def _say(chat: ClientSession, **payload) -> dict:
    async with chat.post("/api/chat", json=payload) as response:
        if response.status != 200:
            raise RuntimeError(f"chat: HTTP {response.status}")
        return await response.json()


async def _view(chat: ClientSession, action: str) -> int:
    """One /canbo view: the menu, the action, then the month (the answer to that last message is the view)."""
    menu = await _say(chat, text="/canbo")
    buttons = [b["id"] for r in menu["replies"] for b in r["buttons"]]
    await _say(chat, button=next(b for b in buttons if b.endswith(f"|{action}")))
    body = await _say(chat, text=f"{LAST_MONTH[5:]}/{LAST_MONTH[:4]}")
    return sum(len(r["html"]) for r in body["replies"])


async def _clear_reminders(url: str) -> None:
    conn = await asyncpg.connect(pg_dsn(url))
    try:
        await conn.execute("DELETE FROM reminders_sent")
    finally:
        await conn.close()


async def bench_size(base_url: str, size_name: str, rounds: int, reseed: bool) -> list[tuple]:
    """Every figure of one size: (size, who, kind, name, median s, max stall s, bytes, peak RSS)."""
    url = await ensure_seeded(base_url, SIZES[size_name], reseed=reseed)
    log = tempfile.NamedTemporaryFile(prefix=f"scale-{size_name}-", suffix=".log", delete=False)  # noqa: SIM115
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.scale_server", url, SECRET, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=log)
    rows = []
    try:
        line = await asyncio.wait_for(server.stdout.readline(), 60)
        base = f"http://127.0.0.1:{int(line.split()[1])}"
        memory = Memory(server.pid)
        probe = Probe(base)
        probing = asyncio.create_task(probe.run(limit=3600))
        sessions: list[ClientSession] = []

        def client_of() -> ClientSession:
            client = ClientSession(base_url=base, cookie_jar=CookieJar(unsafe=True), timeout=ClientTimeout(total=OP_LIMIT))
            sessions.append(client)
            return client

        try:
            officials = await _officials(url, client_of)
            for who, (dashboard, chat) in officials.items():  # first renders compile templates: not measured
                for path in (PAGES | (COUNTRY_ONLY if who == "country" else {})).values():
                    await asyncio.wait_for(_get(dashboard, path.format(m=LAST_MONTH)), OP_LIMIT)
                for action in VIEWS:
                    await asyncio.wait_for(_view(chat, action), OP_LIMIT)
            idle_from = time.perf_counter()
            await asyncio.sleep(3)
            idle = [s for at, s in probe.seen if at >= idle_from]
            rows.append((size_name, "-", "server", "idle /healthz", statistics.median(idle), max(idle), 0,
                         memory.rss(), await probe.loop_lag()))
            for who, (dashboard, chat) in officials.items():
                for name, path in (PAGES | (COUNTRY_ONLY if who == "country" else {})).items():
                    rows.append(await _median(size_name, who, "page", name, rounds, probe, memory,
                                              lambda p=path, d=dashboard: _get(d, p.format(m=LAST_MONTH))))
                for action in VIEWS:
                    rows.append(await _median(size_name, who, "chat view", action, rounds, probe, memory,
                                              lambda a=action, c=chat: _view(c, a)))
                for fmt in ("xlsx", "csv"):
                    rows.append(await _median(size_name, who, "export 12 months", fmt, 1, probe, memory,
                                              lambda f=fmt, d=dashboard: _get(d, EXPORT.format(fmt=f))))
            dashboard = officials["country"][0]
            for _ in range(rounds):
                await _clear_reminders(url)
                rows.append(await _median(size_name, "-", "job", "reminders", 1, probe, memory,
                                          lambda: _remind(dashboard)))
            rows = _merge_jobs(rows)
        finally:
            probe.stop()
            await asyncio.wait_for(probing, 60)
            for client in sessions:
                await client.close()
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), 60)
        log.close()
    held = _held(log.name)
    print(f"  {size_name}: the server's own log ({log.name}) reported the event loop held {len(held)} times"
          + (f", at most {max(held):.0f} ms" if held else ""), flush=True)
    return rows


def _held(path: str) -> list[float]:
    """The event-loop warnings of the server's log (bot/metrics.py), in milliseconds."""
    return [float(m) for m in re.findall(r"event loop was held for (\d+) ms", Path(path).read_text())]


async def _remind(client: ClientSession) -> int:
    async with client.post("/bench/nhac-nho") as response:
        body = await response.json()
    print(f"    reminders job: {body['claimed']:,} due cooperatives claimed, {body['sent']:,} letters made "
          f"in {body['seconds']:.2f} s (server's own clock)", flush=True)
    return body["claimed"]


async def _median(size: str, who: str, kind: str, name: str, rounds: int, probe: Probe, memory: Memory, work):
    times, stalls, sizes, lags = [], [], [], []
    memory.peak = 0
    for _ in range(rounds):
        stop = asyncio.Event()
        watcher = asyncio.create_task(memory.watch(stop))
        seconds, stall, got, lag = await _timed(probe, work)
        stop.set()
        await watcher
        times.append(seconds)
        stalls.append(stall)
        sizes.append(got)
        lags.append(lag)
    row = (size, who, kind, name, statistics.median(times), max(stalls), sizes[-1], memory.peak, max(lags))
    print(f"  {_line(row)}", flush=True)
    return row


def _line(row: tuple) -> str:
    size, who, kind, name, median, stall, size_bytes, rss, lag = row
    return (f"{size:4} {who:8} {kind:16} {name:18} {median * 1000:9.0f} ms {stall * 1000:9.0f} ms {lag * 1000:9.0f} ms"
            f" {size_bytes:>13,} {rss / 2**20:8.0f} MB")


def _merge_jobs(rows: list[tuple]) -> list[tuple]:
    """The reminders rounds as one row: the median time, the largest stall."""
    jobs = [r for r in rows if r[2] == "job"]
    if not jobs:
        return rows
    first = jobs[0]
    merged = (first[0], "-", "job", "reminders", statistics.median(r[4] for r in jobs), max(r[5] for r in jobs),
              first[6], max(r[7] for r in jobs), max(r[8] for r in jobs))
    return [r for r in rows if r[2] != "job"] + [merged]


def _report(rows: list[tuple]) -> None:
    print("\nsize who      what             name                  median  /healthz stall   loop lag         bytes"
          "  server RSS")
    for row in rows:
        print(_line(row))
    large = [r for r in rows if r[0] == "L"]
    if not large:
        return
    print("\nBars at L (issue 17): pages and chat views <= 1 s (country) / 300 ms (province), XLSX <= 15 s under "
          "400 MB, reminders <= 10 s, stall <= 100 ms")
    for _size, who, kind, name, median, stall, _b, rss, _lag in large:
        bar = {"page": 1.0 if who == "country" else 0.3, "chat view": 1.0 if who == "country" else 0.3,
               "export 12 months": 15.0 if name == "xlsx" else None, "job": 10.0}.get(kind)
        over = [f"time {median:.2f} s > {bar:g} s"] if bar is not None and median > bar else []
        over += [f"stall {stall * 1000:.0f} ms"] if stall > 0.1 else []
        over += [f"RSS {rss / 2**20:.0f} MB"] if kind == "export 12 months" and rss > 400 * 2**20 else []
        print(f"  {'over: ' + '; '.join(over) if over else 'ok':40} {who} {kind} {name}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="S,M,L")
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    if not args.pg:
        raise SystemExit("PostgreSQL is needed: --pg postgresql+asyncpg://… or TEST_DATABASE_URL")
    print(f"$ {' '.join(sys.argv)}   (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)", flush=True)
    rows = []
    for name in args.sizes.split(","):
        rows += await bench_size(args.pg, name.strip().upper(), max(1, args.rounds), args.reseed)
    _report(rows)


if __name__ == "__main__":
    asyncio.run(main())
