"""The monthly update of a cooperative head (issue 5): period, numbers, situation, needs, review, receipt.

Only a linked reporter sends (flows.monthly_report.reports.submit checks it again); the update is the
programme's own and does not replace the annual update on the national system by 15/12
(Thông tư 09/2024/TT-BKHĐT, Điều 6). Also /baocao, and /tatnhac and /batnhac for the reminders.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from db.models.core import User
from db.models.registry import Cooperative
from flows.engine.content import load_yaml
from flows.engine.context import Context
from flows.engine.dsl import AGAIN, END, Ask, Command, Do, Flow, On, Show
from flows.engine.inputs import (
    Choice,
    Invalid,
    Kind,
    Money,
    Month,
    MultiChoice,
    Ok,
    Option,
    Result,
    Text,
    WholeNumber,
    YesNo,
    options_from,
)
from flows.engine.messages import Reply
from flows.join import flow as join
from flows.join.coops import linked_cooperatives
from flows.monthly_report import periods, reports

_UI = load_yaml("monthly_report.yaml")
_CHOICES = load_yaml("registry/monthly.yaml")
STATUSES = options_from(_CHOICES["statuses"])
NEEDS = options_from(_CHOICES["needs"])
REVIEW = options_from(_UI["review"])
TROUBLED = "kho_khan"  # the status that asks for a note


class Step(StrEnum):
    COOPERATIVE = "cooperative"
    CODE = "code"
    REDEEM = "redeem"
    NOTICE = "notice"
    PERIOD = "period"
    PREPARE = "prepare"
    MEMBERS = "members"
    WORKERS = "workers"
    REVENUE = "revenue"
    STATUS = "status"
    AFTER_STATUS = "after_status"
    STATUS_NOTE = "status_note"
    DIFFICULTIES = "difficulties"
    NEEDS = "needs"
    REVIEW = "review"
    EDIT = "edit"
    SEND = "send"
    CONFIRM = "confirm"


# ---- input kinds ---------------------------------------------------------------------------


@dataclass
class Period(Month):
    """A month typed as '10/2026' or 'tháng 10', or the suggested month by its button."""

    suggest: Callable[[Any], str | None] = lambda ctx: periods.default_period(ctx.today)
    label: tuple[str, str] = ("monthly_report.yaml", "period_suggested")  # YAML file, key under buttons:

    def options(self, ctx: Any) -> list[Option]:
        period = self.suggest(ctx) if ctx is not None else None
        if not period:
            return []
        caption = load_yaml(self.label[0])["buttons"][self.label[1]]
        return [Option(period, caption.format(period=periods.display(period)))]


@dataclass
class Count(Kind):
    """A whole number refused with its reason when reports.check_number finds it out of bounds."""

    field: str = "members"

    def parse(self, text: str, ctx: Any) -> Result:
        result = WholeNumber(max=10**12).parse(text, ctx)
        if not isinstance(result, Ok) or reports.check_number(self.field, result.value) is None:
            return result
        limits = reports.bounds()[self.field]
        return Invalid("out_of_range", {"min": limits["min"], "max": limits["max"], "value": result.value,
                                        "unit": _UI["units"][self.field]})


@dataclass
class Revenue(Money):
    """The month's revenue in any money form, refused with its reason when out of bounds."""

    def parse(self, text: str, ctx: Any) -> Result:
        result = Money(max=10**18).parse(text, ctx)
        if not isinstance(result, Ok) or reports.check_number("revenue", result.value) is None:
            return result
        limits = reports.bounds()["revenue"]
        return Invalid("money_range", {"min": limits["min"], "max": limits["max"], "value": result.value})


# ---- callbacks -----------------------------------------------------------------------------


def _coop_name(ctx: Context) -> str:
    return dict(ctx.scratch.get("coops", [])).get(ctx.answers.get("cooperative_id"), "")


def _coop_options(ctx: Context) -> list[Option]:
    return [Option(cid, name) for cid, name in ctx.scratch.get("coops", [])]


async def _start(ctx: Context) -> str:
    linked = await linked_cooperatives(ctx.session, ctx.profile.id)
    if not linked:
        return Step.CODE
    ctx.scratch["coops"] = [[str(coop.id), coop.name] for coop, _role in linked]
    if len(linked) > 1:
        return Step.COOPERATIVE
    ctx.answers["cooperative_id"] = str(linked[0][0].id)
    return Step.NOTICE


async def _redeem(ctx: Context) -> str:
    return await join.redeem_code(ctx, ctx.answers.pop("code", ""), retry=Step.CODE)


async def _prepare(ctx: Context) -> str:
    """Remember the last report (shown as 'Lần trước') for the chosen period."""
    last = await reports.last_report(ctx.session, int(ctx.answers["cooperative_id"]), ctx.answers["period"])
    ctx.scratch["previous"] = None if last is None else {
        "period": last.period, "members": last.members, "workers": last.workers, "revenue": last.revenue}
    return Step.REVIEW if ctx.scratch.get("editing") else Step.MEMBERS


def _back_to_review_or(step: str, ctx: Context) -> str:
    """Go on to `step`, or back to the review when the user is changing one answer."""
    return Step.REVIEW if ctx.scratch.get("editing") else step


def _then(step: str) -> Callable[[Context], str]:
    return functools.partial(_back_to_review_or, step)


async def _after_status(ctx: Context) -> str:
    if ctx.answers.get("status") == TROUBLED:
        return Step.STATUS_NOTE
    ctx.answers.pop("status_note", None)
    return _then(Step.DIFFICULTIES)(ctx)


async def _edit(ctx: Context) -> str:
    field = ctx.answers["action"]
    ctx.scratch["editing"] = True
    ctx.answers["confirmed"] = False
    if field == Step.NEEDS:  # the ticks start from the saved needs
        ctx.state.pending = {"selected": list(ctx.answers.get("needs") or [])}
    return field


def _report_answers(ctx: Context) -> dict[str, Any]:
    a = ctx.answers
    return {"period": a["period"], "members": a["members"], "workers": a["workers"], "revenue": a["revenue"],
            "status": a["status"], "status_note": a.get("status_note") if a["status"] == TROUBLED else None,
            "difficulties": a.get("difficulties"), "needs": a.get("needs") or []}


async def _send(ctx: Context) -> str:
    coop = await ctx.session.get(Cooperative, int(ctx.answers["cooperative_id"]))
    user = await ctx.session.get(User, ctx.profile.id)
    if coop is None or user is None:
        ctx.say("monthly_report/not_linked.j2", cooperative=_coop_name(ctx))
        return END
    result = await reports.submit(ctx.session, user, coop, _report_answers(ctx),
                                  confirmed=bool(ctx.answers.get("confirmed")))
    if result.outcome is reports.Outcome.NEEDS_CONFIRMATION:
        ctx.scratch["changes"] = [{"field": c.field, "before": c.before, "after": c.after} for c in result.changes]
        return Step.CONFIRM
    ctx.replies.append(Reply(result.text))
    if result.outcome is reports.Outcome.OUT_OF_BOUNDS:
        return Step.REVIEW
    if result.outcome is reports.Outcome.NOT_LINKED:
        return END
    report = result.report
    ctx.record("monthly_report.submitted", cooperative_id=coop.id, period=report.period,
               revision=report.revision, reference=report.reference, confirmed=bool(result.changes))
    return "flow:menu"


# ---- template variables --------------------------------------------------------------------


def _field_vars(ctx: Context) -> dict[str, Any]:
    period = ctx.answers.get("period")
    return {"cooperative": _coop_name(ctx), "period": periods.display(period) if period else "",
            "previous": ctx.scratch.get("previous")}


def _period_vars(ctx: Context) -> dict[str, Any]:
    return {"cooperative": _coop_name(ctx), "period": periods.display(periods.default_period(ctx.today))}


def _notice_vars(ctx: Context) -> dict[str, Any]:
    annual = _CHOICES["annual_update"]
    return {"annual_deadline": annual["deadline"], "annual_reference": annual["reference"]}


def _needs_vars(ctx: Context) -> dict[str, Any]:
    labels = {o.id: o.label for o in NEEDS}
    return {"chosen": [labels[i] for i in (ctx.state.pending or {}).get("selected", []) if i in labels]}


async def _review_vars(ctx: Context) -> dict[str, Any]:
    a = ctx.answers
    sent = await reports.revisions(ctx.session, int(a["cooperative_id"]), a["period"])
    needs = {o.id: o.label for o in NEEDS}
    return {"period": periods.display(a["period"]), "cooperative": _coop_name(ctx),
            "status": {o.id: o.label for o in STATUSES}.get(a.get("status"), ""),
            "needs": [needs[n] for n in a.get("needs") or [] if n in needs], "revision": len(sent) + 1}


def _changes_vars(ctx: Context) -> dict[str, Any]:
    return {"changes": ctx.scratch.get("changes", [])}


# ---- commands ------------------------------------------------------------------------------


async def _report(ctx: Context, _arg: str) -> str:
    return "flow:monthly_report"


async def _reminders(ctx: Context, on: bool) -> None:
    ctx.profile.reminders = on
    ctx.record("profile.reminders", on=on)
    ctx.say("reminders/switch/on.j2" if on else "reminders/switch/off.j2")


async def _reminders_off(ctx: Context, _arg: str) -> str:
    await _reminders(ctx, False)
    return AGAIN


async def _reminders_on(ctx: Context, _arg: str) -> str:
    await _reminders(ctx, True)
    return AGAIN


_TEXT_MAX = reports.bounds()["text_max_chars"]

monthly_report = Flow(
    "monthly_report",
    [
        Ask(Step.COOPERATIVE, "monthly_report/choose_cooperative.j2", Choice(_coop_options), save_as="cooperative_id",
            optional=False, next=Step.NOTICE),
        Ask(Step.CODE, "monthly_report/no_cooperative.j2", Text(max_len=40), optional=False),
        Do(Step.REDEEM, _redeem),
        Show(Step.NOTICE, "monthly_report/notice.j2", getter=_notice_vars),
        Ask(Step.PERIOD, "monthly_report/ask_period.j2", Period(), optional=False, getter=_period_vars),
        Do(Step.PREPARE, _prepare),
        Ask(Step.MEMBERS, "monthly_report/ask_members.j2", Count("members"), optional=False, getter=_field_vars,
            next=_then(Step.WORKERS)),
        Ask(Step.WORKERS, "monthly_report/ask_workers.j2", Count("workers"), optional=False, getter=_field_vars,
            next=_then(Step.REVENUE)),
        Ask(Step.REVENUE, "monthly_report/ask_revenue.j2", Revenue(), optional=False, getter=_field_vars,
            next=_then(Step.STATUS)),
        Ask(Step.STATUS, "monthly_report/ask_status.j2", Choice(STATUSES), optional=False, getter=_field_vars),
        Do(Step.AFTER_STATUS, _after_status),
        Ask(Step.STATUS_NOTE, "monthly_report/ask_status_note.j2", Text(max_len=_TEXT_MAX), next=_then(Step.DIFFICULTIES)),
        Ask(Step.DIFFICULTIES, "monthly_report/ask_difficulties.j2", Text(max_len=_TEXT_MAX), next=_then(Step.NEEDS)),
        Ask(Step.NEEDS, "monthly_report/ask_needs.j2", MultiChoice(NEEDS), getter=_needs_vars, next=Step.REVIEW),
        Ask(Step.REVIEW, "monthly_report/review.j2", Choice(REVIEW), save_as="action", optional=False,
            getter=_review_vars, next=On("action", {"send": Step.SEND}, otherwise=Step.EDIT)),
        Do(Step.EDIT, _edit),
        Do(Step.SEND, _send),
        Ask(Step.CONFIRM, "monthly_report/confirm_change.j2", YesNo(labels=tuple(_UI["buttons"]["confirm"])),
            save_as="confirmed", optional=False, getter=_changes_vars,
            next=On("confirmed", {True: Step.SEND}, otherwise=Step.REVIEW)),
    ],
    commands=[Command("baocao", _report), Command("tatnhac", _reminders_off), Command("batnhac", _reminders_on)],
    start=_start,
    scratch=("coops", "previous", "editing", "changes"),
)
