"""deploy/: the systemd units name only commands the `htxbot` CLI has and settings bot/settings.py
reads; the scripts they run exist; the README's deployment guide names every file of deploy/."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest

from bot.cli import parser
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent.parent
DEPLOY = ROOT / "deploy"
INSTALLED = "/opt/htxbot/"  # where the units expect the checkout
UNITS = sorted(DEPLOY.glob("*.service")) + sorted(DEPLOY.glob("*.timer"))


def _commands(unit: Path) -> list[list[str]]:
    return [shlex.split(line.split("=", 1)[1]) for line in unit.read_text().splitlines()
            if re.match(r"Exec(Start|StartPre|StartPost|Stop|Reload)=", line)]


def _settings_named(text: str, pattern: str) -> set[str]:
    return {m.group(1) for m in re.finditer(pattern, text, re.MULTILINE)}


def test_there_are_units_for_the_bot_the_upgrade_and_the_backup():
    names = {u.name for u in UNITS}
    assert {"htxbot@.service", "htxbot-upgrade.service", "htxbot-backup.service", "htxbot-backup.timer"} <= names


@pytest.mark.parametrize("unit", [u for u in UNITS if u.suffix == ".service"], ids=lambda u: u.name)
def test_every_command_a_unit_runs_exists(unit):
    commands = _commands(unit)
    assert commands, f"{unit.name} runs nothing"
    for argv in commands:
        program = argv[0]
        assert program.startswith(INSTALLED), f"{unit.name}: {program} is outside {INSTALLED}"
        if program.endswith("/.venv/bin/htxbot"):
            args = parser().parse_args(argv[1:])  # SystemExit (a failed test) for an unknown command
            assert callable(args.handler)
        else:
            script = ROOT / program[len(INSTALLED):]
            assert script.is_file(), f"{unit.name}: {script} does not exist"
            assert os.access(script, os.X_OK), f"{script} is not executable"


@pytest.mark.parametrize("path", [*UNITS, DEPLOY / "htxbot.env.example"], ids=lambda p: p.name)
def test_every_setting_named_in_deploy_exists(path):
    text = path.read_text()
    named = _settings_named(text, r"^Environment=([A-Z][A-Z0-9_]*)=") | _settings_named(text, r"^([A-Z][A-Z0-9_]*)=")
    unknown = {name for name in named if name.lower() not in Settings.model_fields}
    assert not unknown, f"{path.name} names settings bot/settings.py does not have: {sorted(unknown)}"
    if path.name == "htxbot.env.example":
        assert {"DATABASE_URL", "PROCESSES", "WEB_SECRET", "TELEGRAM_WEBHOOK_URL"} <= named


def test_the_units_read_the_environment_file_the_guide_describes():
    readme = (ROOT / "README.md").read_text()
    for unit in UNITS:
        if unit.suffix == ".service":
            assert "EnvironmentFile=/etc/htxbot/htxbot.env" in unit.read_text(), unit.name
    for path in sorted(DEPLOY.iterdir()):
        assert f"deploy/{path.name}" in readme, f"the README's deployment guide does not mention deploy/{path.name}"
