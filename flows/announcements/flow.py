"""Officials compose announcements in chat: text, preview, audience, count, confirm or schedule, cancel.

/guithongbao (or the menu entry) starts it, /thongbao lists past announcements, /huythongbao <số>
cancels one. Rights are read from the registry (flows.join.accounts.scope_of) at every action;
to anyone else these commands are unknown, and the menu entry only says whether they receive
announcements. A scheduled time is read against ctx.services.now when given (tests), else the
clock, in Việt Nam time.
"""

from __future__ import annotations

import datetime as dt
import logging
from enum import StrEnum

from sqlalchemy import select

from db.models.outbox import Announcement, AnnouncementStatus
from flows.announcements import audience, outbox, registry_kinds, views  # noqa: F401 (registry kinds)
from flows.announcements.schedule import LOCAL, parse_when
from flows.engine.content import load_yaml
from flows.engine.context import Context
from flows.engine.dsl import AGAIN, UNKNOWN, Ask, Command, Do, Flow, On, Show
from flows.engine.inputs import Choice, Option, Text, options_from
from flows.engine.messages import Reply
from flows.engine.numbers import ascii_int
from flows.engine.places import Commune, Province
from flows.engine.text import plain
from flows.join.accounts import is_official, scope_of
from flows.join.scope import Scope
from flows.monthly_report import periods

log = logging.getLogger(__name__)
CHANNEL_LIMITS = {"telegram": 4096, "zalo": 2000, "zalo_oa": 2000}  # characters one message may hold on each channel
_OPTIONS = load_yaml("announcements/compose.yaml")
LOOKS, CONFIRM, QUEUED = (options_from(_OPTIONS[k]) for k in ("looks", "confirm", "queued"))
AUDIENCES = [Option(b.id, b.label) for b in audience.choices()]
SECTORS = [Option(s["id"], s["name"], tuple(s["aliases"])) for s in load_yaml("registry/sectors.yaml")["sectors"]]
PLAIN_KINDS = ("everyone", "farmers", "heads", "linked_heads")


def _max_text() -> int:
    """The longest text whose message, footer included, fits every channel's limit."""
    return min(limit - (len(plain(views.message_text("x", ch))) - 1) for ch, limit in CHANNEL_LIMITS.items())


MAX_TEXT = _max_text()


class Step(StrEnum):
    TEXT = "text"
    PREVIEW = "preview"
    LOOKS = "looks"
    AUDIENCE = "audience"
    SECTOR = "sector"
    PROVINCE = "province"
    COMMUNE = "commune"
    COUNT = "count"
    CONFIRM = "confirm"
    WHEN = "when"
    SCHEDULE = "schedule"
    QUEUE = "queue"
    QUEUED = "queued"
    CANCEL = "cancel"
    SUBSCRIPTION = "subscription"


async def _scope(ctx: Context) -> Scope | None:
    return await scope_of(ctx.session, ctx.profile.id)


def _now(ctx: Context) -> dt.datetime:
    clock = ctx.services.now
    return clock() if clock else dt.datetime.now(LOCAL)


# ---- steps ----------------------------------------------------------------------------------

async def _start(ctx: Context) -> str | None:
    scope = await _scope(ctx)
    if scope is None:
        return Step.SUBSCRIPTION
    ctx.answers["place_province"] = scope.province_code
    return None


def _preview(ctx: Context) -> dict:
    return {"message": views.message_text(ctx.answers["text"], ctx.channel)}


def _after_audience(ctx: Context) -> str:
    kind = ctx.answers["kind"]
    if kind == "commune" and ctx.answers.get("place_province") is None:
        return Step.PROVINCE
    return {"sector": Step.SECTOR, "province": Step.PROVINCE, "commune": Step.COMMUNE}.get(kind, Step.COUNT)


def _spec(ctx: Context) -> dict:
    a, kind = ctx.answers, ctx.answers["kind"]
    if kind == "not_reported":
        return {"kind": kind, "month": periods.default_period(ctx.today)}
    extra = {"sector": {"sector": a.get("sector")}, "province": {"province_code": a.get("place_province")},
             "commune": {"commune_code": a.get("commune_code")}}
    return {"kind": kind, **extra.get(kind, {})}


async def _count(ctx: Context) -> str | None:
    scope = await _scope(ctx)
    if scope is None:
        return _lost_rights(ctx)
    spec = _spec(ctx)
    try:
        count = await audience.count(ctx.session, scope, spec)
    except audience.AudienceRefused as error:
        ctx.say("announcements/refused.j2", reason=audience.refusal_text(error))
        return Step.AUDIENCE
    if count == 0:
        ctx.say("announcements/nobody.j2")
        return Step.AUDIENCE
    ctx.answers.update(spec=spec, count=count)
    return None


def _confirm_vars(ctx: Context) -> dict:
    spec = ctx.answers["spec"]
    return {"count": ctx.answers["count"], "audience": _audience_label(spec)}


def _audience_label(spec: dict) -> str:
    label = {o.id: o.label for o in AUDIENCES}.get(spec["kind"], spec["kind"])
    if spec.get("month"):
        return f"{label} ({periods.display(spec['month'])})"
    place = {"sector": lambda: {o.id: o.label for o in SECTORS}.get(spec["sector"], spec["sector"]),
             "province": lambda: Province().describe(spec["province_code"], None),
             "commune": lambda: Commune().describe(spec["commune_code"], None)}.get(spec["kind"])
    return f"{label}: {place()}" if place else label


_AFTER_CONFIRM = {"send_now": Step.QUEUE, "schedule": Step.WHEN, "edit_text": Step.TEXT, "audience": Step.AUDIENCE}


async def _schedule(ctx: Context) -> str | None:
    when = parse_when(ctx.answers["when_text"], _now(ctx))
    if when.at is None:
        ctx.say("announcements/bad_when.j2", reason=when.reason)
        return Step.WHEN
    ctx.answers["scheduled_at"] = when.at.isoformat()
    return None


async def _queue(ctx: Context) -> str | None:
    scope = await _scope(ctx)
    if scope is None:
        return _lost_rights(ctx)
    a = ctx.answers
    at = dt.datetime.fromisoformat(a["scheduled_at"]) if a.get("decision") == "schedule" else None
    if at is not None and at <= _now(ctx):
        ctx.say("announcements/bad_when.j2", reason="past")
        return Step.WHEN
    try:
        made = await outbox.create_announcement(ctx.session, ctx.profile.id, scope, a["text"], a["spec"],
                                                at and at.astimezone(dt.UTC))  # stored in UTC, compared as such
    except audience.AudienceRefused as error:
        ctx.say("announcements/refused.j2", reason=audience.refusal_text(error))
        return Step.AUDIENCE
    a.update(announcement_id=made.id, recipients=made.recipients)
    return None


def _queued_vars(ctx: Context) -> dict:
    at = ctx.answers.get("scheduled_at") if ctx.answers.get("decision") == "schedule" else None
    return {"id": ctx.answers["announcement_id"], "recipients": ctx.answers["recipients"],
            "at": dt.datetime.fromisoformat(at).astimezone(LOCAL) if at else None}


async def _cancel_step(ctx: Context) -> str | None:
    scope = await _scope(ctx)
    if scope is None:
        return _lost_rights(ctx)
    await _cancel(ctx, scope, ctx.answers["announcement_id"])
    return None


def _lost_rights(ctx: Context) -> str:
    ctx.say("announcements/not_allowed.j2")
    return "flow:menu"


async def _cancel(ctx: Context, scope: Scope, announcement_id: int) -> None:
    """Cancel an announcement of this scope that is still running; say what became of it."""
    found = await ctx.session.scalar(select(Announcement).where(Announcement.id == announcement_id))
    if found is None or not scope.contains(Scope(found.scope_level, found.province_code, found.commune_code)):
        ctx.say("announcements/not_found.j2", id=announcement_id)
        return
    if found.status in (AnnouncementStatus.DONE, AnnouncementStatus.CANCELLED):
        ctx.say("announcements/already_finished.j2", id=found.id, status=found.status)
        return
    await outbox.cancel(ctx.session, found.id, by=ctx.profile.id)
    await ctx.session.refresh(found)
    progress = await outbox.progress(ctx.session, found.id)
    ctx.replies.append(Reply(views.summary_text(found, progress)))
    messages = ctx.services.announcement_progress
    if messages is not None:  # the author's progress message shows the end too
        try:
            await messages.show(ctx.session, found, progress, in_chat=True)
        except Exception:  # the reply above already says how it ended
            log.exception("could not update the progress message of announcement %s", found.id)


# ---- commands -------------------------------------------------------------------------------

async def _compose(ctx: Context, _arg: str) -> str | None:
    return "flow:announcements"


async def _history(ctx: Context, _arg: str) -> str | None:
    scope = await _scope(ctx)
    if scope is None:
        return UNKNOWN  # the rights went away since the gate let them in
    ctx.replies.append(Reply(views.history_text(await outbox.history(ctx.session, scope))))
    return AGAIN


async def _cancel_command(ctx: Context, arg: str) -> str | None:
    scope = await _scope(ctx)
    if scope is None:
        return UNKNOWN
    number = ascii_int(arg.strip().lstrip("#"), 12)
    if number is None:
        ctx.say("announcements/cancel_usage.j2")
    else:
        await _cancel(ctx, scope, number)
    return AGAIN


announcements = Flow(
    "announcements",
    [
        Ask(Step.TEXT, "announcements/ask_text.j2", Text(max_len=MAX_TEXT, open_ended=True), save_as="text", optional=False,
            getter=lambda ctx: {"max_text": MAX_TEXT}),
        Show(Step.PREVIEW, "announcements/preview.j2", getter=_preview),
        Ask(Step.LOOKS, "announcements/ask_looks.j2", Choice(LOOKS), save_as="looks", optional=False,
            next=On("looks", {"edit": Step.TEXT}, otherwise=Step.AUDIENCE)),
        Ask(Step.AUDIENCE, "announcements/ask_audience.j2", Choice(AUDIENCES), save_as="kind", optional=False,
            next=_after_audience),
        Ask(Step.SECTOR, "announcements/ask_sector.j2", Choice(SECTORS), save_as="sector", optional=False,
            next=Step.COUNT),
        Ask(Step.PROVINCE, "announcements/ask_province.j2", Province(), save_as="place_province", optional=False,
            next=On("kind", {"commune": Step.COMMUNE}, otherwise=Step.COUNT)),
        Ask(Step.COMMUNE, "announcements/ask_commune.j2", Commune(province_key="place_province"),
            save_as="commune_code", optional=False),
        Do(Step.COUNT, _count),
        Ask(Step.CONFIRM, "announcements/confirm.j2", Choice(CONFIRM), save_as="decision", optional=False,
            getter=_confirm_vars, next=On("decision", _AFTER_CONFIRM)),
        Ask(Step.WHEN, "announcements/ask_when.j2", Text(max_len=100), save_as="when_text", optional=False),
        Do(Step.SCHEDULE, _schedule),
        Do(Step.QUEUE, _queue),
        Ask(Step.QUEUED, "announcements/queued.j2", Choice(QUEUED), save_as="after", optional=False,
            getter=_queued_vars, next=On("after", {"cancel": Step.CANCEL}, otherwise="flow:menu")),
        Do(Step.CANCEL, _cancel_step, next="flow:menu"),
        Show(Step.SUBSCRIPTION, "announcements/subscription.j2", next="flow:menu"),
    ],
    commands=[Command("guithongbao", _compose, allowed=is_official), Command("thongbao", _history, allowed=is_official),
              Command("huythongbao", _cancel_command, allowed=is_official)],
    start=_start,
)
