"""First contact: who the user is, where they live, whether they want announcements, and their consent.

Nothing is saved to the profile before the person agrees to the privacy notice (content/privacy.yaml;
Luật Bảo vệ dữ liệu cá nhân 2025): the consent is asked last, with what is kept and why, and recorded
with its time and the notice's version. A conversation saved at an earlier step before the consent
step existed simply reaches it.
"""

from __future__ import annotations

from enum import StrEnum

from flows.announcements.audience import ANSWER_ONLY_CHANNELS
from flows.engine import geo
from flows.engine.content import load_yaml
from flows.engine.context import Context
from flows.engine.dsl import END, Ask, Do, Flow, Show
from flows.engine.inputs import Choice, YesNo, options_from
from flows.engine.places import Commune, Province
from flows.my_data.notice import consent_options, consent_vars, record_consent

ROLES = options_from(load_yaml("onboarding.yaml")["roles"])
PROFILE_FIELDS = ("role", "province_code", "commune_code", "announcements")


def can_receive_announcements(ctx: Context) -> bool:
    """Only channels that can carry unrequested messages ask about announcements."""
    return ctx.channel not in ANSWER_ONLY_CHANNELS


class Step(StrEnum):
    WELCOME = "welcome"
    ROLE = "role"
    PROVINCE = "province"
    COMMUNE = "commune"
    ANNOUNCEMENTS = "announcements"
    CONSENT = "consent"
    SAVE = "save"
    DONE = "done"


def apply_answers(ctx: Context) -> None:
    """Copy the profile answers given in this flow onto the user's profile."""
    for name in PROFILE_FIELDS:
        if name in ctx.answers and ctx.answers[name] is not None:
            setattr(ctx.profile, name, ctx.answers[name])
    if "province_code" in ctx.answers and "commune_code" not in ctx.answers:
        ctx.profile.commune_code = None  # a new province makes the old commune wrong
    if ctx.answers.get("commune_code") and not ctx.answers.get("province_code"):
        ctx.profile.province_code = geo.commune(ctx.answers["commune_code"]).province_code


def _after_consent(ctx: Context) -> str:
    return Step.CONSENT if ctx.answers.get("consent") == "details" else Step.SAVE


async def _save(ctx: Context) -> str | None:
    if ctx.answers.get("consent") != "agree":
        ctx.say("onboarding/declined.j2")
        return END  # the answers go with the conversation; nothing reaches the profile
    apply_answers(ctx)
    ctx.profile.onboarded = True
    record_consent(ctx.session, ctx.profile.id)
    ctx.record("onboarding.completed", role=ctx.profile.role, province=ctx.profile.province_code)
    return None


onboarding = Flow(
    "onboarding",
    [
        Show(Step.WELCOME, "onboarding/welcome.j2"),
        Ask(Step.ROLE, "onboarding/ask_role.j2", Choice(ROLES), save_as="role"),
        Ask(Step.PROVINCE, "onboarding/ask_province.j2", Province(), save_as="province_code"),
        Ask(Step.COMMUNE, "onboarding/ask_commune.j2", Commune(), save_as="commune_code"),
        Ask(Step.ANNOUNCEMENTS, "onboarding/ask_announcements.j2", YesNo(), save_as="announcements",
            when=can_receive_announcements),
        Ask(Step.CONSENT, "onboarding/ask_consent.j2", Choice(consent_options), save_as="consent", optional=False,
            getter=consent_vars, next=_after_consent),
        Do(Step.SAVE, _save),
        Show(Step.DONE, "onboarding/done.j2", next="flow:menu"),
    ],
)
