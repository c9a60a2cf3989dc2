"""The command line: bad settings stop with one clear line; the content and rules checks pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _htxbot(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def test_a_malformed_setting_stops_start_up_with_one_clear_line():
    done = _htxbot("run", LISTEN_PORT="tám nghìn")
    assert done.returncode == 2
    assert "LISTEN_PORT" in done.stdout and len(done.stdout.strip().splitlines()) == 1
    assert "Traceback" not in done.stdout + done.stderr


def test_an_unknown_database_driver_is_refused():
    done = _htxbot("chat", DATABASE_URL="mysql://localhost/htx")
    assert done.returncode == 2 and "DATABASE_URL" in done.stdout


def test_the_content_check_renders_every_template_and_validates_the_knowledge():
    from bot.content_check import check_content

    report = check_content()
    assert report.problems == []
    assert report.rendered == report.templates > 200


def test_a_database_that_was_never_upgraded_gets_a_clear_message(tmp_path):
    done = _htxbot("officials", "add", "--external-id", "1", "--level", "country",
                   DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    assert done.returncode == 1
    assert "htxbot db upgrade" in done.stdout and "Traceback" not in done.stdout + done.stderr
