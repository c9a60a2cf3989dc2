"""Flow "faq" (menu "Hỏi đáp"): a question in the user's own words gets the answer with its source
and check date, and up to two "bạn có thể muốn hỏi" buttons; a request starts its flow; when
nothing fits, the question can go to the officials of the user's province (db.models.Question).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from markupsafe import Markup
from sqlalchemy import func, select

from db.models.questions import Question
from flows.engine import geo
from flows.engine.context import Context
from flows.engine.dsl import END, Ask, Do, Flow
from flows.engine.inputs import Invalid, Kind, Ok, Option, Result, Text, YesNo
from flows.engine.places import Province
from flows.faq import Entry, Knowledge, Match

FLOW = "faq"
HANDOFF = "handoff"  # option id of "send my question to an official"
DECLINED = "no"
MAX_OPEN = 5  # open questions one user may have waiting at a time


class Step(StrEnum):
    ASK = "ask"
    MATCH = "match"
    ANSWER = "answer"
    UNANSWERED = "unanswered"
    ROUTE = "route"
    HANDOFF = "handoff"
    PROVINCE = "province"
    SEND = "send"


@functools.cache
def _loaded() -> Knowledge:
    return Knowledge.load()


def knowledge_of(ctx: Context) -> Knowledge:
    """The knowledge base the installer loaded at start-up (or loaded here once, e.g. in tests)."""
    return ctx.services.knowledge or _loaded()


def entry_vars(entry: Entry) -> dict[str, Any]:
    """Template variables of faq/answer.j2 for one entry (its answer is reviewed HTML)."""
    return {"answer": Markup(entry.answer), "source": entry.source, "checked": entry.checked}


def apply_match(ctx: Context, match: Match) -> str:
    """Keep what a match found in the answers and name where to go: its flow, the answer, or the offer."""
    ctx.state.history = []
    if match.entry is not None and match.is_task:
        ctx.record("faq.task", entry=match.entry.id)
        return f"flow:{match.entry.task}"
    ctx.answers["also"] = [entry.id for entry in match.also]
    ctx.answers["entry"] = match.entry.id if match.entry else None
    if match.entry is None:
        ctx.record("faq.unanswered")
        return Step.UNANSWERED
    ctx.record("faq.answered", entry=match.entry.id)
    return Step.ANSWER


@dataclass
class FollowUp(Kind):
    """After an answer: a suggested question (button or number), the hand-off offer, or a new question."""

    offer_handoff: bool = False
    choice_like = True
    open_ended = True  # under an answer the user types the next question (or "cảm ơn")

    def options(self, ctx: Any) -> list[Option]:
        if ctx is None:  # `content check` lists static options only; these depend on the answer
            return []
        knowledge = knowledge_of(ctx)
        options = [Option(HANDOFF, ctx.render("faq/button_handoff.j2"))] if self.offer_handoff else []
        options += [Option(i, knowledge.by_id[i].title) for i in ctx.answers.get("also", []) if i in knowledge.by_id]
        return options

    def parse(self, text: str, ctx: Any) -> Result:
        if self.offer_handoff:
            yes_no = YesNo().parse(text, ctx)
            if isinstance(yes_no, Ok):
                return Ok({"pick": HANDOFF if yes_no.value else DECLINED})
        return Ok({"text": text.strip()})

    def from_button(self, option_id: str, ctx: Any) -> Result:
        if option_id in {option.id for option in self.options(ctx)}:
            return Ok({"pick": option_id})
        return Invalid("stale_choice")


async def _start(ctx: Context) -> str | None:
    return Step.MATCH if ctx.answers.get("question") else None


async def _match(ctx: Context) -> str:
    return apply_match(ctx, knowledge_of(ctx).match(ctx.answers["question"]))


async def _route(ctx: Context) -> str:
    ctx.state.history = []
    chosen = ctx.answers.pop("followup", None) or {}
    if "text" in chosen:
        ctx.answers["question"] = chosen["text"]
        return Step.MATCH
    pick = chosen.get("pick")
    if pick == HANDOFF:
        return Step.HANDOFF
    knowledge = knowledge_of(ctx)
    if pick not in knowledge.by_id:  # declined the hand-off
        return Step.ASK
    entry = knowledge.by_id[pick]
    if entry.task:  # a suggestion worded as a request ("Tôi muốn thành lập hợp tác xã")
        ctx.record("faq.task", entry=entry.id)
        return f"flow:{entry.task}"
    ctx.answers["entry"] = entry.id
    ctx.answers["also"] = [e.id for e in knowledge.match(entry.title).also if e.id != entry.id]
    ctx.record("faq.answered", entry=entry.id, suggested=True)
    return Step.ANSWER


def _also_titles(ctx: Context) -> list[str]:
    knowledge = knowledge_of(ctx)
    return [knowledge.by_id[i].title for i in ctx.answers.get("also", []) if i in knowledge.by_id]


def _answer_vars(ctx: Context) -> dict[str, Any]:
    return {**entry_vars(knowledge_of(ctx).by_id[ctx.answers["entry"]]), "also": _also_titles(ctx)}


def _unanswered_vars(ctx: Context) -> dict[str, Any]:
    code = ctx.profile.province_code
    return {"also": _also_titles(ctx), "province": geo.province(code).name if code else ""}


async def _handoff(ctx: Context) -> str:
    ctx.state.history = []
    if not ctx.answers.get("question"):
        return Step.ASK
    return Step.SEND if ctx.profile.province_code else Step.PROVINCE


async def _send(ctx: Context) -> str:
    """Store the question for the officials of the province; nobody else can list it."""
    province = ctx.answers.get("province_code") or ctx.profile.province_code
    commune = ctx.profile.commune_code if province == ctx.profile.province_code else None
    waiting = await ctx.session.scalar(
        select(func.count()).select_from(Question).where(Question.user_id == ctx.profile.id, Question.status == "open"))
    if waiting >= MAX_OPEN:
        ctx.say("faq/handoff_limit.j2", limit=MAX_OPEN)
        return END
    ctx.session.add(Question(user_id=ctx.profile.id, province_code=province, commune_code=commune,
                             text=ctx.answers["question"]))
    ctx.record("faq.handoff", province=province)
    ctx.say("faq/handoff_sent.j2", province=geo.province(province).name)
    return END


faq = Flow(
    FLOW,
    [
        Ask(Step.ASK, "faq/ask.j2", Text(open_ended=True), save_as="question", optional=False, next=Step.MATCH),
        Do(Step.MATCH, _match),
        Ask(Step.ANSWER, "faq/answered.j2", FollowUp(), save_as="followup", optional=False,
            getter=_answer_vars, next=Step.ROUTE),
        Ask(Step.UNANSWERED, "faq/unanswered.j2", FollowUp(offer_handoff=True), save_as="followup",
            optional=False, getter=_unanswered_vars, next=Step.ROUTE),
        Do(Step.ROUTE, _route),
        Do(Step.HANDOFF, _handoff),
        Ask(Step.PROVINCE, "faq/ask_province.j2", Province(), save_as="province_code", optional=False,
            next=Step.SEND),
        Do(Step.SEND, _send),
    ],
    start=_start,
)
