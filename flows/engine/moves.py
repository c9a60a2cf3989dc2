"""Conversation moves: going to a step, starting and ending flows, back, skip, help, commands.

Every function takes the context of the message being handled; decisions read by
flows/engine/answers.py are carried out by flows/engine/carry_out.py with these moves. Targets
are a step id of the current flow, "flow:<name>", Go(flow, answers), END, AGAIN, UNKNOWN or
"resume".
"""

from __future__ import annotations

from typing import Any

from flows.engine.content import flow_title, template_exists
from flows.engine.context import Context
from flows.engine.dsl import AGAIN, END, UNKNOWN, Ask, Do, Go, Show, Step
from flows.engine.presenting import maybe_await, present
from flows.engine.store import State

MAX_HOPS = 50  # steps passed through for one message; a loop in a flow's `next` stops here
MAX_HISTORY = 50  # steps /quaylai can go back through
Target = str | Go | None


def clear(st: State) -> None:
    """End whatever flow was running (answers dropped; a suspended flow is kept)."""
    st.flow = st.step = None
    st.answers, st.history, st.pending, st.failures, st.scratch = {}, [], None, 0, {}


def suspend(st: State) -> None:
    """Keep the flow being left mid-way, for the menu's "▶️ Tiếp tục" (the menu and onboarding are not kept)."""
    if st.flow not in (None, "menu", "onboarding") and st.step:
        st.suspended = {"flow": st.flow, "step": st.step, "answers": st.answers, "history": st.history,
                        "scratch": st.scratch}


def current_step(ctx: Context) -> Step | None:
    """The step the user is at, or None when idle (or the step was removed since)."""
    st = ctx.state
    flow = ctx.flows.get(st.flow)
    return flow.step(st.step) if flow and st.step else None


async def allowed(ctx: Context, gate: Any) -> bool:
    """Whether a flow's or a command's gate lets this user in (no gate: everyone)."""
    return gate is None or bool(await maybe_await(gate(ctx)))


async def start_flow(ctx: Context, name: str, answers: dict[str, Any] | None = None) -> None:
    """Begin a flow from its first step (or say plainly that it is not built yet)."""
    st = ctx.state
    flow = ctx.flows.get(name)
    if flow is None:
        ctx.say("common/not_ready.j2", title=flow_title(name))
        if name != "menu" and "menu" in ctx.flows:
            await start_flow(ctx, "menu")
        return
    if not await allowed(ctx, flow.allowed):
        await unknown_command(ctx, name)
        return
    clear(st)
    st.flow, st.answers = name, dict(answers or {})
    ctx.record(f"{name}.started")
    target = flow.first
    if flow.start is not None:
        target = await flow.start(ctx) or target
    await goto(ctx, target)


def resume(ctx: Context) -> bool:
    """Go back to the flow that /start interrupted; False when there is none."""
    st = ctx.state
    saved = st.suspended
    st.suspended = None
    if not saved or saved["flow"] not in ctx.flows:
        return False
    st.flow, st.step, st.answers, st.history = saved["flow"], saved["step"], saved["answers"], saved["history"]
    st.pending, st.failures, st.scratch = None, 0, dict(saved.get("scratch") or {})
    ctx.flows[st.flow].adopt_scratch(st.answers, st.scratch)
    return True


async def goto(ctx: Context, target: Target) -> None:
    """Run Show and Do steps from `target` until a question is asked or the flow ends."""
    st = ctx.state
    for _ in range(MAX_HOPS):
        if isinstance(target, Go):
            await start_flow(ctx, target.flow, target.answers)
            return
        if target is None or target == END:
            clear(st)
            return
        if target == AGAIN:
            await present_current(ctx)
            return
        if target == UNKNOWN:
            await unknown_command(ctx, "")
            return
        if target == "resume":
            if resume(ctx):
                await present_current(ctx)
                return
            target = "flow:menu"
        if target.startswith("flow:"):
            await start_flow(ctx, target[5:])
            return
        flow = ctx.flows[st.flow or ""]
        step = flow.step(target)
        if step is None:
            raise LookupError(f"flow {flow.name} has no step {target}")
        if step.when is not None and not step.when(ctx):
            target = next_of(ctx, step)
            continue
        st.step = step.id
        if isinstance(step, Ask):
            await present(ctx, step)
            return
        if isinstance(step, Show):
            ctx.say(step.template, **(await maybe_await(step.getter(ctx)) if step.getter else {}))
            target = next_of(ctx, step)
        elif isinstance(step, Do):
            redirect = await step.run(ctx)
            target = redirect or next_of(ctx, step)
    raise RuntimeError(f"flow {st.flow} passed {MAX_HOPS} steps without asking anything")


def next_of(ctx: Context, step: Step) -> str | None:
    """Where a step leads: its `next` (a target or a function of ctx), else the step after it."""
    nxt = step.next
    if callable(nxt):
        nxt = nxt(ctx)
    if nxt is None:
        nxt = ctx.flows[ctx.state.flow or ""].after(step.id)
    return nxt


async def present_current(ctx: Context, or_menu: bool = False) -> None:
    """Ask the current question again, if there is one (else the menu when `or_menu`)."""
    step = current_step(ctx)
    if isinstance(step, Ask):
        await present(ctx, step)
    elif or_menu:
        await start_flow(ctx, "menu")


async def unknown_command(ctx: Context, name: str) -> None:
    """Answer exactly as for a command nobody knows, then ask the current question again
    (gated commands answer outsiders this way, so they learn nothing about them)."""
    ctx.say("common/unknown_command.j2", command=name)
    await present_current(ctx)


# ---- commands ---------------------------------------------------------------------------------


async def command(ctx: Context, name: str, arg: str) -> None:
    """Run a global command (/start, /huy, /quaylai, /trogiup, /boqua, /hoso) or a flow's command."""
    st = ctx.state
    if name in ("start", "menu", "batdau"):
        if not ctx.profile.onboarded and st.flow is None:
            await start_flow(ctx, "onboarding")
            return
        suspend(st)
        await start_flow(ctx, "menu")
    elif name == "huy":
        was = st.flow
        clear(st)
        ctx.say("common/cancelled.j2", title=flow_title(was) if was and was != "menu" else "")
        await start_flow(ctx, "menu")
    elif name == "quaylai":
        await back(ctx)
    elif name == "trogiup":
        await show_help(ctx)
    elif name == "boqua":
        await skip(ctx)
    elif name == "hoso":
        await start_flow(ctx, "profile")
    elif name in ctx.flows.commands:
        _flow, cmd = ctx.flows.commands[name]
        if not await allowed(ctx, cmd.allowed):
            await unknown_command(ctx, name)
            return
        target = await cmd.run(ctx, arg)
        if target == UNKNOWN:
            await unknown_command(ctx, name)
        elif target:
            await goto(ctx, target)
    else:
        await unknown_command(ctx, name)


# ---- answers (what a message means is carried out by flows/engine/carry_out.py) ------------


async def accept(ctx: Context, step: Ask, value: Any) -> None:
    """Save an answer and move on to the next step."""
    step.saved_in(ctx.state)[step.key] = value
    await _move_on(ctx, step)


async def _move_on(ctx: Context, step: Ask) -> None:
    """Leave an answered (or skipped) question for the step after it, remembering it for /quaylai."""
    st = ctx.state
    st.pending = None
    st.failures = 0
    st.history = (st.history + [step.id])[-MAX_HISTORY:]
    await goto(ctx, next_of(ctx, step))


# ---- navigation -------------------------------------------------------------------------------


async def skip(ctx: Context) -> None:
    """/boqua: leave an optional question unanswered."""
    st = ctx.state
    step = current_step(ctx)
    if not isinstance(step, Ask):
        await present_current(ctx, or_menu=True)
        return
    if not step.optional:
        ctx.say("common/cannot_skip.j2")
        await present(ctx, step)
        return
    step.saved_in(st).pop(step.key, None)
    await _move_on(ctx, step)


async def back(ctx: Context) -> None:
    """/quaylai: the previous question of this flow."""
    st = ctx.state
    flow = ctx.flows.get(st.flow)
    while st.history:
        prev = st.history.pop()
        if flow and isinstance(flow.step(prev), Ask):
            st.step, st.pending, st.failures = prev, None, 0
            await present(ctx, flow.step(prev))
            return
    ctx.say("common/cannot_go_back.j2")
    await present_current(ctx, or_menu=True)


async def show_help(ctx: Context) -> None:
    """/trogiup: the step's own help, else the general help; then the question again."""
    st = ctx.state
    step = current_step(ctx)
    name = None
    if isinstance(step, Ask):
        name = step.help or f"{st.flow}/help_{step.id}.j2"
        name = name if template_exists(name) else None
    ctx.say(name or "common/help.j2", flow_title=flow_title(st.flow))
    await present_current(ctx, or_menu=True)
