"""Start-up and idle memory of `htxbot run`: seconds from starting the process to /healthz answering
200, cold (the first start on a new database) and warm (the same start again), and the resident
memory (RSS) of the idle process a few seconds after it serves.

Usage: .venv/bin/python bench/startup.py [--runs 3] [--idle 5] [--pg postgresql+asyncpg://...]
Bars (issue 17): warm start < 1 s, idle RSS < 150 MB. The process runs with the web chat and the
dashboard, no chat platform token, SQLite in a temporary directory (or a fresh PostgreSQL database).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HTXBOT = ROOT / ".venv" / "bin" / "htxbot"
LIMIT = 120.0  # seconds a start may take before the bench gives up


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_once(env: dict[str, str], idle: float) -> tuple[float, float]:
    """(seconds to a healthy /healthz, idle RSS in MB) of one `htxbot run`, stopped afterwards."""
    port = _free_port()
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        proc = subprocess.Popen([str(HTXBOT), "run"], env={**env, "LISTEN_PORT": str(port)}, cwd=ROOT,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            while not _healthy(port):
                if proc.poll() is not None or time.perf_counter() - started > LIMIT:
                    log.seek(0)
                    raise SystemExit(f"htxbot run did not serve /healthz:\n{log.read().decode()[-3000:]}")
                time.sleep(0.01)
            seconds = time.perf_counter() - started
            time.sleep(idle)
            return seconds, _rss_mb(proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3, help="warm starts (after one cold start)")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds idle before RSS is read")
    parser.add_argument("--pg", help="a PostgreSQL URL to create a bench database on (default: SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/startup.db"
        if args.pg:
            sys.path.insert(0, str(ROOT))
            import asyncio

            from bench.processes import _database

            url = asyncio.run(_database(args.pg, f"htxbot_bench_startup_{os.getpid()}"))
        env = {**os.environ, "DATABASE_URL": url, "LISTEN_HOST": "127.0.0.1", "LOG_LEVEL": "WARNING",
               "TELEGRAM_BOT_TOKEN": "", "ZALO_BOT_TOKEN": "", "ZALO_OA_APP_ID": "",
               "WEB_SECRET_FILE": f"{tmp}/web_secret"}
        subprocess.run([str(HTXBOT), "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
        cold, cold_rss = start_once(env, args.idle)
        warm = [start_once(env, args.idle) for _ in range(args.runs)]
        if args.pg:
            asyncio.run(_database(args.pg, f"htxbot_bench_startup_{os.getpid()}", drop=True))
    seconds = [w[0] for w in warm]
    print(f"start-up to serving /healthz: cold {cold:.2f} s; warm median {statistics.median(seconds):.2f} s "
          f"(runs: {', '.join(f'{s:.2f}' for s in seconds)}) (bar: warm < 1 s)")
    print(f"idle memory of htxbot run after {args.idle:g} s: {statistics.median(w[1] for w in warm):.0f} MB RSS "
          f"(cold start: {cold_rss:.0f} MB) (bar: < 150 MB)")


if __name__ == "__main__":
    main()
