"""`htxbot faq eval`: the knowledge base measured on the labelled question set (tests/faq/questions).

Per question: what the knowledge base answers (`judge`) and, in the real engine on a throw-away
SQLite database, whether the question started a flow or changed saved state where it was typed
(`misroutes`). A user is placed at the question's state by a short scripted conversation (founding,
monthly report, eligibility, profile, Hỏi đáp, onboarding), then types the question.

Figures (the retrieval study, bench/faq_retrieval.py, uses the same definitions):
- top-1: the entry given is the labelled one (a flow request: the entry that starts the flow); for
  small talk and off-topic questions, no entry given;
- top-3: the labelled entry is among the three best ranked (questions an entry answers);
- "I don't know" precision and recall: no entry given, for questions that no entry answers;
- off-topic answered: off-topic questions answered with an entry;
- misroute: a question (not a request) that started a flow or changed the flow's step, answers or
  working notes (the founding plan's ticks), a saved founding plan, a monthly report or the profile
  (not measured: requests, states the scripts do not reach, remarks typed at a free-text step).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select

QUESTIONS = Path(__file__).resolve().parents[2] / "tests" / "faq" / "questions"
SPLITS = ("train", "dev", "test")
IDLE_FLOWS = (None, "menu", "faq")  # where an answered question at the menu may leave the user
# Steps whose answer is free text: a remark typed there ("trời mưa, lúa ngã hết") is an answer, not a
# misroute; only questions that an entry answers are measured there.
FREE_TEXT_STEPS = frozenset({"monthly_report.difficulties", "monthly_report.status_note"})
PLACE = ("vinh long", "long hiep")  # where the founding guide's scripted cooperative sits

_ids = itertools.count(1)


def load(split: str) -> list[dict]:
    """The questions of a split ("all": every split)."""
    names = SPLITS if split == "all" else (split,)
    return [item for name in names for item in yaml.safe_load((QUESTIONS / f"{name}.yaml").read_text(encoding="utf-8"))]


def kind(item: dict) -> str:
    expect = item["expect"]
    return expect if isinstance(expect, str) else next(iter(expect))


@dataclass
class Outcome:
    """What happened to one question."""

    item: dict
    gold: str | None  # the entry that should answer, None when none should
    said: str | None  # the entry given, None for "I don't know"
    top3: list[str]
    misroute: bool | None = None  # None: not measured (a request, or a state not reached)


def gold(item: dict, task_entry: dict[str, str]) -> str | None:
    expect = item["expect"]
    if isinstance(expect, str):
        return None
    return expect["entry"] if "entry" in expect else task_entry[expect["flow"]]


def judge(knowledge: Any, items: list[dict]) -> list[Outcome]:
    """The knowledge base's answer to each question."""
    task_entry = {e.task: e.id for e in knowledge.entries if e.task}
    outcomes = []
    for item in items:
        match = knowledge.match(item["text"])
        ranked = [entry.id for entry, _ in knowledge.ranking(item["text"])[:3]]
        outcomes.append(Outcome(item, gold(item, task_entry), match.entry.id if match.entry else None, ranked))
    return outcomes


def figures(outcomes: list[Outcome]) -> dict[str, Any]:
    """The figures of a group of outcomes (see the module's docstring); None where undefined."""
    answerable = [o for o in outcomes if o.gold is not None]
    idk = [o for o in outcomes if o.said is None]
    no_entry = [o for o in outcomes if o.gold is None]
    off = [o for o in outcomes if o.item["expect"] == "none"]
    measured = [o for o in outcomes if o.misroute is not None]

    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    return {
        "n": len(outcomes),
        "top1": share(sum(o.said == o.gold for o in outcomes), len(outcomes)),
        "top3": share(sum(o.gold in o.top3 for o in answerable), len(answerable)),
        "idk_p": share(sum(o.gold is None for o in idk), len(idk)),
        "idk_r": share(sum(o.said is None for o in no_entry), len(no_entry)),
        "offtopic": share(sum(o.said is not None for o in off), len(off)),
        "misroutes": sum(bool(o.misroute) for o in measured),
        "measured": len(measured),
    }


# ---- misroutes in the real engine ----------------------------------------------------------


class _User:
    """One scripted user of the engine."""

    def __init__(self, app: Any, external_id: str) -> None:
        self.app, self.external_id = app, external_id
        self.last: list = []

    async def send(self, text: str) -> None:
        from flows.engine.messages import Incoming

        self.last = await self.app.engine.handle(Incoming("eval", self.external_id, text=text, display_name="Ba Tư",
                                                          message_id=f"e{next(_ids)}"))

    async def tap(self, what: str) -> None:
        from flows.engine.messages import Incoming

        for reply in reversed(self.last):
            for button in reply.buttons or ():
                if button.id == what or button.id.rpartition("|")[2] == what or what == "*first*":
                    self.last = await self.app.engine.handle(Incoming("eval", self.external_id, button=button.id,
                                                                      message_id=f"e{next(_ids)}"))
                    return
        raise LookupError(what)

    async def state(self) -> tuple[str | None, str | None]:
        from db.models.core import Conversation, User

        async with self.app.sessionmaker() as s:
            row = (await s.execute(select(Conversation.flow, Conversation.step).join(User, User.id == Conversation.user_id)
                                   .where(User.external_id == self.external_id))).first()
        return (row.flow, row.step) if row else (None, None)


async def _onboarded(app: Any, external_id: str) -> None:
    from db.models.core import User

    async with app.sessionmaker() as s:
        s.add(User(channel="eval", external_id=external_id, display_name="Ba Tư", role="nong_dan", onboarded=True))
        await s.commit()


async def _linked_code(app: Any) -> str:
    from db.models.registry import Cooperative
    from flows.join import invites

    async with app.sessionmaker() as s:
        coop = Cooperative(name=f"HTX Đồng Tâm {next(_ids)}", form="hop_tac_xa", province_code=1, commune_code=70)
        s.add(coop)
        await s.flush()
        code = (await invites.create_code(s, "reporter", None, cooperative_id=coop.id)).code
        await s.commit()
    return code


async def _script(app: Any, flow: str) -> list[str]:
    """The messages ("tap:x" presses button x) that walk a new user through a flow's steps."""
    if flow == "founding":
        return ["/thanhlap", "hop tac xa", "6 nguoi", "ca nhan, ho gia dinh", "nong nghiep", *PLACE,
                "1,5 ty", "300 trieu", "Hợp tác xã Nông nghiệp Đồng Tâm"]
    if flow == "founding_foreign":
        return ["/thanhlap", "hop tac xa", "6 nguoi", "ca nhan, nha dau tu nuoc ngoai"]
    if flow == "monthly_report":
        return [f"/thamgia {await _linked_code(app)}", "tap:*first*", "25", "12 người", "1,5 tỷ", "tap:on_dinh",
                "tap:_skip", "tap:_done"]
    if flow == "eligibility":
        return ["/hotro", *["tap:_skip"] * 20, "tap:size", *["tap:_skip"] * 8]  # every fact, then the size class
    if flow == "profile":
        return ["menu", "tap:profile"]
    if flow == "faq":
        return ["menu", "tap:faq", "htx la gi"]
    if flow == "menu":
        return ["menu"]
    return []


async def place(app: Any, external_id: str, state: str) -> _User | None:
    """A new user at `state` ("idle", "menu", "<flow>.<step>"), or None when the script does not reach it."""
    user = _User(app, external_id)
    if state.startswith("onboarding."):
        await user.send("/start")
        if state == "onboarding.province":
            await user.tap("*first*")
        return user if await user.state() == tuple(state.split(".", 1)) else None
    await _onboarded(app, external_id)
    if state == "idle":
        return user
    flow, _, step = state.partition(".")
    target = ("menu", "main") if state == "menu" else (flow, step)
    script = await _script(app, "founding_foreign" if state == "founding.foreign" else flow)
    for action in script:
        try:
            await (user.tap(action[4:]) if action.startswith("tap:") else user.send(action))
        except LookupError:  # no such button here: the flow took another turn; try the next action
            continue
        if await user.state() == target:
            return user
    return None


async def fingerprint(app: Any, external_id: str) -> tuple:
    """The saved state a question must not change: conversation, founding plan, reports, profile."""
    from db.models.core import Conversation, User
    from db.models.founding import FoundingPlan
    from db.models.registry import MonthlyReport

    async with app.sessionmaker() as s:
        user = (await s.execute(select(User).where(User.external_id == external_id))).scalar_one()
        conversation = await s.get(Conversation, user.id)
        plans = (await s.execute(select(FoundingPlan.answers, FoundingPlan.progress)
                                 .where(FoundingPlan.user_id == user.id))).all()
        reports = await s.scalar(select(func.count()).select_from(MonthlyReport).where(MonthlyReport.user_id == user.id))
        return ((conversation.flow, conversation.step, conversation.answers, conversation.scratch)
                if conversation else (None, None, None, None),
                [tuple(p) for p in plans], reports, (user.role, user.province_code, user.commune_code))


def misrouted(before: tuple, after: tuple, state: str) -> bool:
    (flow0, *where0), *saved0 = before
    (flow1, *where1), *saved1 = after
    if saved0 != saved1:
        return True
    if state in ("idle", "menu") or flow0 == "faq":  # answering may open Hỏi đáp; nothing else may start
        return flow1 not in IDLE_FLOWS
    return (flow1, *where1) != (flow0, *where0)  # step, answers and working notes (ticks) unchanged


async def misroutes(outcomes: list[Outcome], day: dt.date, directory: Path) -> None:
    """Fill each question's `misroute` from the real engine (requests and unreachable states stay None)."""
    from bot.app import build_app
    from bot.settings import Settings
    from db.base import Base

    app = build_app(Settings(database_url=f"sqlite+aiosqlite:///{directory / 'faq-eval.db'}"),
                    clock=lambda: day, parts=["assistant"])
    try:
        async with app.db.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        for number, outcome in enumerate(outcomes):
            if kind(outcome.item) == "flow" or (outcome.gold is None and outcome.item["state"] in FREE_TEXT_STEPS):
                continue
            user = await place(app, f"eval-{number}", outcome.item["state"])
            if user is None:
                continue
            before = await fingerprint(app, user.external_id)
            await user.send(outcome.item["text"])
            outcome.misroute = misrouted(before, await fingerprint(app, user.external_id), outcome.item["state"])
    finally:
        await app.close()
