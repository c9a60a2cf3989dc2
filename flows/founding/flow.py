"""The founding guide's conversation (issue 3): from "we want an HTX" to a saved plan, ticked steps and drafts.

The questions and their checks are flows/founding/asking.py; here the plan is saved per user
(flows/founding/progress.py) and shown as a summary that fits a phone; /tiendo or the menu show
its progress, where steps are ticked, each step, the filing facts and the warnings are read one at
a time ("Xem chi tiết"), answers changed (the plan is recomputed and saved) and .docx drafts
downloaded.
"""

from __future__ import annotations

import asyncio
import html
from dataclasses import replace
from typing import Any

from flows.engine.context import Context
from flows.engine.dsl import Ask, Command, Do, Flow, Show
from flows.engine.inputs import Choice, Option
from flows.engine.messages import Reply
from flows.founding.asking import (
    ASKS,
    WORDS,
    Step,
    after_answer,
    after_block,
    block_options,
    block_vars,
    comparison_vars,
)
from flows.founding.drafts import KINDS, drafts
from flows.founding.forms import FORMS, questions
from flows.founding.plan import (
    Plan,
    build_plan,
    render_plan,
    render_progress,
    render_step,
    render_time,
    render_warnings,
    render_where,
)
from flows.founding.progress import count_download, load_plan, plan_answers, save_plan, toggle_step

PROGRESS = "progress"  # the saved plan's ticked steps, copied into the conversation's scratch


# ---- the saved plan -----------------------------------------------------------------------


async def _start(ctx: Context) -> str | None:
    """With a saved plan, open its progress view; without one, begin the questions."""
    saved = await load_plan(ctx.session, ctx.profile.id)
    if saved is None or saved.answers.get("form") not in FORMS:
        return None
    ctx.state.answers = dict(saved.answers)
    ctx.scratch[PROGRESS] = dict(saved.progress or {})
    return Step.HOME


async def _save(ctx: Context) -> None:
    fresh = bool(ctx.scratch.pop("fresh", False))
    saved = await save_plan(ctx.session, ctx.profile.id, ctx.answers, fresh=fresh)
    ctx.scratch[PROGRESS] = dict(saved.progress or {})
    ctx.record("founding.plan_shown", form=ctx.answers["form"])


def _plan(ctx: Context) -> Plan:
    return build_plan(plan_answers(ctx.answers))


def _plan_vars(ctx: Context) -> dict[str, Any]:
    plan = _plan(ctx)
    text = render_plan(plan, ctx.scratch.get(PROGRESS, {}), ctx.channel, drafts=len(KINDS[plan.form.id]))
    return {"plan_text": text}


async def _home(ctx: Context) -> None:
    """Back at the progress view: forget the way here (so "Quay lại" does not walk through old questions)."""
    for key in ("action", "edit", "choice", "detail"):
        ctx.scratch.pop(key, None)
    ctx.state.history = []


def _progress_vars(ctx: Context) -> dict[str, Any]:
    return {"progress_text": render_progress(_plan(ctx), ctx.scratch.get(PROGRESS, {}), ctx.channel)}


def _progress_options(ctx: Context) -> list[Option]:
    words = WORDS["progress"]
    done = ctx.scratch.get(PROGRESS, {})
    ticks = [
        Option(f"tick:{s.id}", f"{words['done_mark'] if done.get(s.id) else words['todo_mark']} {s.title}")
        for s in _plan(ctx).steps
    ]
    return [*ticks, *(Option(a["id"], a["label"]) for a in words["actions"])]


def _route(ctx: Context) -> str:
    action = ctx.scratch.get("action") or ""
    if action.startswith("tick:"):
        return Step.TICK
    return {"drafts": Step.DRAFTS, "plan": Step.DETAILS, "edit": Step.EDIT, "new": Step.NEW}.get(action, "flow:menu")


def _details_options(ctx: Context) -> list[Option]:
    words, plan = WORDS["details"], _plan(ctx)
    steps = [
        Option(f"step:{s.id}", words["step"].format(number=i, title=s.title)[:60]) for i, s in enumerate(plan.steps, 1)
    ]
    warnings = [Option("warnings", words["findings"])] if plan.serious else []
    parts = [Option("where", words["where"]), Option("time", words["time"])]
    return [*steps, *parts, *warnings]


def _details_vars(ctx: Context) -> dict[str, Any]:
    return {"warnings": bool(_plan(ctx).serious)}


async def _detail(ctx: Context) -> str:
    """Show the part of the plan picked under "Xem chi tiết", then offer the list again ("Quay lại"
    leads back to the progress view)."""
    picked, plan = ctx.scratch.pop("detail", None) or "", _plan(ctx)
    progress = ctx.scratch.get(PROGRESS, {})
    if picked.startswith("step:") and picked[5:] in {s.id for s in plan.steps}:
        ctx.replies.append(Reply(render_step(plan, picked[5:], progress, ctx.channel)))
    elif picked == "where":
        ctx.replies.append(Reply(render_where(plan, ctx.channel)))
    elif picked == "time":
        ctx.replies.append(Reply(render_time(plan, ctx.channel)))
    elif picked == "warnings" and plan.serious:
        ctx.replies.append(Reply(render_warnings(plan, ctx.channel)))
    else:
        return Step.HOME
    ctx.record("founding.detail_shown", part=picked)
    ctx.state.history = [h for h in ctx.state.history if h != Step.DETAILS]
    return Step.DETAILS


async def _tick(ctx: Context) -> str:
    step_id = ctx.scratch["action"][len("tick:"):]
    progress = await toggle_step(ctx.session, ctx.profile.id, step_id)
    ctx.scratch[PROGRESS] = progress
    ctx.record("founding.step_ticked", step=step_id, done=progress[step_id])
    ctx.say("founding/flow/ticked.j2", done=progress[step_id], title=_plan(ctx).step(step_id).title)
    return Step.HOME


async def _drafts(ctx: Context) -> str:
    answers = plan_answers(ctx.answers)
    documents = await asyncio.to_thread(drafts, answers)
    name = _plan(ctx).name
    for doc in documents:
        caption = html.unescape(ctx.render("founding/flow/draft_caption.j2", title=doc.caption or "", name=name))
        ctx.send_file(replace(doc, caption=caption))
    ctx.say("founding/flow/drafts_sent.j2", count=len(documents), form=answers["form"])
    await count_download(ctx.session, ctx.profile.id)
    ctx.record("founding.drafts_downloaded", form=answers["form"], files=len(documents))
    return Step.HOME


def _edit_options(ctx: Context) -> list[Option]:
    names, unanswered = WORDS["questions"], WORDS["unanswered"]
    options = []
    for q in questions():
        if not q.applies(ctx.answers):
            continue
        value = ctx.answers.get(q.save_as)
        shown = ASKS[q.step].input.describe(value, ctx) if value is not None else unanswered
        options.append(Option(q.step, WORDS["edit_label"].format(question=names[q.step], value=shown)[:60]))
    return options


def _edit_target(ctx: Context) -> str:
    return ctx.scratch.get("edit") or Step.HOME


async def _new(ctx: Context) -> str:
    ctx.state.answers = {}
    ctx.scratch["fresh"] = True
    ctx.state.history = []
    return Step.FORM


# ---- commands -----------------------------------------------------------------------------


async def _tiendo(ctx: Context, _arg: str) -> str | None:
    """/tiendo: the saved plan's progress; without a plan, say so and begin (or go on with) the guide."""
    if await load_plan(ctx.session, ctx.profile.id) is not None:
        return "flow:founding"
    ctx.say("founding/flow/no_plan.j2")
    if ctx.state.flow == "founding" and isinstance(founding.step(ctx.state.step or ""), Ask):
        return ctx.state.step
    return "flow:founding"


async def _thanhlap(ctx: Context, _arg: str) -> str:
    return "flow:founding"


founding = Flow(
    "founding",
    [
        *ASKS.values(),
        Show(Step.COMPARISON, "founding/flow/comparison.j2", getter=comparison_vars, next=Step.FORM),
        Do(Step.CHECK, after_answer),
        Ask(Step.MEMBERS_BLOCKED, "founding/flow/members_blocked.j2", Choice(block_options), save_as="choice", scratch=True,
            getter=block_vars, next=Step.AFTER_BLOCK),
        Do(Step.AFTER_BLOCK, after_block),
        Do(Step.SAVE, _save, next=Step.PLAN),
        Show(Step.PLAN, "founding/flow/plan.j2", getter=_plan_vars, next=Step.HOME),
        Do(Step.HOME, _home, next=Step.PROGRESS),
        Ask(Step.PROGRESS, "founding/flow/progress.j2", Choice(_progress_options), save_as="action", scratch=True,
            optional=False, getter=_progress_vars, next=_route),
        Do(Step.TICK, _tick),
        Ask(Step.EDIT, "founding/flow/edit.j2", Choice(_edit_options), save_as="edit", scratch=True,
            next=_edit_target),
        Do(Step.DRAFTS, _drafts),
        Do(Step.NEW, _new),
        Ask(Step.DETAILS, "founding/flow/details.j2", Choice(_details_options), save_as="detail", scratch=True,
            optional=False, getter=_details_vars, next=Step.DETAIL),
        Do(Step.DETAIL, _detail),
    ],
    commands=[Command("tiendo", _tiendo), Command("thanhlap", _thanhlap)],
    start=_start,
    scratch=(PROGRESS, "fresh", "action", "edit", "choice", "detail"),
)
