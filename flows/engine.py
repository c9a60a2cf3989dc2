"""The conversation engine: one incoming message in, replies out, state written through.

Per message: load the user's state, apply global commands or the current step's input kind,
advance through the flow, then write the state with a version check and commit before any
reply leaves. One user's messages are handled in order (a lock per user in this process; the
version check across processes); different users run concurrently.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker

from db.writer import GroupWriter
from flows.content import load_yaml, render, template_exists
from flows.context import Context
from flows.dsl import END, Ask, Do, Flow, Show, Step
from flows.inputs import Ambiguous, Invalid, MultiChoice, Ok, Option, match_option
from flows.messages import Button, Incoming, Reply
from flows.store import Change, State, Store, changed_fields
from flows.text import fold

log = logging.getLogger(__name__)

MAX_FAILURES = 3
MAX_HOPS = 50  # steps passed through for one message; a loop in a flow's `next` stops here
RECENT_IDS = 20
SEP = "|"


def _ui() -> dict[str, Any]:
    return load_yaml("ui.yaml")


class Engine:
    """Runs declared flows for every channel; see the module docstring."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker,
        flows: Sequence[Flow],
        *,
        timezone: str = "Asia/Ho_Chi_Minh",
        clock: Callable[[], dt.date] | None = None,
        services: dict[str, Any] | None = None,
        max_text: int = 4000,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.flows = {f.name: f for f in flows}
        self.store = Store(GroupWriter(sessionmaker.kw["bind"]))
        self.services = services or {}
        self.max_text = max_text
        tz = ZoneInfo(timezone)
        self.clock = clock or (lambda: dt.datetime.now(tz).date())
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._commands: dict[str, Callable] = {}
        for flow in flows:
            for cmd in flow.commands:
                self._commands[cmd.name] = cmd.run
        words = _ui()["words"]
        self._words = {fold(w): action for action, ws in words.items() for w in ws}

    # ---- public -----------------------------------------------------------------------------

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Handle one message and return the replies; never raises for a user's input."""
        key = (incoming.channel, incoming.external_id)
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                return await self._handle_locked(incoming)
        except Exception:
            log.exception("failed to handle a message from %s:%s", *key)
            self.store.forget(*key)
            return [Reply(render("common/error.j2"))]
        finally:
            if not lock.locked() and not getattr(lock, "_waiters", None):
                self._locks.pop(key, None)

    def flow_title(self, name: str | None) -> str:
        """A flow's Vietnamese title from content/flows.yaml."""
        return load_yaml("flows.yaml").get(name or "", {}).get("title", name or "")

    # ---- one message ----------------------------------------------------------------------

    async def _handle_locked(self, incoming: Incoming) -> list[Reply]:
        key = (incoming.channel, incoming.external_id)
        for _attempt in range(5):
            profile, state, before = await self.store.load(*key, incoming.display_name)
            if incoming.message_id and incoming.message_id in state.recent_ids:
                return []  # a re-delivered update: handled already
            ctx = Context(self, incoming, profile, state, self.clock())
            try:
                await self._dispatch(ctx)
                if incoming.message_id:
                    state.recent_ids = (state.recent_ids + [incoming.message_id])[-RECENT_IDS:]
                changed = changed_fields(profile, before)
                if self.store.touch_due(*key):
                    profile.blocked = False
                    changed["blocked"] = False  # also refreshes last_seen
                change = Change(state, changed, ctx.events)
                if ctx.has_session:
                    saved = await self.store.save_in(ctx.session, change)
                    await (ctx.session.commit() if saved else ctx.session.rollback())
                else:
                    saved = await self.store.save(change)
            finally:
                if ctx.has_session:
                    await ctx.session.close()
            if saved:
                self.store.remember(profile, state)
                return ctx.replies
            self.store.forget(*key)
        raise RuntimeError("conversation kept changing under us")

    async def close(self) -> None:
        """Stop the group writer (the database engine is closed by its owner)."""
        await self.store.writer.close()

    async def _dispatch(self, ctx: Context) -> None:
        inc = ctx.incoming
        if inc.button:
            await self._on_button(ctx, inc.button)
            return
        text = (inc.text or "").strip()
        if not text:
            ctx.say("common/need_text.j2")
            await self.present_current(ctx)
            return
        if len(text) > self.max_text:
            ctx.say("common/too_long.j2", limit=self.max_text, length=len(text))
            await self.present_current(ctx)
            return
        if text.startswith("/"):
            name, _, arg = text[1:].partition(" ")
            await self._command(ctx, fold(name.split("@")[0]).replace(" ", ""), arg.strip())
            return
        word = self._words.get(fold(text).strip(" .!?"))
        if word:
            await self._command(ctx, word, "")
            return
        await self._on_text(ctx, text)

    # ---- commands ---------------------------------------------------------------------------

    async def _command(self, ctx: Context, name: str, arg: str) -> None:
        st = ctx.state
        if name in ("start", "menu", "batdau"):
            if not ctx.profile.onboarded and st.flow is None:
                await self.start_flow(ctx, "onboarding")
                return
            if st.flow not in (None, "menu", "onboarding") and st.step:
                st.suspended = {"flow": st.flow, "step": st.step, "answers": st.answers, "history": st.history}
            await self.start_flow(ctx, "menu")
        elif name == "huy":
            was = st.flow
            self._clear(st)
            ctx.say("common/cancelled.j2", title=self.flow_title(was) if was and was != "menu" else "")
            await self.start_flow(ctx, "menu")
        elif name == "quaylai":
            await self._back(ctx)
        elif name == "trogiup":
            await self._help(ctx)
        elif name == "boqua":
            await self._skip(ctx)
        elif name == "hoso":
            await self.start_flow(ctx, "profile")
        elif name in self._commands:
            target = await self._commands[name](ctx, arg)
            if target:
                await self.goto(ctx, target)
        else:
            await self.unknown_command(ctx, name)

    # ---- buttons ----------------------------------------------------------------------------

    async def _on_button(self, ctx: Context, data: str) -> None:
        st = ctx.state
        if data.startswith("nav:"):
            await self._command(ctx, {"nav:menu": "menu", "nav:help": "trogiup"}.get(data, "menu"), "")
            return
        where, _, option = data.partition(SEP)
        step = self._current_step(st)
        if where != f"{st.flow}.{st.step}" or not isinstance(step, Ask):
            ctx.say("common/stale_button.j2")
            await self.present_current(ctx, or_menu=True)
            return
        if option == "_skip":
            await self._skip(ctx)
        elif option == "_back":
            await self._back(ctx)
        elif option.startswith("_pick:"):
            picked = option[len("_pick:"):]
            offered = {i for i, _ in (st.pending or {}).get("options", [])}
            result = step.input.from_button(picked, ctx) if picked in offered else Invalid("stale_choice")
            if isinstance(result, Ok):
                await self._accept(ctx, step, result.value)
            else:
                await self.present(ctx, step)
        elif isinstance(step.input, MultiChoice) and option != "_done":
            chosen = list((st.pending or {}).get("selected", []))
            chosen.remove(option) if option in chosen else chosen.append(option)
            st.pending = {"selected": chosen}
            await self.present(ctx, step)
        elif isinstance(step.input, MultiChoice):
            await self._accept(ctx, step, list((st.pending or {}).get("selected", [])))
        else:
            result = step.input.from_button(option, ctx)
            if isinstance(result, Ok):
                await self._accept(ctx, step, result.value)
            else:
                ctx.say("common/stale_button.j2")
                await self.present(ctx, step)

    # ---- typed answers ----------------------------------------------------------------------

    async def _on_text(self, ctx: Context, text: str) -> None:
        st = ctx.state
        step = self._current_step(st)
        if not isinstance(step, Ask):
            self._clear(st)
            await self._idle_text(ctx, text)
            return
        folded = fold(text)
        if not (st.pending and "options" in st.pending):
            buttons = self._buttons(ctx, step)
            if step.input.choice_like and folded.isdigit() and 1 <= int(folded) <= len(buttons):
                await self._on_button(ctx, buttons[int(folded) - 1].id)
                return
            # text-only channels show other buttons as words: typing a label presses that button
            # (a choice's own options are left to its parser: a multi-choice takes "1, 3" at once)
            pressable = [b for b in buttons if not step.input.choice_like or b.id.rpartition(SEP)[2].startswith("_")]
            pressed = next((b for b in pressable if fold(b.label) == folded), None)
            if pressed is not None:
                await self._on_button(ctx, pressed.id)
                return
        if st.pending and "options" in st.pending:
            options = [Option(i, label) for i, label in st.pending["options"]]
            opt = match_option(text, options)
            if opt:
                await self._on_button(ctx, f"{st.flow}.{st.step}{SEP}_pick:{opt.id}")
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
            await self._accept(ctx, step, result.value)
        elif isinstance(result, Ambiguous):
            st.pending = {"options": [[o.id, o.label] for o in result.options]}
            buttons = [Button(f"{st.flow}.{st.step}{SEP}_pick:{o.id}", o.label) for o in result.options]
            ctx.say("common/which_one.j2", buttons=buttons, options=result.options)
        else:
            await self._invalid(ctx, step, result, text)

    async def _invalid(self, ctx: Context, step: Ask, result: Invalid, text: str) -> None:
        st = ctx.state
        if self.flows[st.flow or ""].free_text_is_idle:
            await self._idle_text(ctx, text)  # e.g. a question typed at the menu
            return
        assistant = self.services.get("assistant")
        if assistant is not None and await assistant.answer_in_flow(ctx, text):
            await self.present(ctx, step)
            return
        st.failures += 1
        if st.failures >= MAX_FAILURES:
            st.failures = 0
            ui = _ui()["buttons"]
            buttons = [Button("nav:help", ui["help"]), Button("nav:menu", ui["menu"])]
            if step.optional:
                buttons.insert(0, Button(f"{st.flow}.{st.step}{SEP}_skip", ui["skip"]))
            ctx.say("common/stuck.j2", buttons=buttons)
            return
        hint = ctx.render(f"inputs/{result.hint}.j2", **result.vars)
        await self.present(ctx, step, prefix=hint)

    async def _idle_text(self, ctx: Context, text: str) -> None:
        assistant = self.services.get("assistant")
        if assistant is not None and await assistant.answer_idle(ctx, text):
            return
        if not ctx.profile.onboarded:
            await self.start_flow(ctx, "onboarding")
            return
        ctx.say("common/not_understood.j2")
        await self.start_flow(ctx, "menu")

    async def _accept(self, ctx: Context, step: Ask, value: Any) -> None:
        """Save an answer and move on to the next step."""
        st = ctx.state
        st.answers[step.key] = value
        st.pending = None
        st.failures = 0
        st.history.append(step.id)
        await self.goto(ctx, self._next(ctx, step))

    # ---- navigation -------------------------------------------------------------------------

    async def _skip(self, ctx: Context) -> None:
        st = ctx.state
        step = self._current_step(st)
        if not isinstance(step, Ask):
            await self.present_current(ctx, or_menu=True)
            return
        if not step.optional:
            ctx.say("common/cannot_skip.j2")
            await self.present(ctx, step)
            return
        st.answers.pop(step.key, None)
        st.pending = None
        st.failures = 0
        st.history.append(step.id)
        await self.goto(ctx, self._next(ctx, step))

    async def _back(self, ctx: Context) -> None:
        st = ctx.state
        flow = self.flows.get(st.flow or "")
        while st.history:
            prev = st.history.pop()
            if flow and isinstance(flow.step(prev), Ask):
                st.step, st.pending, st.failures = prev, None, 0
                await self.present(ctx, flow.step(prev))
                return
        ctx.say("common/cannot_go_back.j2")
        await self.present_current(ctx, or_menu=True)

    async def _help(self, ctx: Context) -> None:
        st = ctx.state
        step = self._current_step(st)
        name = None
        if isinstance(step, Ask):
            name = step.help or f"{st.flow}/help_{step.id}.j2"
            name = name if template_exists(name) else None
        ctx.say(name or "common/help.j2", flow_title=self.flow_title(st.flow))
        await self.present_current(ctx, or_menu=True)

    def _clear(self, st: State) -> None:
        st.flow = st.step = None
        st.answers, st.history, st.pending, st.failures = {}, [], None, 0

    async def start_flow(self, ctx: Context, name: str, answers: dict[str, Any] | None = None) -> None:
        """Begin a flow from its first step (or say plainly that it is not built yet)."""
        st = ctx.state
        flow = self.flows.get(name)
        if flow is None:
            ctx.say("common/not_ready.j2", title=self.flow_title(name))
            if name != "menu" and "menu" in self.flows:
                await self.start_flow(ctx, "menu")
            return
        self._clear(st)
        st.flow, st.answers = name, dict(answers or {})
        ctx.record(f"{name}.started")
        target = flow.first
        if flow.start is not None:
            target = await flow.start(ctx) or target
        await self.goto(ctx, target)

    def resume(self, ctx: Context) -> bool:
        """Go back to the flow that /start interrupted; False when there is none."""
        st = ctx.state
        saved = st.suspended
        st.suspended = None
        if not saved or saved["flow"] not in self.flows:
            return False
        st.flow, st.step, st.answers, st.history = saved["flow"], saved["step"], saved["answers"], saved["history"]
        st.pending, st.failures = None, 0
        return True

    async def goto(self, ctx: Context, target: str | None) -> None:
        """Run Show and Do steps from `target` until a question is asked or the flow ends."""
        st = ctx.state
        for _ in range(MAX_HOPS):
            if target is None or target == END:
                self._clear(st)
                return
            if target == "resume":
                if self.resume(ctx):
                    await self.present_current(ctx)
                    return
                target = "flow:menu"
            if target.startswith("flow:"):
                await self.start_flow(ctx, target[5:])
                return
            flow = self.flows[st.flow or ""]
            step = flow.step(target)
            if step is None:
                raise LookupError(f"flow {flow.name} has no step {target}")
            if step.when is not None and not step.when(ctx):
                target = self._next(ctx, step)
                continue
            st.step = step.id
            if isinstance(step, Ask):
                await self.present(ctx, step)
                return
            if isinstance(step, Show):
                ctx.say(step.template, **(await _maybe_await(step.getter(ctx)) if step.getter else {}))
                target = self._next(ctx, step)
            elif isinstance(step, Do):
                redirect = await step.run(ctx)
                target = redirect or self._next(ctx, step)
        raise RuntimeError(f"flow {st.flow} passed {MAX_HOPS} steps without asking anything")

    def _next(self, ctx: Context, step: Step) -> str | None:
        nxt = step.next
        if callable(nxt):
            nxt = nxt(ctx)
        if nxt is None:
            nxt = self.flows[ctx.state.flow or ""].after(step.id)
        return nxt

    def _current_step(self, st: State) -> Step | None:
        flow = self.flows.get(st.flow or "")
        return flow.step(st.step) if flow and st.step else None

    async def unknown_command(self, ctx: Context, name: str) -> None:
        """Answer exactly as for a command nobody knows, then ask the current question again
        (officials' commands answer non-officials this way, so they learn nothing about them)."""
        ctx.say("common/unknown_command.j2", command=name)
        await self.present_current(ctx)

    async def present_current(self, ctx: Context, or_menu: bool = False) -> None:
        """Ask the current question again, if there is one (else the menu when `or_menu`)."""
        step = self._current_step(ctx.state)
        if isinstance(step, Ask):
            await self.present(ctx, step)
        elif or_menu:
            await self.start_flow(ctx, "menu")

    def _buttons(self, ctx: Context, step: Ask) -> list[Button]:
        """A question's buttons: its options (ticked when chosen), then Xong, Quay lại, Bỏ qua."""
        st = ctx.state
        where = f"{st.flow}.{st.step}"
        ui = _ui()["buttons"]
        selected = (st.pending or {}).get("selected", []) if isinstance(step.input, MultiChoice) else []
        buttons = [
            Button(f"{where}{SEP}{o.id}", ("✅ " if o.id in selected else "") + o.label)
            for o in step.input.options(ctx)
        ]
        if isinstance(step.input, MultiChoice):
            buttons.append(Button(f"{where}{SEP}_done", ui["done"]))
        flow = self.flows[st.flow or ""]
        if any(isinstance(flow.step(h), Ask) for h in st.history):
            buttons.append(Button(f"{where}{SEP}_back", ui["back"]))
        if step.optional:
            buttons.append(Button(f"{where}{SEP}_skip", ui["skip"]))
        return buttons

    async def present(self, ctx: Context, step: Ask, prefix: str | None = None) -> None:
        """Ask a question: its prompt, its options as buttons, and the navigation buttons."""
        st = ctx.state
        extra = await _maybe_await(step.getter(ctx)) if step.getter else {}
        selected = (st.pending or {}).get("selected", []) if isinstance(step.input, MultiChoice) else []
        text = ctx.render(step.prompt, current=st.answers.get(step.key), selected=selected, **extra)
        if prefix:
            text = f"{prefix}\n\n{text}"
        ctx.replies.append(Reply(text, self._buttons(ctx, step), numbered=step.input.choice_like))


async def _maybe_await(value: Any) -> Any:
    if asyncio.iscoroutine(value):
        return await value
    return value
