"""Asking a question: its prompt rendered, its options and the navigation buttons attached."""

from __future__ import annotations

import asyncio
from typing import Any

from flows.engine.content import load_yaml
from flows.engine.context import Context
from flows.engine.dsl import Ask
from flows.engine.inputs import MultiChoice
from flows.engine.messages import Button, Reply

SEP = "|"  # a button id is "<flow>.<step>|<option>"


def ui() -> dict[str, Any]:
    """Button labels and command words of content/ui.yaml."""
    return load_yaml("ui.yaml")


async def maybe_await(value: Any) -> Any:
    """The value, awaited first if a callback returned a coroutine."""
    if asyncio.iscoroutine(value):
        return await value
    return value


def selected(ctx: Context, step: Ask) -> list[str]:
    """The options ticked so far on a multi-choice question."""
    return list((ctx.state.pending or {}).get("selected", [])) if isinstance(step.input, MultiChoice) else []


def buttons_for(ctx: Context, step: Ask) -> list[Button]:
    """A question's buttons: its options (ticked when chosen), then Xong, Quay lại, Bỏ qua."""
    st = ctx.state
    where = f"{st.flow}.{st.step}"
    labels = ui()["buttons"]
    ticked = selected(ctx, step)
    buttons = [
        Button(f"{where}{SEP}{o.id}", ("✅ " if o.id in ticked else "") + o.label)
        for o in step.input.options(ctx)
    ]
    if isinstance(step.input, MultiChoice):
        buttons.append(Button(f"{where}{SEP}_done", labels["done"]))
    flow = ctx.flows[st.flow or ""]
    if any(isinstance(flow.step(h), Ask) for h in st.history):
        buttons.append(Button(f"{where}{SEP}_back", labels["back"]))
    if step.optional:
        buttons.append(Button(f"{where}{SEP}_skip", labels["skip"]))
    return buttons


async def present(ctx: Context, step: Ask, prefix: str | None = None) -> None:
    """Ask a question: its prompt, its options as buttons, and the navigation buttons."""
    st = ctx.state
    extra = await maybe_await(step.getter(ctx)) if step.getter else {}
    text = ctx.render(step.prompt, current=step.saved_in(st).get(step.key), selected=selected(ctx, step), **extra)
    if prefix:
        text = f"{prefix}\n\n{text}"
    ctx.replies.append(Reply(text, buttons_for(ctx, step), numbered=step.input.choice_like))
