"""Scale out: 1, then 2 `htxbot run` processes in webhook mode behind HAProxy, sharing one PostgreSQL.

Telegram is played by the fake Bot API (tests/fakes/telegram_api.py) on 127.0.0.1: every user goes
through onboarding, each message POSTed to the balancer's /telegram/webhook as Telegram would (a 503
or a broken connection: the same update again, after a pause), the next one only after the bot's
answer arrived at the fake. Printed per run: messages per second from the first update to the last
answer, and the replies lost (an expected reply that never came) and duplicated (one sent twice),
checked at the fake Bot API. Every wait is bounded; everything listens on 127.0.0.1 only.
HAProxy is Debian's package (installed with apt-get when missing), started here with its own config in a
temp dir.
The processes are `htxbot run` without its content check (the content is checked by `make test`).
Usage: .venv/bin/python bench/processes.py [--users 10000] [--pg postgresql+asyncpg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp  # noqa: E402

from tests.fakes.telegram_api import TelegramFake  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TOKEN, SECRET, WEB_SECRET = "123:BENCH", "bench-Webhook_secret", "mot-khoa-chung-cho-moi-tien-trinh"
SERVE = [sys.executable, "-c", "import asyncio; from bot.cli import load_settings, _serve; asyncio.run(_serve(load_settings()))"]
# (what the user sends: text, or a button's id; a fragment of the bot's last reply to it)
SCRIPT = [("/start", "Bạn là ai?"), ("tap:onboarding.role|nong_dan", "Bạn ở tỉnh/thành phố nào"),
          ("vinh long", "Bạn ở xã/phường nào"), ("long hiep", "Bạn có muốn nhận thông báo"),
          ("khong", "Bạn có đồng ý cho mình lưu")]
CONNECTIONS = 64  # webhook requests in flight at once, as Telegram's max_connections allows
ANSWER_WAIT = 120.0  # seconds an answer may take before the message counts as lost
RUN_LIMIT = 3600.0  # seconds a whole run may take


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Fake(TelegramFake):
    """The fake Bot API that also wakes whoever waits for a reply containing a fragment."""

    def __init__(self) -> None:
        super().__init__(token=TOKEN)
        self.waiting: dict[int, tuple[str, asyncio.Future]] = {}  # chat -> (fragment, future)

    def _send_message(self, params, files):
        message = super()._send_message(params, files)
        fragment, future = self.waiting.get(int(message["chat"]["id"]), ("", None))
        if future is not None and fragment in (message.get("text") or "") and not future.done():
            future.set_result(None)
        return message


async def _haproxy(tmp: Path, port: int, backends: list[int]) -> asyncio.subprocess.Process:
    servers = "\n".join(f"    server bot{i} 127.0.0.1:{p} maxconn 64" for i, p in enumerate(backends))
    config = tmp / "haproxy.cfg"
    config.write_text(f"""global
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    option http-keep-alive
frontend webhooks
    bind 127.0.0.1:{port}
    default_backend bots
backend bots
    balance roundrobin
{servers}
""")
    return await asyncio.create_subprocess_exec(shutil.which("haproxy") or "haproxy", "-f", str(config), "-db",
                                                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)


async def _bots(database_url: str, fake: Fake, ports: list[int], logs: Path) -> list[asyncio.subprocess.Process]:
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", "LISTEN_HOST": "127.0.0.1",
           "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url + "/bot",
           "TELEGRAM_WEBHOOK_URL": "https://htx.example/telegram/webhook", "TELEGRAM_WEBHOOK_SECRET": SECRET,
           "PROCESSES": str(len(ports)), "WEB_SECRET": WEB_SECRET, "ZALO_BOT_TOKEN": "", "ZALO_OA_APP_ID": "",
           "REMINDERS_ENABLED": "false"}
    procs = []
    for port in ports:
        with open(logs / f"bot-{port}.log", "wb") as log:  # noqa: ASYNC230 - a pipe nobody reads stops the bot
            procs.append(await asyncio.create_subprocess_exec(*SERVE, env={**env, "LISTEN_PORT": str(port)}, cwd=ROOT,
                                                              stdout=asyncio.subprocess.DEVNULL, stderr=log))
    return procs


async def _until_healthy(http: aiohttp.ClientSession, ports: list[int], procs, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    for port, proc in zip(ports, procs, strict=True):
        while True:
            if proc.returncode is not None:
                raise SystemExit(f"a bot process ended (exit {proc.returncode}); see its log")
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                    if r.status == 200:
                        break
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the bot processes did not start in time")
            await asyncio.sleep(0.2)


async def _load(http: aiohttp.ClientSession, fake: Fake, url: str, users: int) -> tuple[float, int, int]:
    """Every user through SCRIPT; returns (seconds, updates resent after 503s or errors, answers missed)."""
    ready: asyncio.Queue[tuple[int, int]] = asyncio.Queue()
    for uid in range(users):
        ready.put_nowait((100_000 + uid, 0))
    finished, resent, missed = 0, 0, 0
    done = asyncio.Event()
    waits: set[asyncio.Task] = set()

    async def answered(chat: int, step: int, future: asyncio.Future) -> None:
        nonlocal finished, missed
        try:
            await asyncio.wait_for(future, ANSWER_WAIT)
        except TimeoutError:
            missed += 1
            step = len(SCRIPT) - 1  # this user stops here
        finally:
            fake.waiting.pop(chat, None)
        if step + 1 < len(SCRIPT):
            ready.put_nowait((chat, step + 1))
        else:
            finished += 1
            if finished == users:
                done.set()

    async def sender() -> None:
        nonlocal resent
        while not done.is_set():
            chat, step = await ready.get()
            what, fragment = SCRIPT[step]
            future = asyncio.get_running_loop().create_future()
            fake.waiting[chat] = (fragment, future)
            update = fake.user_taps(chat, what[4:]) if what.startswith("tap:") else fake.user_says(chat, what)
            for attempt in range(20):  # as Telegram: the same update again until it is taken
                try:
                    async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as r:
                        await r.read()
                        if r.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                resent += 1
                await asyncio.sleep(min(0.1 * 2 ** attempt, 5.0))
            task = asyncio.get_running_loop().create_task(answered(chat, step, future))
            waits.add(task)
            task.add_done_callback(waits.discard)

    start = time.perf_counter()
    senders = [asyncio.create_task(sender()) for _ in range(CONNECTIONS)]
    try:
        await asyncio.wait_for(done.wait(), RUN_LIMIT)
    finally:
        for task in [*senders, *waits]:
            task.cancel()
        await asyncio.gather(*senders, *waits, return_exceptions=True)
    return time.perf_counter() - start, resent, missed


def _check(fake: Fake, users: int) -> tuple[int, int]:
    """(replies lost, replies duplicated) at the fake Bot API: each step's reply once per user."""
    seen: Counter[tuple[int, str]] = Counter()
    for call in fake.calls:
        if call.ok and call.method.lower() == "sendmessage":
            for _what, fragment in SCRIPT:
                if fragment in (call.text or ""):
                    seen[(int(call.chat_id), fragment)] += 1
    expected = [(100_000 + uid, fragment) for uid in range(users) for _what, fragment in SCRIPT]
    lost = sum(1 for key in expected if seen[key] == 0)
    duplicated = sum(count - 1 for count in seen.values() if count > 1)
    return lost, duplicated


async def _database(admin_url: str, name: str, drop: bool = False) -> str:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from db.base import make_engine

    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if not drop:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


async def run(admin_url: str, processes: int, users: int) -> None:
    from db.migrate import upgrade_async

    name = f"htxbot_bench_processes_{os.getpid()}"
    database_url = await _database(admin_url, name)
    await upgrade_async(database_url)
    ports, front = [_free_port() for _ in range(processes)], _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        async with Fake() as fake, aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=CONNECTIONS),
                timeout=aiohttp.ClientTimeout(total=30)) as http:
            bots = await _bots(database_url, fake, ports, Path(tmp))
            balancer = await _haproxy(Path(tmp), front, ports)
            try:
                await _until_healthy(http, ports, bots)
                seconds, resent, missed = await _load(http, fake, f"http://127.0.0.1:{front}/telegram/webhook",
                                                      users)
                await asyncio.sleep(2)  # replies still on their way are counted too
                lost, duplicated = _check(fake, users)
                for log in sorted(Path(tmp).glob("bot-*.log")):  # noqa: ASYNC240
                    tail = log.read_text(errors="replace").splitlines()[-5:]
                    if tail:
                        print(f"  last lines of {log.name}:", *tail, sep="\n    ")
            finally:
                for proc in [*bots, balancer]:
                    if proc.returncode is None:
                        proc.send_signal(signal.SIGTERM)
                for proc in [*bots, balancer]:
                    try:
                        await asyncio.wait_for(proc.wait(), 30)
                    except TimeoutError:
                        proc.kill()
                await _database(admin_url, name, drop=True)
    messages = users * len(SCRIPT)
    print(f"{processes} process{'es' if processes > 1 else ''} behind HAProxy, PostgreSQL: {messages} messages "
          f"({users} users x {len(SCRIPT)}) in {seconds:.1f} s = {messages / seconds:.0f} msg/s; "
          f"lost {lost}, duplicated {duplicated} (at the fake Bot API); updates resent after 503/errors {resent}, "
          f"answers not seen in {ANSWER_WAIT:.0f} s {missed}", flush=True)


def _install_haproxy() -> None:
    """Debian's package when it is missing, as `make test` installs chromium."""
    if shutil.which("haproxy") is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "haproxy"], env={**os.environ,
                       "DEBIAN_FRONTEND": "noninteractive"}, capture_output=True, timeout=600, check=False)
    if shutil.which("haproxy") is None:
        raise SystemExit("haproxy is not installed and apt-get could not install it: apt-get install haproxy")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--processes", default="1,2", help="comma-separated process counts to run, in order")
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL",
                                                       "postgresql+asyncpg://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    for processes in (int(p) for p in args.processes.split(",")):
        await run(args.pg, processes, args.users)


if __name__ == "__main__":
    _install_haproxy()
    asyncio.run(main())
