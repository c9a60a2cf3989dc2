"""What a step's callbacks and templates see while one message is handled."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.engine.content import render
from flows.engine.dsl import FlowSet
from flows.engine.messages import Button, Document, Incoming, Reply
from flows.engine.services import Services
from flows.engine.store import Profile, State


class Scratch(dict):
    """A view of State.scratch that refuses a name the flow did not declare (a typo fails loudly)."""

    def __init__(self, data: dict[str, Any], names: Any) -> None:
        super().__init__()
        self._data, self._names = data, frozenset(names)

    def _check(self, key: str) -> None:
        if key not in self._names:
            raise KeyError(f"scratch name {key!r} is not declared by the flow")

    def __getitem__(self, key: str) -> Any:
        self._check(key)
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._check(key)
        self._data[key] = value

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def get(self, key: str, default: Any = None) -> Any:
        self._check(key)
        return self._data.get(key, default)

    def pop(self, key: str, *default: Any) -> Any:
        self._check(key)
        return self._data.pop(key, *default)


@dataclass
class Context:
    """One message being handled: the user, their state, the database session and the replies."""

    flows: FlowSet
    sessionmaker: async_sessionmaker
    services: Services
    incoming: Incoming
    profile: Profile
    state: State
    today: dt.date
    replies: list[Reply] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    _session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        """A database session for this message, opened on first use; the state is saved in it too."""
        if self._session is None:
            self._session = self.sessionmaker()
        return self._session

    @property
    def has_session(self) -> bool:
        return self._session is not None

    @property
    def answers(self) -> dict[str, Any]:
        return self.state.answers

    @property
    def scratch(self) -> Scratch:
        """The current flow's working notes between steps (declared in Flow.scratch), kept apart
        from the user's answers and dropped when the flow ends."""
        flow = self.flows.get(self.state.flow)
        return Scratch(self.state.scratch, flow.scratch if flow else ())

    @property
    def channel(self) -> str:
        return self.incoming.channel

    def render(self, template: str, **variables: Any) -> str:
        """Render a template with the standard variables (answers, user, today) plus these."""
        base = {"answers": self.state.answers, "user": self.profile, "today": self.today, "channel": self.channel}
        base.update(variables)
        return render(template, _channel=self.channel, **base)

    def say(self, template: str, buttons: list[Button] | None = None, **variables: Any) -> Reply:
        """Queue a message rendered from a template; returns it so buttons can be added."""
        reply = Reply(self.render(template, **variables), list(buttons or []))
        self.replies.append(reply)
        return reply

    def send_file(self, document: Document) -> None:
        """Queue a file (channels that cannot send files say how to get it instead)."""
        self.replies.append(Reply(document.caption or document.filename, document=document))

    def record(self, action: str, **detail: Any) -> None:
        """Add an audit/funnel event, written in the same transaction as the state."""
        self.events.append({"action": action, "detail": detail})
