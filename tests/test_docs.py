"""The README stays true: every setting and every dependency is documented, the commands exist."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from bot.cli import parser
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_configuration_table():
    missing = [name.upper() for name in Settings.model_fields if f"`{name.upper()}`" not in README
               and not re.search(rf"\b{name.upper()}\b", README)]
    assert missing == []


def test_every_dependency_is_explained():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    deps = project["dependencies"] + project["optional-dependencies"]["dev"]
    names = [re.split(r"[\[<>=~ ]", d, maxsplit=1)[0].lower() for d in deps]
    section = README.split("## Dependencies and why", 1)[1].split("\n## ", 1)[0].lower()
    assert [n for n in names if n not in section] == []


def test_the_two_commands_and_every_cli_command_in_the_readme_exist():
    assert "make run" in README and "make test" in README
    commands = set(parser()._subparsers._group_actions[0].choices)
    for used in re.findall(r"htxbot (\w+)", README):
        assert used in commands, used
