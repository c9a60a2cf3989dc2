"""Flow "questions" (/cauhoi, officials only): the open questions of the official's scope, the
answer typed in the bot and sent to the user (service "notify"), and the mark that makes the
answer a candidate knowledge entry (`htxbot faq promote`).

The official's scope is read from the database at every step (flows.join.accounts.scope_of);
a user who is not an official is answered exactly as for an unknown command.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from db.base import utcnow
from db.models.questions import Question
from flows.engine.content import render
from flows.engine.context import Context
from flows.engine.dsl import END, Ask, Command, Do, Flow
from flows.engine.formatting import date
from flows.engine.inputs import Choice, Option, Text, YesNo
from flows.join.accounts import is_official, scope_of
from flows.join.coops import commune_name, province_name
from flows.join.invites import scope_names
from flows.join.scope import Scope

FLOW = "questions"
COMMAND = "cauhoi"
LIST_SIZE = 10
LABEL_CHARS = 40
ANSWER_CHARS = 3000


class Step(StrEnum):
    LOAD = "load"
    PICK = "pick"
    OPEN = "open"
    ANSWER = "answer"
    SEND = "send"
    PROMOTE = "promote"
    MARK = "mark"


async def _scope(ctx: Context) -> Scope | None:
    return await scope_of(ctx.session, ctx.profile.id)


async def _in_scope(ctx: Context, question_id: int, status: str = "open") -> tuple[Scope, Question] | None:
    """The question with its reader's scope, when the reader is an official whose scope covers it."""
    scope = await _scope(ctx)
    question = await ctx.session.get(Question, question_id)
    if scope is None or question is None or question.status != status:
        return None
    if not scope.covers(question.province_code, question.commune_code):
        return None
    return scope, question


async def _command(ctx: Context, _arg: str) -> str | None:
    return f"flow:{FLOW}"


def _day(ctx: Context, moment: dt.datetime) -> str:
    """The local date of a stored moment (SQLite gives back naive UTC)."""
    settings = ctx.services.settings
    tz = ZoneInfo(settings.timezone if settings else "Asia/Ho_Chi_Minh")
    return date((moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(tz))


def _place(question: Question) -> str:
    names = [commune_name(question.province_code, question.commune_code) if question.commune_code else "",
             province_name(question.province_code)]
    return ", ".join(name for name in names if name)


async def _load(ctx: Context) -> str:
    ctx.state.history = []
    scope = await _scope(ctx)
    if scope is None:
        ctx.say("questions/no_rights.j2")
        return END
    inside = (Question.status == "open", scope.where(Question.province_code, Question.commune_code))
    total = await ctx.session.scalar(select(func.count()).select_from(Question).where(*inside))
    rows = (await ctx.session.scalars(
        select(Question).where(*inside).order_by(Question.created_at, Question.id).limit(LIST_SIZE))).all()
    if not rows:
        ctx.say("questions/none.j2", **scope_names(scope))
        return END
    ctx.answers["total"] = total
    ctx.answers["listed"] = [
        {"id": str(q.id), "text": q.text, "place": _place(q), "asked": _day(ctx, q.created_at)} for q in rows]
    return Step.PICK


def _listed(ctx: Context) -> list[Option]:
    options = []
    for item in ctx.answers.get("listed", []):
        text = " ".join(item["text"].split())
        label = text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"
        options.append(Option(item["id"], label))
    return options


def _list_vars(ctx: Context) -> dict[str, Any]:
    return {"items": ctx.answers.get("listed", []), "total": ctx.answers.get("total", 0)}


async def _open(ctx: Context) -> str:
    found = await _in_scope(ctx, int(ctx.answers["question_id"]))
    if found is None:
        ctx.say("questions/gone.j2")
        return Step.LOAD
    question = found[1]
    ctx.answers["opened"] = {"question": question.text, "place": _place(question), "asked": _day(ctx, question.created_at)}
    return Step.ANSWER


async def _send(ctx: Context) -> str:
    """Claim the question, send the answer to its author; if it cannot be delivered it stays open."""
    question_id = int(ctx.answers["question_id"])
    found = await _in_scope(ctx, question_id)
    claimed = found is not None and (await ctx.session.execute(
        update(Question).where(Question.id == question_id, Question.status == "open").values(
            status="answered", answer=ctx.answers["answer"], answered_by=ctx.profile.id, answered_at=utcnow()),
    )).rowcount == 1
    if not claimed:
        ctx.say("questions/gone.j2")
        return Step.LOAD
    scope, question = found
    await ctx.session.commit()  # the claim is kept, and no write lock held, while the answer travels (web mailbox)
    text = render("questions/to_user.j2", question=question.text, answer=ctx.answers["answer"], **scope_names(scope))
    notify = ctx.services.notify
    if notify is None or not await notify(question.user_id, text):
        await ctx.session.execute(update(Question).where(Question.id == question_id).values(
            status="open", answer=None, answered_by=None, answered_at=None))
        ctx.say("questions/not_delivered.j2")
        return Step.LOAD
    ctx.state.history = []
    ctx.record("questions.answered", question=question_id)
    ctx.say("questions/sent.j2")
    return Step.PROMOTE


async def _mark(ctx: Context) -> str:
    if ctx.answers.get("promote"):
        question_id = int(ctx.answers["question_id"])
        found = await _in_scope(ctx, question_id, status="answered")
        if found is not None and found[1].answered_by == ctx.profile.id:
            found[1].promote = True
            ctx.record("questions.promoted", question=question_id)
            ctx.say("questions/promoted.j2")
    return Step.LOAD


questions = Flow(
    FLOW,
    [
        Do(Step.LOAD, _load),
        Ask(Step.PICK, "questions/list.j2", Choice(_listed), save_as="question_id", optional=False,
            getter=_list_vars, next=Step.OPEN),
        Do(Step.OPEN, _open),
        Ask(Step.ANSWER, "questions/ask_answer.j2", Text(min_len=2, max_len=ANSWER_CHARS, open_ended=True), save_as="answer",
            optional=False, getter=lambda ctx: ctx.answers["opened"], next=Step.SEND),
        Do(Step.SEND, _send),
        Ask(Step.PROMOTE, "questions/ask_promote.j2", YesNo(), save_as="promote", optional=False, next=Step.MARK),
        Do(Step.MARK, _mark),
    ],
    commands=[Command(COMMAND, _command, allowed=is_official)]  # others learn nothing of it,
)
