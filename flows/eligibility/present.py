"""An eligibility result sized for a phone: a short summary of the user's province's and national
programmes (each reply under about 1,200 characters), with details, ended programmes and the size
class on request. Templates: content/templates/eligibility/{result,result_item,details,ended,size}.j2.
"""

from __future__ import annotations

import re
from typing import Any

from flows.eligibility.evaluate import Evaluation, Result
from flows.eligibility.explain import describe, programme_view
from flows.eligibility.load import load_facts, load_programmes, resolver
from flows.eligibility.logic import Resolve
from flows.eligibility.nearest import nearest, shortfalls
from flows.eligibility.outcome import Outcome
from flows.eligibility.schema import AnyOf, Condition, Programme, SameAs
from flows.eligibility.size import SizeResult
from flows.engine.content import render
from flows.engine.geo import province
from flows.engine.law import format_citation, registry

LIMIT = 1200  # characters per reply: a phone screen or two
ACTIVE = (Outcome.ELIGIBLE, Outcome.POSSIBLY, Outcome.NOT_ELIGIBLE, Outcome.NOT_STARTED)
_BLANK_LINES = re.compile(r"\n\s*\n(\s*\n)+")


def shown(evaluation: Evaluation) -> list[Result]:
    """The results a user sees: national programmes and those of their province (former parts included)."""
    code = evaluation.facts.get("province_code")
    return [r for r in evaluation.results
            if r.programme.level == "national" or (code is not None and r.programme.area.province_code == code)]


def _failing_view(cond: Condition, programme: Programme, evaluation: Evaluation, resolve: Resolve) -> dict[str, Any]:
    facts, today = evaluation.facts, evaluation.today
    near = nearest(cond, facts, today, resolve)
    defs = load_facts()
    now = [{"label": defs[c.fact].label, "type": defs[c.fact].type, "value": facts[c.fact], "need": c.value}
           for c in shortfalls(near, facts, today, resolve)]
    options = len(cond.any) if isinstance(cond, AnyOf) else 0
    return {
        "text": describe(cond, programme.reference, resolve),
        "short": None if options and not cond.says else describe(cond, programme.reference, resolve),
        "options": options,
        "option_texts": [describe(c, programme.reference, resolve) for c in cond.any] if options else [],
        "reference": format_citation(cond.reference or programme.reference),
        "nearest": describe(near, programme.reference, resolve) if near is not cond else None,
        "hint": near.hint or cond.hint,
        "now": now,
    }


def result_view(result: Result, evaluation: Evaluation, resolve: Resolve) -> dict[str, Any]:
    """One programme's result as plain data for the templates."""
    p, defs = result.programme, load_facts()
    text = registry().get(p.text)
    return {
        **programme_view(p, resolve),
        "outcome": result.outcome.value,
        "failing": [_failing_view(c, p, evaluation, resolve) for c in result.failing],
        "missing": [defs[f].label for f in result.unknown],
        "questions": [defs[f].question for f in result.unknown],
        "text_in_force": text.in_force(evaluation.today),
    }


def _item(result: Result, shown_: list[Result], evaluation: Evaluation, resolve: Resolve) -> dict[str, Any]:
    view = result_view(result, evaluation, resolve)
    requires = result.programme.requires
    same = next((r for r in shown_ if isinstance(requires, SameAs) and r.programme.id == requires.same_as
                 and r.outcome is result.outcome and result.outcome is Outcome.NOT_ELIGIBLE), None)
    view["same_as"] = same.programme.name if same else None  # "as above": its reasons are not repeated
    return view


def size_view(size: SizeResult, facts: dict[str, Any]) -> dict[str, Any]:
    """The size class as plain data for size.j2."""
    defs = load_facts()
    table = size.table
    return {
        "for_form": facts.get("form") != "to_hop_tac",
        "known": size.known.label if size.known else None,
        "possible": [c.label for c in size.possible],
        "sector": table.label if table else None,
        "thresholds": bool(table and table.classes),
        "decidable": size.decidable,
        "missing": [defs[f].label for f in size.missing],
        "reference": format_citation(table.reference if table else size.rule.reference),
        "unverified": list(table.unverified) if table else [],
    }


def _targets_first(results: list[Result]) -> list[Result]:
    """Programmes whose conditions others reuse (same_as) first; the others then point to them."""
    targets = {r.programme.requires.same_as for r in results if isinstance(r.programme.requires, SameAs)}
    return sorted(results, key=lambda r: r.programme.id not in targets)


def _former(results: list[Result]) -> list[str]:
    return list(dict.fromkeys(r.programme.area.former_province for r in results if r.programme.area.former_province))


def summary(evaluation: Evaluation) -> str:
    """The short result: programmes that run (or start later) in the user's area, one block each."""
    resolve = resolver(load_programmes())
    results = shown(evaluation)
    active = _targets_first([r for r in results if r.outcome in ACTIVE])
    code = evaluation.facts.get("province_code")
    variables = {
        "today": evaluation.today,
        "province": province(code).name if code is not None else None,
        "items": [_item(r, active, evaluation, resolve) for r in active],
        "former": _former(active),
        "ended": sum(1 for r in results if r.outcome is Outcome.ENDED),
        "other": sum(1 for r in results if r.outcome in (Outcome.NOT_FOR_THIS_FORM, Outcome.NOT_IN_AREA)),
        "size": size_view(evaluation.size, dict(evaluation.facts)),
    }
    text = _clean(render("eligibility/result.j2", compact=False, **variables))
    if len(text) > LIMIT:  # many programmes: one line each, the rest behind «Xem chi tiết»
        text = _clean(render("eligibility/result.j2", compact=True, **variables))
    return text


def details(evaluation: Evaluation) -> list[str]:
    """One message per shown programme that is not ended: conditions, benefits, how to apply, sources."""
    resolve = resolver(load_programmes())
    out: list[str] = []
    for r in shown(evaluation):
        if r.outcome is not Outcome.ENDED:
            out += pieces(render("eligibility/details.j2", r=result_view(r, evaluation, resolve)))
    return out


def ended(evaluation: Evaluation) -> list[str]:
    """The ended programmes of the user's area and national ones, one line each."""
    results = [r for r in shown(evaluation) if r.outcome is Outcome.ENDED]
    items = [{"name": r.programme.name, "to": r.programme.valid.to, "reference": format_citation(r.programme.reference),
              "orientation": r.programme.valid.orientation, "former": r.programme.area.former_province}
             for r in results]
    return pieces(render("eligibility/ended.j2", items=items, former=_former(results)))


def size_text(evaluation: Evaluation) -> str:
    """The size class on its own (after its facts were asked)."""
    return _clean(render("eligibility/size.j2", size=size_view(evaluation.size, dict(evaluation.facts)), alone=True))


def _clean(text: str) -> str:
    return _BLANK_LINES.sub("\n\n", text).strip()


def pieces(text: str, limit: int = LIMIT) -> list[str]:
    """A text cut at blank lines, then at lines, into messages of at most `limit` characters."""
    out: list[str] = []
    current = ""
    for block in re.split(r"\n\s*\n", _clean(text)):
        for part in _lines(block, limit):
            joined = f"{current}\n\n{part}" if current else part
            if len(joined) <= limit:
                current = joined
            else:
                out.append(current)
                current = part
    return [p for p in [*out, current] if p]


def _lines(block: str, limit: int) -> list[str]:
    if len(block) <= limit:
        return [block]
    parts, current = [], ""
    for line in block.split("\n"):
        joined = f"{current}\n{line}" if current else line
        if len(joined) <= limit:
            current = joined
        else:
            parts.append(current)
            current = line[:limit]
    return [p for p in [*parts, current] if p]
