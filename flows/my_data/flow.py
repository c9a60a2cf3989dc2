"""/dulieu: everything stored about the person, as a message and a JSON file; /xoadulieu: erase it, after asking;
and the consent question for someone onboarded before onboarding asked it (the menu sends them here).

Luật Bảo vệ dữ liệu cá nhân 2025: people may see and ask to delete their data (content/privacy.yaml).
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import func, select

from db.models.registry import MonthlyReport
from flows.engine.content import load_yaml
from flows.engine.context import Context
from flows.engine.dsl import AGAIN, END, Ask, Command, Do, Flow, Go, On, Show
from flows.engine.inputs import Choice, options_from
from flows.engine.messages import Document
from flows.join.accounts import scope_of
from flows.join.coops import linked_cooperatives
from flows.my_data.collect import as_json, everything
from flows.my_data.erase import erase
from flows.my_data.notice import consent_options, consent_vars, log_months, record_consent
from flows.my_data.view import readable

# Channels that cannot send a file (bot/channels/zalo_wire.py would turn it into a generic note).
NO_FILES = ("zalo", "zalo_oa")
CHOICES = options_from(load_yaml("privacy.yaml")["erase_choices"])


class Step(StrEnum):
    CONFIRM = "confirm"
    ERASE = "erase"
    ERASED = "erased"
    KEPT = "kept"
    CONSENT = "consent"
    AGREED = "agreed"


def _filename(ctx: Context) -> str:
    return load_yaml("privacy.yaml")["export_filename"].format(day=ctx.today.isoformat())


async def _export(ctx: Context, arg: str) -> str:
    """/dulieu [json]: the message and the file; where files cannot go, the file's text on request."""
    data = await everything(ctx.session, ctx.profile.id, ctx.state)
    file = Document(_filename(ctx), as_json(data), ctx.render("my_data/file_caption.j2"))
    only_file = arg.strip().lower() == "json"
    if not only_file:
        ctx.say("my_data/export.j2", months=log_months(ctx), **await readable(ctx, data))
    if ctx.channel not in NO_FILES:
        ctx.send_file(file)
    elif only_file:
        ctx.say("my_data/json_intro.j2", filename=file.filename)
        ctx.say("my_data/json_text.j2", text=file.data.decode("utf-8"))
    else:
        ctx.say("my_data/no_file.j2", filename=file.filename)
    return AGAIN


async def _ask_to_erase(ctx: Context, _arg: str) -> Go:
    """/xoadulieu: the confirmation first."""
    return Go("my_data")


async def _reports_sent(ctx: Context) -> int:
    return await ctx.session.scalar(select(func.count()).select_from(MonthlyReport)
                                    .where(MonthlyReport.user_id == ctx.profile.id)) or 0


async def _what_goes(ctx: Context) -> dict:
    """What erasure deletes and what it keeps, for the confirmation."""
    linked = await linked_cooperatives(ctx.session, ctx.profile.id)
    return {"coops": [coop.name for coop, _role in linked], "reports": await _reports_sent(ctx),
            "official": await scope_of(ctx.session, ctx.profile.id) is not None}


async def _erase(ctx: Context) -> None:
    reports = await _reports_sent(ctx)
    await erase(ctx)
    ctx.answers["reports"] = reports  # for the last message; the conversation ends with it


def _kept_reports(ctx: Context) -> dict:
    return {"reports": ctx.answers.get("reports", 0)}


def _back(ctx: Context) -> str:
    """After «Không xóa»: the menu, or nothing for someone not introduced yet."""
    return "flow:menu" if ctx.profile.onboarded else END


async def _start(ctx: Context) -> str | None:
    return Step.CONSENT if ctx.answers.get("asked") == "consent" else None


async def _agreed(ctx: Context) -> None:
    record_consent(ctx.session, ctx.profile.id)
    ctx.profile.consent_due = False


def _after_confirm(ctx: Context) -> str:
    return Step.ERASE if ctx.answers.get("choice") == "erase" else Step.KEPT


my_data = Flow(
    "my_data",
    [
        Ask(Step.CONFIRM, "my_data/confirm.j2", Choice(CHOICES), save_as="choice", optional=False,
            getter=_what_goes, next=_after_confirm),
        Do(Step.ERASE, _erase),
        Show(Step.ERASED, "my_data/erased.j2", getter=_kept_reports, next=END),
        Show(Step.KEPT, "my_data/kept.j2", next=_back),
        # someone onboarded before consent was asked; «Không đồng ý» leads to the erasure's confirmation
        Ask(Step.CONSENT, "my_data/consent.j2", Choice(consent_options), save_as="consent", optional=False,
            getter=consent_vars,
            next=On("consent", {"details": Step.CONSENT, "decline": Step.CONFIRM}, otherwise=Step.AGREED)),
        Do(Step.AGREED, _agreed, next="flow:menu"),
    ],
    start=_start,
    commands=[Command("dulieu", _export), Command("xoadulieu", _ask_to_erase)],
)
