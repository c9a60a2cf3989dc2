"""What the user sends while a flow runs: a pressed button, typed text, or skip / back / help.

Functions of the engine (passed in), split from flows/engine.py to keep each module one idea:
the engine loads and saves state and routes commands; this module turns an answer into the
next step, a hint, a "which one?" question, or help.
"""

from __future__ import annotations

import asyncio
import functools
from typing import TYPE_CHECKING, Any

from flows.engine.content import template_exists
from flows.engine.context import Context
from flows.engine.dsl import Ask
from flows.engine.inputs import Ambiguous, Invalid, MultiChoice, Ok, Option, match_option
from flows.engine.messages import Button, Reply
from flows.engine.presenting import SEP, buttons_for, ui
from flows.engine.text import fold

if TYPE_CHECKING:
    from flows.engine.engine import Engine

MAX_FAILURES = 3
MAX_HISTORY = 50  # steps /quaylai can go back through


async def on_button(engine: Engine, ctx: Context, data: str) -> None:
    st = ctx.state
    if data.startswith("nav:"):
        await engine.command(ctx, {"nav:menu": "menu", "nav:help": "trogiup"}.get(data, "menu"), "")
        return
    where, _, option = data.partition(SEP)
    step = engine.current_step(st)
    if where != f"{st.flow}.{st.step}" or not isinstance(step, Ask):
        ctx.say("common/stale_button.j2")
        await engine.present_current(ctx, or_menu=True)
        return
    if option == "_skip":
        await skip(engine, ctx)
    elif option == "_back":
        await back(engine, ctx)
    elif option.startswith("_pick:"):
        picked = option[len("_pick:"):]
        offered = {i for i, _ in (st.pending or {}).get("options", [])}
        result = step.input.from_button(picked, ctx) if picked in offered else Invalid("stale_choice")
        if isinstance(result, Ok):
            await accept(engine, ctx, step, result.value)
        else:
            await engine.present(ctx, step)
    elif isinstance(step.input, MultiChoice) and option != "_done":
        if option not in {o.id for o in step.input.options(ctx)}:
            ctx.say("common/stale_button.j2")
            await engine.present(ctx, step)
            return
        chosen = list((st.pending or {}).get("selected", []))
        chosen.remove(option) if option in chosen else chosen.append(option)
        st.pending = {"selected": chosen}
        await engine.present(ctx, step)
    elif isinstance(step.input, MultiChoice):
        await accept(engine, ctx, step, list((st.pending or {}).get("selected", [])))
    else:
        result = step.input.from_button(option, ctx)
        if isinstance(result, Ok):
            await accept(engine, ctx, step, result.value)
        else:
            ctx.say("common/stale_button.j2")
            await engine.present(ctx, step)


# ---- typed answers ---------------------------------------------------------------------------


def _may_be_a_button(ctx: Context, step: Ask, folded: str) -> bool:
    """Whether typed text could name one of the question's buttons (saves building them for every answer)."""
    if step.input.choice_like:
        return folded.isdigit() or folded in _navigation_labels()
    return folded in _navigation_labels() or bool(step.input.options(ctx))


@functools.cache


def _navigation_labels() -> frozenset[str]:
    return frozenset(fold(label) for label in ui()["buttons"].values())


async def on_text(engine: Engine, ctx: Context, text: str) -> None:
    st = ctx.state
    step = engine.current_step(st)
    if not isinstance(step, Ask):
        engine.clear(st)
        await idle_text(engine, ctx, text)
        return
    folded = fold(text)
    if not (st.pending and "options" in st.pending) and _may_be_a_button(ctx, step, folded):
        buttons = buttons_for(engine, ctx, step)
        if step.input.choice_like and folded.isdigit() and 1 <= int(folded) <= len(buttons):
            await on_button(engine, ctx, buttons[int(folded) - 1].id)
            return
        # text-only channels show other buttons as words: typing a label presses that button
        # (a choice's own options are left to its parser: a multi-choice takes "1, 3" at once)
        pressable = [b for b in buttons if not step.input.choice_like or b.id.rpartition(SEP)[2].startswith("_")]
        pressed = next((b for b in pressable if fold(b.label) == folded), None)
        if pressed is not None:
            await on_button(engine, ctx, pressed.id)
            return
    if st.pending and "options" in st.pending:
        options = [Option(i, label) for i, label in st.pending["options"]]
        opt = match_option(text, options)
        if opt:
            await on_button(engine, ctx, f"{st.flow}.{st.step}{SEP}_pick:{opt.id}")
            return
        st.pending = None
    result = step.input.parse(text, ctx)
    if isinstance(result, Ok) and step.check:
        hint = step.check(ctx, result.value)
        hint = await hint if asyncio.iscoroutine(hint) else hint
        if hint:
            result = Invalid(hint)
    if isinstance(result, Ok):
        if result.note:
            ctx.replies.append(Reply(result.note))
        await accept(engine, ctx, step, result.value)
    elif isinstance(result, Ambiguous):
        st.pending = {"options": [[o.id, o.label] for o in result.options]}
        buttons = [Button(f"{st.flow}.{st.step}{SEP}_pick:{o.id}", o.label) for o in result.options]
        ctx.say("common/which_one.j2", buttons=buttons, options=result.options)
    else:
        await _invalid(engine, ctx, step, result, text)


async def _invalid(engine: Engine, ctx: Context, step: Ask, result: Invalid, text: str) -> None:
    st = ctx.state
    if engine.flows[st.flow or ""].free_text_is_idle:
        await idle_text(engine, ctx, text)  # e.g. a question typed at the menu
        return
    assistant = engine.services.get("assistant")
    if assistant is not None and await assistant.answer_in_flow(ctx, text):
        await engine.present(ctx, step)
        return
    st.failures += 1
    if st.failures >= MAX_FAILURES:
        st.failures = 0
        labels = ui()["buttons"]
        buttons = [Button("nav:help", labels["help"]), Button("nav:menu", labels["menu"])]
        if step.optional:
            buttons.insert(0, Button(f"{st.flow}.{st.step}{SEP}_skip", labels["skip"]))
        ctx.say("common/stuck.j2", buttons=buttons)
        return
    hint = ctx.render(f"inputs/{result.hint}.j2", **result.vars)
    await engine.present(ctx, step, prefix=hint)


async def idle_text(engine: Engine, ctx: Context, text: str) -> None:
    assistant = engine.services.get("assistant")
    if assistant is not None and await assistant.answer_idle(ctx, text):
        return
    if not ctx.profile.onboarded:
        await engine.start_flow(ctx, "onboarding")
        return
    ctx.say("common/not_understood.j2")
    await engine.start_flow(ctx, "menu")


async def accept(engine: Engine, ctx: Context, step: Ask, value: Any) -> None:
    """Save an answer and move on to the next step."""
    ctx.state.answers[step.key] = value
    await _move_on(engine, ctx, step)


async def _move_on(engine: Engine, ctx: Context, step: Ask) -> None:
    """Leave an answered (or skipped) question for the step after it, remembering it for /quaylai."""
    st = ctx.state
    st.pending = None
    st.failures = 0
    st.history = (st.history + [step.id])[-MAX_HISTORY:]
    await engine.goto(ctx, engine.next_of(ctx, step))


# ---- navigation ------------------------------------------------------------------------------


async def skip(engine: Engine, ctx: Context) -> None:
    st = ctx.state
    step = engine.current_step(st)
    if not isinstance(step, Ask):
        await engine.present_current(ctx, or_menu=True)
        return
    if not step.optional:
        ctx.say("common/cannot_skip.j2")
        await engine.present(ctx, step)
        return
    st.answers.pop(step.key, None)
    await _move_on(engine, ctx, step)


async def back(engine: Engine, ctx: Context) -> None:
    st = ctx.state
    flow = engine.flows.get(st.flow or "")
    while st.history:
        prev = st.history.pop()
        if flow and isinstance(flow.step(prev), Ask):
            st.step, st.pending, st.failures = prev, None, 0
            await engine.present(ctx, flow.step(prev))
            return
    ctx.say("common/cannot_go_back.j2")
    await engine.present_current(ctx, or_menu=True)


async def show_help(engine: Engine, ctx: Context) -> None:
    st = ctx.state
    step = engine.current_step(st)
    name = None
    if isinstance(step, Ask):
        name = step.help or f"{st.flow}/help_{step.id}.j2"
        name = name if template_exists(name) else None
    ctx.say(name or "common/help.j2", flow_title=engine.flow_title(st.flow))
    await engine.present_current(ctx, or_menu=True)
