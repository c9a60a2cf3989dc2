"""/canbo: officials see their scope's monthly updates in chat, export them, and give invite codes.

A user is an official only through flows.join.accounts.scope_of, checked again before every
view, export and code; a non-official typing /canbo gets the unknown-command answer, word for word.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from flows.engine.content import load_yaml
from flows.engine.context import Context
from flows.engine.dsl import Ask, Command, Do, Flow, On
from flows.engine.inputs import Choice, Option, Text, options_from
from flows.engine.messages import Reply
from flows.engine.places import Commune, Province
from flows.engine.text import fold
from flows.join import accounts as registry
from flows.join import invites
from flows.join.coops import commune_name, cooperatives_in
from flows.join.scope import Scope
from flows.monthly_report import exports, periods
from flows.monthly_report.flow import Period
from flows.officials import views

_UI = load_yaml("officials.yaml")
ACTIONS = options_from(_UI["actions"])
ROLES = options_from(_UI["roles"])
LEVELS = options_from(_UI["levels"])
VIEWS = {"compliance": views.compliance_text, "totals": views.totals_text, "needs": views.needs_text}
_BELOW = {"country": ("country", "province", "commune"), "province": ("province", "commune"), "commune": ("commune",)}


class Step(StrEnum):
    MENU = "menu"
    PERIOD = "period"
    VIEW = "view"
    FIRST = "first"
    LAST = "last"
    EXPORT = "export"
    FIND = "find"
    SEARCH = "search"
    PICK = "pick"
    ROLE = "role"
    INVITE_HEAD = "invite_head"
    LEVEL = "level"
    PLACE = "place"
    PROVINCE = "province"
    COMMUNE = "commune"
    INVITE_OFFICIAL = "invite_official"


_AFTER_MENU = {"compliance": Step.PERIOD, "totals": Step.PERIOD, "needs": Step.PERIOD, "export": Step.FIRST,
               "invite_head": Step.FIND, "invite_official": Step.LEVEL, "menu": "flow:menu"}


async def _rights(ctx: Context) -> Scope | None:
    """The official's scope, read again now; says so and returns None when the rights are gone."""
    scope = await registry.scope_of(ctx.session, ctx.profile.id)
    if scope is None:
        ctx.say("officials/not_official.j2")
        return None
    ctx.scratch["own"] = [scope.level, scope.province_code, scope.commune_code]
    return scope


async def _canbo(ctx: Context, _arg: str) -> str | None:
    return "flow:officials"


async def _start(ctx: Context) -> str:
    return Step.MENU if await _rights(ctx) else "flow:menu"


async def _view(ctx: Context) -> str:
    scope = await _rights(ctx)
    if scope is None:
        return "flow:menu"
    action, period = ctx.answers["action"], ctx.answers["period"]
    ctx.replies.append(Reply(await VIEWS[action](ctx.session, scope, period)))
    ctx.record("officials.viewed", view=action, period=period)
    return Step.MENU


async def _export(ctx: Context) -> str:
    scope = await _rights(ctx)
    if scope is None:
        return "flow:menu"
    first, last = ctx.answers["first"], ctx.answers["last"]
    if last < first:
        ctx.say("officials/chat/range_reversed.j2", first=periods.display(first), last=periods.display(last))
        return Step.LAST
    months, limit = len(periods.between(first, last)), _UI["export_max_months"]
    if months > limit:
        ctx.say("officials/chat/range_too_long.j2", months=months, limit=limit)
        return Step.FIRST
    for fmt in exports.FORMATS:
        ctx.send_file(await exports.export_reports(ctx.session, scope, first, last, fmt))
    ctx.record("officials.exported", first=first, last=last)
    return Step.MENU


async def _search(ctx: Context) -> str:
    scope = await _rights(ctx)
    if scope is None:
        return "flow:menu"
    query = fold(ctx.answers["query"]).strip()
    everyone = await cooperatives_in(ctx.session, scope) if query else []
    found = [c for c in everyone if fold(c.registration_no or "") == query or query in fold(c.name)]
    exact = [c for c in found if fold(c.name) == query or fold(c.registration_no or "") == query]
    found = exact or found
    if not found or len(found) > _UI["search_max_matches"]:
        ctx.say("officials/chat/search_failed.j2", query=ctx.answers["query"], count=len(found))
        return Step.FIND
    ctx.scratch["matches"] = [[str(c.id), c.name, commune_name(c.province_code, c.commune_code)] for c in found]
    if len(found) == 1:
        ctx.answers["cooperative_id"] = str(found[0].id)
        return Step.ROLE
    return Step.PICK


def _matches(ctx: Context) -> list[Option]:
    return [Option(cid, f"{name} ({commune})" if commune else name)
            for cid, name, commune in ctx.scratch.get("matches", [])]


async def _invite_head(ctx: Context) -> str:
    if await _rights(ctx) is None:
        return "flow:menu"
    coop_id = int(ctx.answers["cooperative_id"])
    result = await registry.invite_reporter(ctx.session, ctx.profile.id, coop_id, ctx.answers["role"])
    ctx.replies.append(Reply(result.text))
    if result.ok:
        ctx.record("officials.invited", kind="reporter", cooperative_id=coop_id, role=ctx.answers["role"])
    return Step.MENU


def _levels(ctx: Context) -> list[Option]:
    allowed = _BELOW.get((ctx.scratch.get("own") or ["commune"])[0], ())
    return [o for o in LEVELS if o.id in allowed]


async def _place(ctx: Context) -> str:
    """Fill in the places the official's own scope fixes; ask only for the others."""
    if await _rights(ctx) is None:
        return "flow:menu"
    own_level, own_province, own_commune = ctx.scratch["own"]
    ctx.answers.pop("province_code", None)
    ctx.answers.pop("commune_code", None)
    if own_level != "country":
        ctx.answers["province_code"] = own_province
    if own_level == "commune":
        ctx.answers["commune_code"] = own_commune
    level = ctx.answers["level"]
    if level == "country" or (level == "province" and ctx.answers.get("province_code")):
        return Step.INVITE_OFFICIAL
    if not ctx.answers.get("province_code"):
        return Step.PROVINCE
    return Step.COMMUNE if not ctx.answers.get("commune_code") else Step.INVITE_OFFICIAL


async def _invite_official(ctx: Context) -> str:
    if await _rights(ctx) is None:
        return "flow:menu"
    level = ctx.answers["level"]
    scope = Scope(level, ctx.answers.get("province_code") if level != "country" else None,
                  ctx.answers.get("commune_code") if level == "commune" else None)
    result = await registry.invite_official(ctx.session, ctx.profile.id, scope)
    ctx.replies.append(Reply(result.text))
    if result.ok:
        ctx.record("officials.invited", kind="official", level=scope.level, province_code=scope.province_code,
                   commune_code=scope.commune_code)
    return Step.MENU


async def _menu_vars(ctx: Context) -> dict[str, Any]:
    own = ctx.scratch.get("own") or ["", None, None]
    return invites.scope_names(Scope(*own)) if own[0] else {"level": "", "province": "", "commune": ""}


def _period_vars(ctx: Context) -> dict[str, Any]:
    return {"action": {o.id: o.label for o in ACTIONS}.get(ctx.answers.get("action"), "")}


def _coop_vars(ctx: Context) -> dict[str, Any]:
    names = {cid: name for cid, name, _ in ctx.scratch.get("matches", [])}
    return {"cooperative": names.get(ctx.answers.get("cooperative_id"), ""), "count": len(names)}


officials = Flow(
    "officials",
    [
        Ask(Step.MENU, "officials/chat/menu.j2", Choice(ACTIONS), save_as="action", optional=False,
            getter=_menu_vars, next=On("action", _AFTER_MENU)),
        Ask(Step.PERIOD, "officials/chat/ask_period.j2", Period(), optional=False, getter=_period_vars),
        Do(Step.VIEW, _view),
        Ask(Step.FIRST, "officials/chat/ask_first.j2", Period(), optional=False),
        Ask(Step.LAST, "officials/chat/ask_last.j2",
            Period(suggest=lambda ctx: ctx.answers.get("first"), label=("officials.yaml", "same_month")),
            optional=False),
        Do(Step.EXPORT, _export),
        Ask(Step.FIND, "officials/chat/ask_cooperative.j2", Text(max_len=120), save_as="query", optional=False),
        Do(Step.SEARCH, _search),
        Ask(Step.PICK, "officials/chat/pick_cooperative.j2", Choice(_matches), save_as="cooperative_id",
            optional=False, getter=_coop_vars),
        Ask(Step.ROLE, "officials/chat/ask_role.j2", Choice(ROLES), optional=False, getter=_coop_vars),
        Do(Step.INVITE_HEAD, _invite_head),
        Ask(Step.LEVEL, "officials/chat/ask_level.j2", Choice(_levels), optional=False),
        Do(Step.PLACE, _place),
        Ask(Step.PROVINCE, "officials/chat/ask_province.j2", Province(), save_as="province_code", optional=False,
            next=On("level", {"commune": Step.COMMUNE}, otherwise=Step.INVITE_OFFICIAL)),
        Ask(Step.COMMUNE, "officials/chat/ask_commune.j2", Commune(), save_as="commune_code", optional=False,
            next=Step.INVITE_OFFICIAL),
        Do(Step.INVITE_OFFICIAL, _invite_official),
    ],
    commands=[Command("canbo", _canbo, allowed=registry.is_official)],
    start=_start,
    scratch=("own", "matches"),
)
