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
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker

from db.writer import GroupWriter
from flows.engine import answers, presenting
from flows.engine.content import load_yaml, render
from flows.engine.context import Context
from flows.engine.dsl import END, Ask, Do, Flow, Show, Step
from flows.engine.messages import Incoming, Reply
from flows.engine.presenting import maybe_await, ui
from flows.engine.store import Change, State, Store
from flows.engine.text import fold

log = logging.getLogger(__name__)
Deliver = Callable[[list[Reply]], Awaitable[None]]

MAX_HOPS = 50  # steps passed through for one message; a loop in a flow's `next` stops here
RECENT_IDS = 20

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
        words = ui()["words"]
        self._words = {fold(w): action for action, ws in words.items() for w in ws}

    # ---- public -----------------------------------------------------------------------------

    async def handle(self, incoming: Incoming, deliver: Deliver | None = None) -> list[Reply]:
        """Handle one message and return the replies; never raises for a user's input.

        With `deliver`, the replies are also sent while this user's lock is still held, so the
        replies to one user's messages can never overtake each other on their way out (an error
        in `deliver` is the channel's to handle: the state is already saved).
        """
        key = (incoming.channel, incoming.external_id)
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                try:
                    replies = await self._handle_locked(incoming)
                except Exception:
                    log.exception("failed to handle a message from %s:%s", *key)
                    self.store.forget(*key)
                    replies = [Reply(render("common/error.j2"))]
                if deliver is not None:
                    await deliver(replies)
                return replies
        finally:
            if not lock.locked() and not getattr(lock, "_waiters", None):
                self._locks.pop(key, None)

    def flow_title(self, name: str | None) -> str:
        """A flow's Vietnamese title from content/flows.yaml."""
        return load_yaml("flows.yaml").get(name or "", {}).get("title", name or "")

    # ---- one message ----------------------------------------------------------------------

    async def _handle_locked(self, incoming: Incoming) -> list[Reply]:
        key = (incoming.channel, incoming.external_id)
        touch = self.store.touch_due(*key)  # refresh last_seen; someone who writes has not blocked the bot
        for _attempt in range(5):
            profile, state, before = await self.store.load(*key, incoming.display_name)
            if incoming.message_id and incoming.message_id in state.recent_ids:
                return []  # a re-delivered update: handled already
            ctx = Context(self, incoming, profile, state, self.clock())
            try:
                await self._dispatch(ctx)
                if incoming.message_id:
                    state.recent_ids = (state.recent_ids + [incoming.message_id])[-RECENT_IDS:]
                if touch:
                    profile.blocked = False
                change = Change(state, profile if touch or profile != before else None, ctx.events)
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
            await answers.on_button(self, ctx, inc.button)
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
            await self.command(ctx, fold(name.split("@")[0]).replace(" ", ""), arg.strip())
            return
        word = self._words.get(fold(text).strip(" .!?"))
        if word:
            await self.command(ctx, word, "")
            return
        await answers.on_text(self, ctx, text)

    # ---- commands ---------------------------------------------------------------------------

    async def command(self, ctx: Context, name: str, arg: str) -> None:
        """Run a global command (/start, /huy, /quaylai, /trogiup, /boqua, /hoso) or a flow's command."""
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
            self.clear(st)
            ctx.say("common/cancelled.j2", title=self.flow_title(was) if was and was != "menu" else "")
            await self.start_flow(ctx, "menu")
        elif name == "quaylai":
            await answers.back(self, ctx)
        elif name == "trogiup":
            await answers.show_help(self, ctx)
        elif name == "boqua":
            await answers.skip(self, ctx)
        elif name == "hoso":
            await self.start_flow(ctx, "profile")
        elif name in self._commands:
            target = await self._commands[name](ctx, arg)
            if target:
                await self.goto(ctx, target)
        else:
            await self.unknown_command(ctx, name)

    # ---- buttons ----------------------------------------------------------------------------

    def clear(self, st: State) -> None:
        """End whatever flow was running (answers dropped; a suspended flow is kept)."""
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
        self.clear(st)
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
                self.clear(st)
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
                target = self.next_of(ctx, step)
                continue
            st.step = step.id
            if isinstance(step, Ask):
                await self.present(ctx, step)
                return
            if isinstance(step, Show):
                ctx.say(step.template, **(await maybe_await(step.getter(ctx)) if step.getter else {}))
                target = self.next_of(ctx, step)
            elif isinstance(step, Do):
                redirect = await step.run(ctx)
                target = redirect or self.next_of(ctx, step)
        raise RuntimeError(f"flow {st.flow} passed {MAX_HOPS} steps without asking anything")

    def next_of(self, ctx: Context, step: Step) -> str | None:
        """Where a step leads: its `next` (a target or a function of ctx), else the step after it."""
        nxt = step.next
        if callable(nxt):
            nxt = nxt(ctx)
        if nxt is None:
            nxt = self.flows[ctx.state.flow or ""].after(step.id)
        return nxt

    def current_step(self, st: State) -> Step | None:
        """The step the user is at, or None when idle (or the step was removed since)."""
        flow = self.flows.get(st.flow or "")
        return flow.step(st.step) if flow and st.step else None

    async def unknown_command(self, ctx: Context, name: str) -> None:
        """Answer exactly as for a command nobody knows, then ask the current question again
        (officials' commands answer non-officials this way, so they learn nothing about them)."""
        ctx.say("common/unknown_command.j2", command=name)
        await self.present_current(ctx)

    async def present_current(self, ctx: Context, or_menu: bool = False) -> None:
        """Ask the current question again, if there is one (else the menu when `or_menu`)."""
        step = self.current_step(ctx.state)
        if isinstance(step, Ask):
            await self.present(ctx, step)
        elif or_menu:
            await self.start_flow(ctx, "menu")

    async def present(self, ctx: Context, step: Ask, prefix: str | None = None) -> None:
        """Ask a question: its prompt, its options as buttons, and the navigation buttons."""
        await presenting.present(self, ctx, step, prefix)
