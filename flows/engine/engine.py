"""The conversation engine: one incoming message in, replies out, state written through.

Per message: load the user's state, read the message (a command, a button, typed text), carry it
out (flows/engine/carry_out.py, with the moves of flows/engine/moves.py), then write the state
with a version check and commit before any reply leaves. One user's messages are handled in
order (a lock per user in this process; the version check across processes); different users
run concurrently.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker

from db.base import bind_of
from db.writer import GroupWriter
from flows.engine import carry_out, moves
from flows.engine.content import render
from flows.engine.context import Context
from flows.engine.dsl import Flow, FlowSet
from flows.engine.locks import KeyedLocks
from flows.engine.messages import Incoming, Reply, replies_from_json, replies_to_json
from flows.engine.presenting import ui
from flows.engine.services import Services
from flows.engine.store import Change, State, Store
from flows.engine.text import fold

log = logging.getLogger(__name__)
Deliver = Callable[[list[Reply]], Awaitable[None]]

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
        services: Services | None = None,
        max_text: int = 4000,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.flows = FlowSet(flows)
        self.store = Store(GroupWriter(bind_of(sessionmaker)))
        self.services = services or Services()
        self.max_text = max_text
        tz = ZoneInfo(timezone)
        self.clock = clock or (lambda: dt.datetime.now(tz).date())
        self._locks = KeyedLocks()
        # called after each message (its replies sent): (incoming, "ok" | "error" | "repeat", seconds)
        self.observers: list[Callable[[Incoming, str, float], None]] = []
        words = ui()["words"]
        self._words = {fold(w): action for action, ws in words.items() for w in ws}

    async def handle(self, incoming: Incoming, deliver: Deliver | None = None) -> list[Reply]:
        """Handle one message and return the replies; never raises for a user's input.

        With `deliver`, the replies are also sent while this user's lock is still held, so the
        replies to one user's messages can never overtake each other on their way out (an error
        in `deliver` is the channel's to handle: the state is already saved).
        """
        key = (incoming.channel, incoming.external_id)
        started = time.perf_counter()
        async with self._locks.hold(key):
            outcome = "ok"
            try:
                replies = await self._handle_locked(incoming)
            except Exception:
                log.exception("failed to handle a message from %s:%s", *key)
                self.store.forget(*key)
                replies, outcome = [Reply(render("common/error.j2"))], "error"
            if deliver is not None:
                await deliver(replies)
            for observe in self.observers:
                observe(incoming, outcome if replies or outcome == "error" else "repeat", time.perf_counter() - started)
            return replies

    async def close(self) -> None:
        """Stop the group writer (the database engine is closed by its owner)."""
        await self.store.writer.close()

    async def _handle_locked(self, incoming: Incoming) -> list[Reply]:
        key = (incoming.channel, incoming.external_id)
        touch = self.store.touch_due(*key)  # refresh last_seen; someone who writes has not blocked the bot
        for _attempt in range(5):
            profile, state, before = await self.store.load(*key, incoming.display_name)
            if incoming.message_id and incoming.message_id in state.recent_ids:
                return self._again(incoming.message_id, state)  # handled already
            flow = self.flows.get(state.flow)
            if flow is not None and flow.scratch:
                flow.adopt_scratch(state.answers, state.scratch)
            ctx = Context(self.flows, self.sessionmaker, self.services, incoming, profile, state, self.clock())
            try:
                await self._dispatch(ctx)
                if incoming.message_id:
                    state.recent_ids = (state.recent_ids + [incoming.message_id])[-RECENT_IDS:]
                    state.last_replies = replies_to_json(incoming.message_id, ctx.replies)
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

    @staticmethod
    def _again(message_id: str, state: State) -> list[Reply]:
        """A message handled already: its replies again if it was the last one (they are kept with its
        state, so replies a crash cut off after the commit still leave; the inbox takes a message up
        again only when it was not marked done), else nothing."""
        kept = state.last_replies
        if not kept or kept.get("message_id") != message_id:
            return []
        return replies_from_json(kept, lambda name: Reply(render("common/file_again.j2", filename=name)))

    async def _dispatch(self, ctx: Context) -> None:
        inc = ctx.incoming
        if inc.button:
            await carry_out.on_button(ctx, inc.button)
            return
        text = (inc.text or "").strip()
        if not text:
            ctx.say("common/need_text.j2")
            await moves.present_current(ctx)
            return
        if len(text) > self.max_text:
            ctx.say("common/too_long.j2", limit=self.max_text, length=len(text))
            await moves.present_current(ctx)
            return
        if text.startswith("/"):
            name, _, arg = text[1:].partition(" ")
            await moves.command(ctx, fold(name.split("@")[0]).replace(" ", ""), arg.strip())
            return
        word = self._words.get(fold(text).strip(" .!?"))
        if word:
            await moves.command(ctx, word, "")
            return
        await carry_out.on_text(ctx, text)
