"""What an answer means: a pressed button or typed text at the current question becomes a decision.

Nothing here moves the conversation; flows/engine/carry_out.py carries the decision out. Keeping
the two apart lets the reading of a message be tested, and scored, on its own.

Typed text is read in this order: small talk (a greeting, thanks, "bạn là ai"); a button it
presses exactly (its number, its label); the question's own parse (an exact option, a number, a
month, a place, …); an "ok" or an emoji that answered nothing is small talk too; then a guess
(flows/engine/interpret.py), which never acts by itself: it asks "Ý bạn là …?", after trying a
whole sentence as a question first; and last, no answer at all (perhaps a question, see Refuse).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from flows.engine.content import flow_title
from flows.engine.context import Context
from flows.engine.dsl import Ask
from flows.engine.inputs import Ambiguous, Guess, Invalid, MultiChoice, Ok, Option, Text, match_option
from flows.engine.interpret import asks, is_sentence, small_talk
from flows.engine.normalise import means
from flows.engine.presenting import SEP, buttons_for, maybe_await, ui
from flows.engine.text import fold

NAVIGATION = {"nav:menu": "menu", "nav:help": "trogiup"}
BEGIN = "nav:flow:"  # a button that starts a flow, offered when text typed in another flow asked for it
NOT_THIS = "_question"  # the "Không phải" pick of "Ý bạn là …?": the text was something else
SHORT_ANSWER = 300  # a text answer up to this long is a name, a code or a search: a question typed
# there is never the answer (a longer text, a note, may be a question and the answer at once)


@dataclass(frozen=True)
class Accept:
    """Save this value as the answer and move on (with a note shown first, e.g. a rounding)."""

    value: Any
    note: str | None = None


@dataclass(frozen=True)
class Run:
    """Run a global command (a navigation button, a typed "bỏ qua")."""

    command: str


@dataclass(frozen=True)
class Begin:
    """Start this flow (a button the user pressed); the flow left mid-way can be continued later."""

    flow: str


@dataclass(frozen=True)
class Stale:
    """A button of another question, or one no longer offered."""

    reask_only: bool = False  # the question is still current: ask it again without a menu fallback


@dataclass(frozen=True)
class Toggle:
    """Tick or untick one option of a multi-choice question."""

    option: str


@dataclass(frozen=True)
class Reask:
    """Ask the same question again (a 'which one?' pick that was not offered)."""


@dataclass(frozen=True)
class Choose:
    """Several options fit the text: ask which one."""

    options: list[Option]


@dataclass(frozen=True)
class Refuse:
    """Not an answer to this question: the hint to show, and the text (it may be a question)."""

    hint: str
    vars: dict[str, Any] = field(default_factory=dict)
    text: str = ""


@dataclass(frozen=True)
class NoQuestion:
    """Typed text while no question is pending."""

    text: str


@dataclass(frozen=True)
class Confirm:
    """Typed text comes close to these options without naming one: ask "Ý bạn là …?" (a guess
    never changes what is saved by itself)."""

    options: list[Option]
    text: str


@dataclass(frozen=True)
class SmallTalk:
    """A greeting, thanks, "bạn là ai", "ok" or an emoji: a short friendly reply, then the question again."""

    kind: str


@dataclass(frozen=True)
class Question:
    """Answer the text as a question and ask the step again; if nobody can answer it, carry out `otherwise`."""

    text: str
    otherwise: Decision


Decision = Accept | Run | Begin | Stale | Toggle | Reask | Choose | Refuse | NoQuestion | Confirm | SmallTalk | Question


def read_button(ctx: Context, step: Ask | None, data: str) -> Decision:
    """What a pressed button means at the current step."""
    st = ctx.state
    if data.startswith(BEGIN):
        return Begin(data[len(BEGIN):])
    if data.startswith("nav:"):
        return Run(NAVIGATION.get(data, "menu"))
    where, _, option = data.partition(SEP)
    if where != f"{st.flow}.{st.step}" or not isinstance(step, Ask):
        return Stale()
    if option == "_skip":
        return Run("boqua")
    if option == "_back":
        return Run("quaylai")
    if option.startswith("_pick:"):
        picked = option[len("_pick:"):]
        offered = {i for i, _ in (st.pending or {}).get("options", [])}
        if picked == NOT_THIS and picked in offered:
            return Question((st.pending or {}).get("question", ""), Reask())
        result = step.input.from_button(picked, ctx) if picked in offered else Invalid("stale_choice")
        return Accept(result.value) if isinstance(result, Ok) else Reask()
    if isinstance(step.input, MultiChoice):
        if option == "_done":
            return Accept(list((st.pending or {}).get("selected", [])))
        if option not in {o.id for o in step.input.options(ctx)}:
            return Stale(reask_only=True)
        return Toggle(option)
    result = step.input.from_button(option, ctx)
    return Accept(result.value) if isinstance(result, Ok) else Stale(reask_only=True)


@functools.cache
def _navigation_labels() -> frozenset[str]:
    return frozenset(fold(label) for label in ui()["buttons"].values())


def _may_be_a_button(ctx: Context, step: Ask, folded: str) -> bool:
    """Whether typed text could name one of the question's buttons (saves building them for every answer)."""
    if step.input.choice_like:
        return folded.isdigit() or folded in _navigation_labels()
    return folded in _navigation_labels() or bool(step.input.options(ctx))


def _pressed(ctx: Context, step: Ask, folded: str) -> str | None:
    """The id of the button the typed text presses: its number, or (text-only channels) its label."""
    buttons = buttons_for(ctx, step)
    if step.input.choice_like and folded.isdigit() and 1 <= int(folded) <= len(buttons):
        return buttons[int(folded) - 1].id
    # a choice's own options are left to its parser: a multi-choice takes "1, 3" at once
    pressable = [b for b in buttons if not step.input.choice_like or b.id.rpartition(SEP)[2].startswith("_")]
    return next((b.id for b in pressable if fold(b.label) == folded), None)


@functools.cache
def _begin_prefix() -> str:
    return fold(ui()["buttons"]["begin"].partition("{")[0])


def _begin_typed(ctx: Context, folded: str) -> str | None:
    """The flow whose "▶️ Bắt đầu: …" button label was typed (text-only channels type labels)."""
    if not folded.startswith(_begin_prefix()):
        return None
    label = ui()["buttons"]["begin"]
    return next((f.name for f in ctx.flows if fold(label.format(title=flow_title(f.name))) == folded), None)


def _picked(pending: dict[str, Any], text: str) -> str | None:
    """The offered option typed while "which one?" waits: its number or label; a "yes" when one
    option was offered, a "no" for "Không phải"."""
    offered = [Option(i, label) for i, label in pending["options"]]
    opt = match_option(text, offered)
    if opt is not None:
        return opt.id
    guesses = [o for o in offered if o.id != NOT_THIS]
    if len(guesses) == 1 and means(text, "yes_words"):
        return guesses[0].id
    if len(guesses) < len(offered) and means(text, "no_words"):
        return NOT_THIS
    return None


async def read_text(ctx: Context, step: Ask | None, text: str) -> Decision:
    """What typed text means at the current step."""
    st = ctx.state
    talk = small_talk(text)
    if not isinstance(step, Ask):
        return SmallTalk(talk) if talk else NoQuestion(text)
    if talk and (talk != "ack" or isinstance(step.input, Text)):
        return SmallTalk(talk)  # "chào bạn" is no answer; "ok" may be one ("có"), so it is parsed first
    folded = fold(text)
    begin = _begin_typed(ctx, folded)
    if begin is not None:
        return Begin(begin)
    picking = bool(st.pending and "options" in st.pending)
    if not picking and _may_be_a_button(ctx, step, folded):
        pressed = _pressed(ctx, step, folded)
        if pressed is not None:
            return read_button(ctx, step, pressed)
    if picking:
        picked = _picked(st.pending, text)
        if picked:
            return read_button(ctx, step, f"{st.flow}.{st.step}{SEP}_pick:{picked}")
    result = step.input.parse(text, ctx)
    if isinstance(result, Ok) and step.check:
        hint = await maybe_await(step.check(ctx, result.value))
        if hint:
            result = Invalid(hint)
    if isinstance(result, Ok):
        accept = Accept(result.value, result.note)
        if not isinstance(step.input, Text) or step.input.open_ended or not is_sentence(text):
            return accept
        if step.input.max_len <= SHORT_ANSWER and asks(text):  # "đặt tên htx cần lưu ý gì" is no name
            return Refuse("unknown_question", {}, text)
        return Question(text, accept)  # answered when it is a question we know, else it is the answer
    if isinstance(result, Ambiguous):
        return Choose(list(result.options))
    if talk:
        return SmallTalk(talk)
    if isinstance(result, Guess):
        guess = Confirm(list(result.options), text)
        return Question(text, guess) if is_sentence(text) else guess
    return Refuse(result.hint, dict(result.vars), text)
