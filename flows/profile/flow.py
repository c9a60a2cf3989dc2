"""/hoso: the user's profile, each field editable; /tatthongbao and /batthongbao."""

from __future__ import annotations

from flows.engine import geo
from flows.engine.content import load_yaml
from flows.engine.context import Context
from flows.engine.dsl import Ask, Command, Do, Flow, On
from flows.engine.inputs import Choice, YesNo, options_from
from flows.engine.places import Commune, Province
from flows.onboarding.flow import ROLES, apply_answers

ACTIONS = options_from(load_yaml("profile.yaml")["actions"])
_EDIT_TARGET = {"edit_role": "role", "edit_place": "province", "edit_announcements": "announcements", "menu": "flow:menu"}


def view_vars(ctx: Context) -> dict:
    """Template variables describing the profile in words."""
    p = ctx.profile
    roles = {o.id: o.label for o in ROLES}
    return {
        "role_label": roles.get(p.role or ""),
        "province_name": geo.province(p.province_code).name if p.province_code else None,
        "commune_name": geo.commune(p.commune_code).name if p.commune_code else None,
    }


async def _save(ctx: Context) -> None:
    apply_answers(ctx)
    changed = sorted(k for k in ctx.answers if k != "action")
    if changed:
        ctx.record("profile.updated", fields=changed)
    ctx.state.answers = {}
    ctx.say("profile/saved.j2", changed=bool(changed))


async def _announcements(ctx: Context, on: bool) -> None:
    ctx.profile.announcements = on
    ctx.record("profile.announcements", on=on)
    ctx.say("profile/announcements_on.j2" if on else "profile/announcements_off.j2")


async def _off(ctx: Context, _arg: str) -> None:
    await _announcements(ctx, False)


async def _on(ctx: Context, _arg: str) -> None:
    await _announcements(ctx, True)


profile = Flow(
    "profile",
    [
        Ask("view", "profile/view.j2", Choice(ACTIONS), save_as="action", optional=False, getter=view_vars,
            next=On("action", _EDIT_TARGET)),
        Ask("role", "onboarding/ask_role.j2", Choice(ROLES), next="save"),
        Ask("province", "onboarding/ask_province.j2", Province(), save_as="province_code"),
        Ask("commune", "onboarding/ask_commune.j2", Commune(), save_as="commune_code", next="save"),
        Ask("announcements", "onboarding/ask_announcements.j2", YesNo(), next="save"),
        Do("save", _save, next="view"),
    ],
    commands=[Command("tatthongbao", _off), Command("batthongbao", _on)],
)
