"""`htxbot content check`: every template parses and renders with sample data; flows name only
templates that exist; every button has a label and fits Telegram's 64-byte callback data; the
YAML knowledge (programmes, FAQ, founding rules) loads and validates.

Sample variables live in content/samples/<folder>.yaml, keyed by template file name; the
standard variables every template gets (answers, user, today, channel, current, selected) are
always supplied. A template needing a variable that no sample provides is a problem.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import TemplateError, meta

from flows.engine.content import CONTENT_DIR, TEMPLATE_DIR, environment, load_yaml
from flows.engine.dsl import Ask, Show
from flows.engine.files import parse_yaml
from flows.engine.law_scan import check_tree
from flows.engine.store import Profile

STANDARD = {"answers", "user", "today", "channel", "current", "selected"}
SAMPLES_DIR = CONTENT_DIR / "samples"


@dataclass
class Report:
    templates: int = 0
    rendered: int = 0
    flows: int = 0
    problems: list[str] = field(default_factory=list)


def standard_vars() -> dict:
    """The variables every template gets, filled with a plausible user."""
    user = Profile(id=1, channel="telegram", external_id="1", display_name="Nguyễn Văn A", role="nong_dan",
                   province_code=1, commune_code=4, onboarded=True)
    return {"answers": {}, "user": user, "today": dt.date(2026, 11, 22), "channel": "telegram",
            "current": None, "selected": []}


def _samples() -> dict[str, dict]:
    out: dict[str, dict] = {}
    for path in sorted(SAMPLES_DIR.glob("*.yaml")):
        for name, variables in (parse_yaml(path.read_text(encoding="utf-8")) or {}).items():
            out[f"{path.stem}/{name}"] = variables or {}
    return out


def check_content(as_of: dt.date | None = None) -> Report:
    """Check every template and every flow, and every legal citation as of `as_of` (default: the real
    day); the report lists what is wrong."""
    from bot.catalog import all_flows

    env = environment()
    report = Report()
    samples = _samples()
    names = template_names()
    report.templates = len(names)
    for name in names:
        source = (TEMPLATE_DIR / name).read_text(encoding="utf-8")
        try:
            needed = meta.find_undeclared_variables(env.parse(source)) - STANDARD
        except TemplateError as exc:
            report.problems.append(f"{name}: {exc}")
            continue
        sample = samples.get(name)
        if sample is None and needed:
            report.problems.append(_say("check_no_sample", name=name, needed=", ".join(sorted(needed))))
            continue
        variables = {**standard_vars(), **(sample or {})}
        try:
            env.get_template(name).render(**variables)
            report.rendered += 1
        except Exception as exc:  # noqa: BLE001 - every failure is a content problem to report
            report.problems.append(f"{name}: {type(exc).__name__}: {exc}")
    for flow in all_flows():
        report.flows += 1
        for step in flow.steps:
            template = step.prompt if isinstance(step, Ask) else step.template if isinstance(step, Show) else None
            if template and not (TEMPLATE_DIR / template).is_file():
                report.problems.append(_say("check_missing_template", flow=flow.name, step=step.id, template=template))
            if isinstance(step, Ask) and step.help and not (TEMPLATE_DIR / step.help).is_file():
                report.problems.append(_say("check_missing_help", flow=flow.name, step=step.id, template=step.help))
            if isinstance(step, Ask) and not callable(getattr(step.input, "choices", None)):
                for option in step.input.options(None):
                    if not option.label.strip():
                        report.problems.append(_say("check_no_label", flow=flow.name, step=step.id, option=option.id))
                    data = f"{flow.name}.{step.id}|_pick:{option.id}"
                    if len(data.encode()) > 64:
                        report.problems.append(_say("check_button_too_long", flow=flow.name, step=step.id, data=data))
    report.problems.extend(check_knowledge(as_of))
    report.problems.extend(str(f) for f in check_tree(CONTENT_DIR, as_of or dt.date.today()))
    return report


def check_knowledge(as_of: dt.date | None = None) -> list[str]:
    """Load and validate the YAML knowledge the flows rest on: programmes, FAQ, founding rules."""
    from flows.eligibility import check_all

    parts = load_yaml("cli.yaml")["knowledge_parts"]
    problems = [_say("check_knowledge", part=parts["programmes"], error=p) for p in check_all(as_of, citations=False)]
    for part, load in (("faq", _load_faq), ("founding", _load_founding)):
        try:
            load()
        except Exception as exc:  # noqa: BLE001 - any failure to load is a content problem
            problems.append(_say("check_knowledge", part=parts[part], error=f"{type(exc).__name__}: {exc}"))
    return problems


def _say(key: str, **values: object) -> str:
    return load_yaml("cli.yaml")[key].format(**values)


def _load_faq() -> None:
    from flows.faq import Knowledge

    Knowledge.load()


def _load_founding() -> None:
    from flows.founding import build_plan, questions

    questions()
    for form in ("to_hop_tac", "hop_tac_xa", "lien_hiep"):
        build_plan({"form": form})


def template_names() -> list[str]:
    """Every template under content/templates, relative names."""
    return sorted(str(p.relative_to(TEMPLATE_DIR)) for p in Path(TEMPLATE_DIR).rglob("*.j2"))
