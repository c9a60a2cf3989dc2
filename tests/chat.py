"""A chat driven like a person would: send text, tap a button by its id or label, read replies."""

from __future__ import annotations

import datetime as dt
import itertools

from flows.engine.engine import Engine
from flows.engine.messages import Incoming, Reply
from flows.engine.text import fold

_ids = itertools.count(1)


class Chat:
    """One user talking to an engine over a given channel."""

    def __init__(self, engine: Engine, user: str = "u1", channel: str = "test", name: str = "Ba Tư") -> None:
        self.engine, self.user, self.channel, self.name = engine, user, channel, name
        self.replies: list[Reply] = []
        self.transcript: list[str] = []

    async def send(self, text: str) -> list[Reply]:
        """Type a message."""
        self.transcript.append(f"> {text}")
        return await self._handle(Incoming(self.channel, self.user, text=text, display_name=self.name,
                                           message_id=str(next(_ids))))

    async def tap(self, what: str) -> list[Reply]:
        """Press a button of the last message that has buttons: by option id or by (folded) label."""
        for reply in reversed(self.replies):
            if reply.buttons:
                for b in reply.buttons:
                    if b.id.rpartition("|")[2] == what or b.id == what or fold(what) in fold(b.label):
                        self.transcript.append(f"[{b.label}]")
                        return await self._handle(Incoming(self.channel, self.user, button=b.id,
                                                           message_id=str(next(_ids))))
                raise AssertionError(f"no button {what!r} in {[b.label for b in reply.buttons]}")
        raise AssertionError("no message with buttons yet")

    async def press_raw(self, button_id: str) -> list[Reply]:
        """Press a button by its raw id (e.g. one from an old message)."""
        return await self._handle(Incoming(self.channel, self.user, button=button_id, message_id=str(next(_ids))))

    async def _handle(self, incoming: Incoming) -> list[Reply]:
        out = await self.engine.handle(incoming)
        self.replies.extend(out)
        self.transcript.extend(f"< {r.text}" for r in out)
        return out

    @property
    def last(self) -> Reply:
        return self.replies[-1]

    @property
    def last_text(self) -> str:
        return self.replies[-1].text

    @property
    def button_labels(self) -> list[str]:
        return [b.label for b in self.last.buttons]

    def said(self, fragment: str, last: int = 3) -> bool:
        """Whether one of the last replies contains the fragment."""
        return any(fragment in r.text for r in self.replies[-last:])


def fixed_clock(day: str = "2026-11-22"):
    """A clock that always says the same date (tests fix the date)."""
    value = dt.date.fromisoformat(day)
    return lambda: value


async def onboard(chat: Chat, *, role: str | None = None, province: str | None = None,
                  commune: str | None = None, announcements: str | None = None) -> None:
    """Through onboarding to the menu: each answer typed, or its question skipped when None; consent given."""
    await chat.send("/start")
    for answer in (role, province, commune, announcements):
        if answer is None:
            await chat.tap("_skip")
        else:
            await chat.send(answer)
    await chat.tap("agree")  # the privacy notice's consent, asked before the profile is saved
    assert "Menu chính" in chat.last_text
