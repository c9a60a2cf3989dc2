"""The README's layout says where each thing lives, and it stays true: one hop from a menu entry to
its flow package, its steps' templates and its rule files; no module grows past 300 lines."""

import importlib
import re
from pathlib import Path

import yaml

from bot.catalog import all_flows
from flows.engine.dsl import Ask, Show

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 300


def _rows() -> dict[str, dict[str, list[str]]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("From a menu entry", 1)[1].split("\n\n", 2)[1]
    rows = {}
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        paths = [re.findall(r"`([^`]+)`", c) for c in cells]
        rows[paths[0][0]] = {"package": paths[1], "templates": paths[3], "rules": paths[4]}
    return rows


def test_every_flow_has_a_row_whose_paths_exist():
    rows = _rows()
    flows = {f.name: f for f in all_flows()}
    assert set(rows) == set(flows), "README's flow table and bot/catalog.py list different flows"
    for name, row in rows.items():
        assert row["package"] == [f"flows/{name}/"], f"{name}: a flow lives in flows/<flow id>/"
        module = importlib.import_module(f"flows.{name}.flow")
        assert any(getattr(module, attr) is flows[name] for attr in dir(module)), f"flows/{name}/flow.py"
        for path in row["templates"] + row["rules"]:
            assert (ROOT / path).exists(), f"{name}: {path} does not exist"


def test_every_menu_entry_is_a_flow_of_the_table():
    entries = yaml.safe_load((ROOT / "content/menu.yaml").read_text(encoding="utf-8"))["entries"]
    assert {e["id"] for e in entries} <= set(_rows())


def test_a_flows_steps_use_the_templates_of_its_row():
    rows = _rows()
    elsewhere = []
    for flow in all_flows():
        folders = tuple(rows[flow.name]["templates"]) + ("content/templates/common/", "content/templates/inputs/")
        for step in flow.steps:
            name = step.prompt if isinstance(step, Ask) else step.template if isinstance(step, Show) else None
            if name and not f"content/templates/{name}".startswith(folders):
                elsewhere.append(f"{flow.name}.{step.id}: {name}")
    assert not elsewhere


def test_no_module_is_over_300_lines():
    long = []
    for folder in ("bot", "flows", "db"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" not in path.parts and len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES:
                long.append(str(path.relative_to(ROOT)))
    assert not long, f"split these modules: {long}"
