"""The main menu: one entry per product flow, and 'continue' when /start interrupted a flow.

Someone onboarded before onboarding asked for consent (`consent_due`, set by migration 0014) is asked
for it first, by the my_data flow, until they agree or their data is erased.
"""

from __future__ import annotations

from flows.engine.content import flow_title, load_yaml
from flows.engine.context import Context
from flows.engine.dsl import Ask, Flow, Go
from flows.engine.inputs import Choice, Option, options_from

RESUME = "_resume"


def _entries(ctx: Context) -> list[Option]:
    entries = options_from(load_yaml("menu.yaml")["entries"])
    saved = ctx.state.suspended
    if saved:
        ui = load_yaml("ui.yaml")
        label = ui["buttons"]["resume"].format(title=flow_title(saved["flow"]))
        entries.insert(0, Option(RESUME, label, tuple(ui["resume_aliases"])))
    return entries


def _chosen(ctx: Context) -> str:
    choice = ctx.answers["choice"]
    return "resume" if choice == RESUME else f"flow:{choice}"


async def _consent_first(ctx: Context) -> Go | None:
    return Go("my_data", {"asked": "consent"}) if ctx.profile.consent_due else None


menu = Flow(
    "menu",
    [Ask("main", "menu/main.j2", Choice(_entries), save_as="choice", optional=False, next=_chosen)],
    free_text_is_idle=True,  # "bấm một mục, hoặc gõ câu hỏi của bạn"
    start=_consent_first,
)
