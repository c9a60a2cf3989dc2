"""The support-eligibility conversation (menu and /hotro): one question at a time, the result, saved.

The result is short (flows/eligibility/present.py); then «Xem chi tiết», «Đã kết thúc» and
«Xác định quy mô» (which asks the size facts: sector, official members, revenue or total capital).

Each question is the fact that settles the most undecided programmes (see next_fact); the flow
stops as soon as no answer can change any outcome. Facts already known (flows/eligibility/known.py)
are not asked. There is one question step per fact of content/facts.yaml, its input kind taken
from the fact's type and its buttons "eligibility.ask_<fact>|<option>", each followed by a step
that records the answer; skipping or "chưa rõ" leaves the fact unknown ("có thể đủ điều kiện").
"""

from __future__ import annotations

import datetime as dt
import functools
from enum import StrEnum
from typing import Any

from db.models.eligibility import EligibilityCheck
from flows.eligibility.evaluate import Evaluation, evaluate
from flows.eligibility.kinds import kind_of, label, shown
from flows.eligibility.known import (
    clean,
    for_evaluation,
    head_cooperatives,
    known_facts,
    last_check,
    straddled,
)
from flows.eligibility.load import load_facts, load_programmes, resolver
from flows.eligibility.outcome import Outcome
from flows.eligibility.present import details, ended, size_text, summary
from flows.eligibility.present import shown as shown_results
from flows.eligibility.questions import settling_facts
from flows.engine.context import Context
from flows.engine.dsl import Ask, Command, Do, Flow, Show
from flows.engine.inputs import Choice, Option
from flows.engine.law import format_citation
from flows.engine.messages import Reply

ASK, RECORD = "ask_", "record_"  # + fact id: the question step and the step recording its answer
RERUN, RESTART = "rerun", "restart"
DETAILS, ENDED, SIZE, MENU = "details", "ended", "size", "menu"


class Step(StrEnum):
    AGAIN = "again"
    COOPERATIVE = "cooperative"
    PREPARE = "prepare"
    INTRO = "intro"
    CHOOSE = "choose"
    RESULT = "result"
    MORE = "more"
    SHOW_MORE = "show_more"
    SIZE = "size"


# ---- choosing, recording, concluding ---------------------------------------------------------


def next_fact(stored: dict[str, Any], skipped: list[str], today: dt.date) -> str | None:
    """Like next_question: the unknown fact settling the most undecided programmes, never a skipped one."""
    facts = for_evaluation(stored, today)
    programmes = load_programmes()
    resolve = resolver(programmes)
    counts: dict[str, int] = {}
    for programme in programmes:
        for fact_id in settling_facts(programme, facts, today, resolve):
            if fact_id not in skipped:
                counts[fact_id] = counts.get(fact_id, 0) + 1
    if not counts:
        return None
    order = {fact_id: i for i, fact_id in enumerate(load_facts())}
    return max(counts, key=lambda f: (counts[f], -order[f]))


def _stored(ctx: Context) -> dict[str, Any]:
    return clean({**ctx.answers.get("known", {}), **ctx.answers.get("given", {})})


async def _start(ctx: Context) -> None:
    last = await last_check(ctx.session, ctx.profile.id)
    ctx.scratch["coops"] = [[str(i), name] for i, name in await head_cooperatives(ctx.session, ctx.profile.id)]
    if last is not None:
        eligible = sum(1 for o in last.outcomes.values() if o == Outcome.ELIGIBLE)
        ctx.scratch["last"] = {"checked_on": last.checked_on.isoformat(), "facts": last.facts, "eligible": eligible}


async def _prepare(ctx: Context) -> None:
    a = ctx.answers
    last = ctx.scratch.get("last") if a.get("again") == RERUN else None
    coop = a.get("cooperative")
    known = await known_facts(ctx.session, ctx.profile, ctx.today, cooperative_id=int(coop) if coop else None,
                              saved=last["facts"] if last else None)
    keep = {k: a[k] for k in ("again", "cooperative") if k in a}
    ctx.state.answers = keep | {"known": known.facts, "sources": known.sources, "coop_name": known.cooperative,
                                "given": {}, "skipped": [], "order": []}


def _intro_vars(ctx: Context) -> dict[str, Any]:
    facts = load_facts()
    items = [{"label": facts[f].label, "type": facts[f].type, "text": shown(facts[f], v),
              "source": ctx.answers["sources"][f]} for f, v in ctx.answers["known"].items()]
    return {"items": items, "cooperative": ctx.answers.get("coop_name"), "rerun": ctx.answers.get("again") == RERUN}


async def _choose(ctx: Context) -> str:
    fact = next_fact(_stored(ctx), ctx.answers.get("skipped", []), ctx.today)
    return Step.RESULT if fact is None else ASK + fact


def _question_vars(fact_id: str, ctx: Context) -> dict[str, Any]:
    order = ctx.answers.get("order", [])
    fact = load_facts()[fact_id]
    return {"question": fact.question, "type": fact.type,
            "number": order.index(fact_id) + 1 if fact_id in order else len(order) + 1}


async def _record(fact_id: str, ctx: Context) -> str | None:
    a = ctx.answers
    value = a.pop(fact_id, None)
    fact = load_facts()[fact_id]
    if value is not None and fact.type == "date":
        boundary = straddled(fact_id, value, ctx.today)
        if boundary is not None:  # '2023' when the rule's cut-off is in 2023: ask for the day
            ctx.say("eligibility/date_precise.j2", value=shown(fact, value), boundary=boundary)
            if ctx.state.history[-1:] == [ASK + fact_id]:
                ctx.state.history = ctx.state.history[:-1]  # the answer was not taken
            return ASK + fact_id
    given = {k: v for k, v in a.get("given", {}).items() if k != fact_id}
    skipped = [f for f in a.get("skipped", []) if f != fact_id]
    if value is None:
        skipped.append(fact_id)
    else:
        given[fact_id] = value
    a["given"], a["skipped"] = given, skipped
    a["order"] = [f for f in a.get("order", []) if f != fact_id] + [fact_id]
    return None


def references(evaluation: Evaluation) -> dict[str, list[str]]:
    """The citations each result line names, formatted, by programme id (and the size classification's)."""
    out: dict[str, list[str]] = {}
    for result in evaluation.results:
        p = result.programme
        refs = [p.reference]
        if result.outcome is Outcome.ELIGIBLE:
            refs += [b.reference for b in p.benefits] + [p.apply.reference]
        refs += [c.reference or p.reference for c in result.failing]
        out[p.id] = list(dict.fromkeys(format_citation(r) for r in refs))
    out[evaluation.size.rule.id] = [format_citation(evaluation.size.rule.reference)]
    return out


def _evaluation(ctx: Context) -> Evaluation:
    return evaluate(for_evaluation(_stored(ctx), ctx.today), ctx.today)


async def _result(ctx: Context) -> str:
    stored = _stored(ctx)
    evaluation = _evaluation(ctx)
    ctx.replies.append(Reply(summary(evaluation)))
    outcomes = {r.programme.id: r.outcome.value for r in evaluation.results}
    check = EligibilityCheck(user_id=ctx.profile.id, checked_on=ctx.today, facts=stored,
                             outcomes=outcomes, references=references(evaluation))
    ctx.session.add(check)
    await ctx.session.flush()
    ctx.scratch["check_id"] = check.id
    eligible = sorted(p for p, o in outcomes.items() if o == Outcome.ELIGIBLE)
    ctx.record("eligibility.checked", eligible=eligible, asked=len(ctx.answers.get("order", [])),
               skipped=len(ctx.answers.get("skipped", [])))
    ctx.scratch["first_more"] = True
    ctx.state.history = []  # the questions are answered: no «Quay lại» into them from the result
    return Step.MORE


def _more_options(ctx: Any) -> list[Option]:
    evaluation = _evaluation(ctx)
    n_ended = sum(1 for r in shown_results(evaluation) if r.outcome is Outcome.ENDED)
    options = [Option(DETAILS, label(DETAILS), ("chi tiet", "xem chi tiet"))]
    if n_ended:
        options.append(Option(ENDED, label(ENDED, n_ended), ("ket thuc", "da ket thuc")))
    if evaluation.facts.get("form") != "to_hop_tac" and evaluation.size.decidable:
        options.append(Option(SIZE, label(SIZE), ("quy mo", "xac dinh quy mo")))
    return [*options, Option(MENU, label(MENU), ("menu",))]


def _more_vars(ctx: Context) -> dict[str, Any]:
    return {"checked_on": ctx.today, "first": ctx.scratch.pop("first_more", False)}


async def _show_more(ctx: Context) -> str:
    choice = ctx.answers.pop("more", None)
    if choice == MENU:
        return "flow:menu"
    if choice == SIZE:
        ctx.scratch["mode"] = SIZE
        return Step.SIZE
    evaluation = _evaluation(ctx)
    texts = details(evaluation) if choice == DETAILS else ended(evaluation) if choice == ENDED else []
    ctx.replies.extend(Reply(text) for text in texts)
    return Step.MORE


async def _size(ctx: Context) -> str:
    """Ask the next fact the size class needs; when none is left, say the class and go back to «more»."""
    evaluation = _evaluation(ctx)
    skipped = ctx.answers.get("skipped", [])
    missing = [f for f in evaluation.size.missing if f not in skipped]
    if evaluation.size.decidable and missing:
        return ASK + missing[0]
    ctx.scratch.pop("mode", None)
    ctx.replies.append(Reply(size_text(evaluation)))
    check = await ctx.session.get(EligibilityCheck, ctx.scratch.get("check_id", -1))
    if check is not None:  # the size facts join the saved check (a rerun will not ask them again)
        check.facts = _stored(ctx)
    return Step.MORE


def _after_record(ctx: Any) -> str:
    return Step.SIZE if ctx.scratch.get("mode") == SIZE else Step.CHOOSE


async def _hotro(ctx: Context, _arg: str) -> str:
    return "flow:eligibility"


def _again_options(ctx: Any) -> list[Option]:
    return [Option(RERUN, label(RERUN), ("kiem tra lai", "chay lai")),
            Option(RESTART, label(RESTART), ("lam lai", "tu dau", "bat dau lai"))]


def _coop_options(ctx: Any) -> list[Option]:
    return [Option(i, name) for i, name in ctx.scratch.get("coops", [])]


def _checked_before(ctx: Context) -> bool:
    return "last" in ctx.scratch


def _last_vars(ctx: Context) -> dict[str, Any]:
    return ctx.scratch["last"]


def _heads_several(ctx: Context) -> bool:
    return len(ctx.scratch.get("coops", [])) > 1


def _fact_steps() -> list[Ask | Do]:
    steps: list[Ask | Do] = []
    for fact in load_facts().values():
        steps.append(Ask(ASK + fact.id, "eligibility/ask.j2", kind_of(fact), save_as=fact.id,
                         next=RECORD + fact.id, getter=functools.partial(_question_vars, fact.id),
                         help="eligibility/help.j2"))
        steps.append(Do(RECORD + fact.id, functools.partial(_record, fact.id), next=_after_record))
    return steps


eligibility = Flow(
    "eligibility",
    [
        Ask(Step.AGAIN, "eligibility/again.j2", Choice(_again_options), save_as="again", optional=False,
            when=_checked_before, getter=_last_vars),
        Ask(Step.COOPERATIVE, "eligibility/cooperative.j2", Choice(_coop_options), save_as="cooperative",
            when=_heads_several),
        Do(Step.PREPARE, _prepare),
        Show(Step.INTRO, "eligibility/intro.j2", getter=_intro_vars),
        Do(Step.CHOOSE, _choose),
        Do(Step.RESULT, _result),
        Ask(Step.MORE, "eligibility/more.j2", Choice(_more_options), save_as="more", optional=False,
            next=Step.SHOW_MORE, getter=_more_vars),
        Do(Step.SHOW_MORE, _show_more),
        Do(Step.SIZE, _size),
        *_fact_steps(),
    ],
    commands=[Command("hotro", _hotro)],
    start=_start,
    scratch=("coops", "last", "check_id", "first_more", "mode"),
)
