"""Carrying out what a message means: flows/engine/answers.py reads it into a decision, this
module acts on it with the moves of flows/engine/moves.py.

A guess asks "Ý bạn là …?" and changes nothing; a question typed at any step is answered (by the
free-text service, ctx.services.assistant) and the step asked again; small talk gets a short
reply in the bot's voice (content/templates/smalltalk/) and the step again, never an apology.
"""

from __future__ import annotations

from flows.engine import answers as read
from flows.engine.context import Context
from flows.engine.dsl import Ask, Step
from flows.engine.messages import Button, Reply
from flows.engine.moves import accept, clear, current_step, goto, present_current, start_flow, suspend
from flows.engine.moves import command as run_command
from flows.engine.presenting import SEP, present, ui

MAX_FAILURES = 3


async def on_button(ctx: Context, data: str) -> None:
    """Carry out what a pressed button means."""
    step = current_step(ctx)
    await _carry_out(ctx, step, read.read_button(ctx, step, data))


async def on_text(ctx: Context, text: str) -> None:
    """Carry out what typed text means."""
    st = ctx.state
    step = current_step(ctx)
    picking = bool(st.pending and "options" in st.pending)
    decision = await read.read_text(ctx, step, text)
    if picking and not isinstance(decision, read.Accept | read.Reask):
        st.pending = None
    await _carry_out(ctx, step, decision)


async def _carry_out(ctx: Context, step: Step | None, decision: read.Decision) -> None:
    st = ctx.state
    match decision:
        case read.Run(name):
            await run_command(ctx, name, "")
        case read.Begin(flow):
            suspend(st)
            await start_flow(ctx, flow)
        case read.Stale(reask_only=True) if isinstance(step, Ask):
            ctx.say("common/stale_button.j2")
            await present(ctx, step)
        case read.Stale():
            ctx.say("common/stale_button.j2")
            await present_current(ctx, or_menu=True)
        case read.Reask() if isinstance(step, Ask):
            await present(ctx, step)
        case read.Toggle(option) if isinstance(step, Ask):
            chosen = list((st.pending or {}).get("selected", []))
            chosen.remove(option) if option in chosen else chosen.append(option)
            st.pending = {"selected": chosen}
            await present(ctx, step)
        case read.Accept(value, note) if isinstance(step, Ask):
            if note:
                ctx.replies.append(Reply(note))
            await accept(ctx, step, value)
        case read.Choose(options):
            st.pending = {"options": [[o.id, o.label] for o in options]}
            buttons = [Button(f"{st.flow}.{st.step}{SEP}_pick:{o.id}", o.label) for o in options]
            ctx.say("common/which_one.j2", buttons=buttons, options=options)
        case read.Confirm(options, text):
            _did_you_mean(ctx, decision)
        case read.Question(text, otherwise) if isinstance(step, Ask):
            if st.pending and "options" in st.pending:
                st.pending = None  # "Không phải" pressed: the guess is over
            if not await _answered(ctx, text, may_be_the_answer=isinstance(otherwise, read.Accept)):
                await _carry_out(ctx, step, otherwise)
        case read.SmallTalk(kind):
            await _small_talk(ctx, step, kind)
        case read.Refuse() if isinstance(step, Ask):
            await _refused(ctx, step, decision)
        case read.NoQuestion(text):
            clear(st)
            await idle_text(ctx, text)
        case _:
            raise RuntimeError(f"decision {decision!r} does not fit step {step!r}")


def _did_you_mean(ctx: Context, guess: read.Confirm) -> None:
    """Ask "Ý bạn là …?" with the options guessed and "Không phải"; nothing is saved yet."""
    st = ctx.state
    not_this = ui()["buttons"]["not_this"]
    picks = [[o.id, o.label] for o in guess.options] + [[read.NOT_THIS, not_this]]
    st.pending = {"options": picks, "question": guess.text}
    buttons = [Button(f"{st.flow}.{st.step}{SEP}_pick:{i}", label) for i, label in picks]
    reply = ctx.say("common/did_you_mean.j2", buttons=buttons, options=guess.options, not_this=not_this)
    reply.numbered = True


async def _answered(ctx: Context, text: str, may_be_the_answer: bool = False) -> bool:
    """Answer a text typed at a question as a question of its own; True when it was (the step is
    then asked again, or, at the menu, the answer leads on)."""
    st = ctx.state
    if ctx.flows[st.flow or ""].free_text_is_idle:
        await idle_text(ctx, text)  # e.g. a question typed at the menu
        return True
    assistant = ctx.services.assistant
    if assistant is not None and await assistant.answer_in_flow(ctx, text, may_be_the_answer=may_be_the_answer):
        await present_current(ctx)
        return True
    return False


async def _small_talk(ctx: Context, step: Step | None, kind: str) -> None:
    """A short friendly reply; then the question again, or for someone new the introduction."""
    if not isinstance(step, Ask):
        clear(ctx.state)
        if not ctx.profile.onboarded:
            if kind != "greeting":  # onboarding's welcome is the greeting
                ctx.say(f"smalltalk/{kind}.j2")
            await start_flow(ctx, "onboarding")
            return
    ctx.say(f"smalltalk/{kind}.j2")
    if not isinstance(step, Ask):
        await start_flow(ctx, "menu")
    elif not step.input.open_ended:
        await present(ctx, step)


async def _refused(ctx: Context, step: Ask, refusal: read.Refuse) -> None:
    st = ctx.state
    if await _answered(ctx, refusal.text):
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
    hint = ctx.render(f"inputs/{refusal.hint}.j2", **refusal.vars)
    await present(ctx, step, prefix=hint)


async def idle_text(ctx: Context, text: str) -> None:
    """Text with no question pending: the assistant's, else onboarding or the menu."""
    assistant = ctx.services.assistant
    if assistant is not None:
        answered = await assistant.answer_idle(ctx, text)
        if answered is not False and answered is not None:
            if answered is not True:
                await goto(ctx, answered)
            return
    if not ctx.profile.onboarded:
        await start_flow(ctx, "onboarding")
        return
    ctx.say("common/not_understood.j2")
    await start_flow(ctx, "menu")
