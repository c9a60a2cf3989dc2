"""`htxbot rules check`: every problem in the rule and fact files, as sentences for the developer."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import ValidationError

from flows.eligibility.load import PROGRAMME_DIR, load_facts, parse_rule_file, programme_files
from flows.eligibility.logic import nodes
from flows.eligibility.schema import Classification, Compare, Condition, Fact, Programme, SameAs
from flows.engine.content import template_exists
from flows.engine.geo import find_province
from flows.engine.law import registry
from flows.engine.law_scan import check_yaml_file

TEMPLATES = (
    "eligibility/_macros.j2",
    "eligibility/condition.j2",
    "eligibility/explain.j2",
    "eligibility/result.j2",
    "eligibility/result_item.j2",
    "eligibility/size.j2",
    "eligibility/details.j2",
    "eligibility/ended.j2",
    "eligibility/more.j2",
)
_PERIOD = re.compile(r"^(\d{4})(?:-(\d{4}))?$")
_RANGE = re.compile(r"\b(19|20)\d\d\s*[-–]\s*(19|20)\d\d\b")
_ORDERED_OPS = {"<", "<=", ">", ">="}


def check_all(as_of: dt.date | None = None, citations: bool = True) -> list[str]:
    """Problems in content/facts.yaml, content/programmes/*.yaml and the templates; empty means fine.

    Citations are checked as of `as_of` (default: the real day) in the rules that have started by then
    (`citations=False` leaves them to the caller, e.g. the content check, which checks every file);
    `last_checked` against the real day.
    """
    today = dt.date.today()
    as_of = as_of or today
    problems: list[str] = []
    try:
        facts = load_facts()
    except (ValidationError, ValueError) as exc:
        return [f"facts.yaml: {exc}"]
    rules: dict[str, Programme | Classification] = {}
    for path in programme_files():
        try:
            rule = parse_rule_file(path)
        except (ValidationError, ValueError) as exc:
            problems.append(f"{path.name}: {exc}")
            continue
        if rule.id != path.stem:
            problems.append(f"{path.name}: id {rule.id!r} does not match the file name")
        rules[rule.id] = rule
    for rule in rules.values():
        problems += [f"{rule.id}: {p}" for p in _check_rule(rule, rules, facts, today)]
    for path in programme_files() if citations else ():
        rule = rules.get(path.stem)
        if rule is None or rule.valid.from_ <= as_of:  # a rule that starts later cites texts not yet in force
            problems += [str(f) for f in check_yaml_file(path, as_of, PROGRAMME_DIR)]
    problems += [f"missing template {name}" for name in TEMPLATES if not template_exists(name)]
    return problems


def _check_rule(
    rule: Programme | Classification, rules: dict, facts: dict[str, Fact], today: dt.date
) -> list[str]:
    problems: list[str] = []
    if rule.last_checked > today:
        problems.append(f"last_checked {rule.last_checked} is in the future")
    problems += _check_validity(rule)
    if isinstance(rule, Programme):
        conditions: list[Condition | None] = [rule.requires]
        problems += _check_area(rule, facts)
    else:
        conditions = [c.requires for t in rule.sectors for c in t.classes]
        problems += _check_sectors(rule, facts)
    for cond in conditions:
        problems += _check_condition(cond, rules, facts)
    return problems


def _check_validity(rule: Programme | Classification) -> list[str]:
    valid = rule.valid
    named = _RANGE.search(f"{rule.name} {registry().get(rule.text).title}")
    if named and valid.to is None:
        return [f"the title names the period {named.group(0)} but valid.to is not set"]
    if valid.to is not None and valid.from_ >= valid.to:
        return [f"valid.from {valid.from_} is not before valid.to {valid.to}"]
    if valid.period is None:
        if isinstance(rule, Programme) and rule.level == "province" and valid.to is None:
            return ["a provincial programme needs an end date (valid.to) or a period"]
        return []
    match = _PERIOD.match(valid.period)
    if not match:
        return [f"valid.period {valid.period!r} is not 'YYYY' or 'YYYY-YYYY'"]
    end_year = int(match.group(2) or match.group(1))
    if valid.to is None:
        return [f"a programme of {valid.period} has no end date"]
    if valid.to != dt.date(end_year, 12, 31):
        return [f"a programme of {valid.period} should end on 31/12/{end_year}, not {valid.to}"]
    return []


def _check_sectors(rule: Classification, facts: dict[str, Fact]) -> list[str]:
    problems = [f"needs names unknown fact {f!r}" for f in rule.needs if f not in facts]
    sectors = set(facts["sector"].choice_ids()) if "sector" in facts else set()
    problems += [f"sector {t.sector!r} is not a choice of the sector fact" for t in rule.sectors if t.sector not in sectors]
    return problems


def _check_area(programme: Programme, facts: dict[str, Fact]) -> list[str]:
    area = programme.area
    problems: list[str] = []
    if programme.level == "province" and area.province_code is None:
        if not (area.note and programme.unverified):
            problems.append("a provincial programme without a province code needs area.note and unverified")
    if area.former_province and area.province_code is not None:
        merged_into = find_province(area.former_province).places  # content/geo/former_provinces.yaml
        if [p.code for p in merged_into] != [area.province_code]:
            problems.append(f"area.former_province {area.former_province!r} has not merged into province "
                            f"{area.province_code} (content/geo/former_provinces.yaml)")
    if area.confirm_fact is not None:
        fact = facts.get(area.confirm_fact)
        if fact is None:
            problems.append(f"area.confirm_fact {area.confirm_fact!r} is not in facts.yaml")
        elif fact.type != "bool":
            problems.append(f"area.confirm_fact {area.confirm_fact!r} is not a bool fact")
    return problems


def _check_condition(cond: Condition | None, rules: dict, facts: dict[str, Fact]) -> list[str]:
    problems: list[str] = []
    stack: list[tuple[Condition | None, tuple[str, ...]]] = [(cond, ())]
    while stack:
        node, seen = stack.pop()
        if node is None:
            continue
        if isinstance(node, SameAs):
            target = rules.get(node.same_as)
            if not isinstance(target, Programme):
                problems.append(f"same_as {node.same_as!r} is not a programme")
            elif node.same_as in seen:
                problems.append(f"same_as cycle through {node.same_as!r}")
            else:
                stack.append((target.requires, (*seen, node.same_as)))
            continue
        for inner in nodes(node, _no_follow):
            if isinstance(inner, SameAs) and inner is not node:
                stack.append((inner, seen))
            if isinstance(inner, Compare):
                problems += _check_compare(inner, facts)
    return problems


def _no_follow(_: str) -> None:
    return None


def _check_compare(comp: Compare, facts: dict[str, Fact]) -> list[str]:
    fact = facts.get(comp.fact)
    if fact is None:
        return [f"condition uses unknown fact {comp.fact!r}"]
    if comp.other is not None:
        other = facts.get(comp.other)
        if other is None:
            return [f"condition uses unknown fact {comp.other!r}"]
        if other.type != fact.type:
            return [f"{comp.fact} ({fact.type}) is compared with {comp.other} ({other.type})"]
        return []
    if comp.months_ago is not None:
        return [] if fact.type == "date" else [f"months_ago is used on {comp.fact}, which is not a date"]
    if comp.op in _ORDERED_OPS and fact.type in ("bool", "choice", "province"):
        return [f"{comp.op} is used on {comp.fact} ({fact.type})"]
    values = comp.value if isinstance(comp.value, list | tuple) else [comp.value]
    if fact.type == "bool" and not all(isinstance(v, bool) for v in values):
        return [f"{comp.fact} is compared with {comp.value!r}, not true/false"]
    if fact.type in ("choice", "province"):
        bad = [v for v in values if v not in fact.choice_ids()]
        return [f"{comp.fact} has no choice {v!r}" for v in bad]
    if fact.type in ("int", "money", "percent") and not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in values
    ):
        return [f"{comp.fact} is compared with {comp.value!r}, not a number"]
    if fact.type == "date" and not all(isinstance(v, dt.date) for v in values):
        return [f"{comp.fact} is compared with {comp.value!r}, not a date"]
    return []
