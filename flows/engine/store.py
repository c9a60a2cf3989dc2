"""Loading and saving a user's profile and conversation: written through, versioned, cached.

Every message ends in one UPDATE ... WHERE version = :seen, committed before any reply leaves;
if another process moved the conversation meanwhile, nothing is written and the engine handles
the message again on the fresh state. Writes of concurrent messages share transactions through
db.writer.GroupWriter; a message whose steps used the database session writes its state in that
session instead, so its side effects and its state commit together. The cache only saves the
SELECT: its entries are checked by the same version.
"""

from __future__ import annotations

import copy
import time
from collections import OrderedDict
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.models.core import AuditLog, Conversation, User
from db.writer import GroupWriter


@dataclass
class Profile:
    """The user's row as flows see it; changed fields are written with the conversation."""

    id: int
    channel: str
    external_id: str
    display_name: str | None = None
    role: str | None = None
    province_code: int | None = None
    commune_code: int | None = None
    sector: str | None = None
    announcements: bool = True
    reminders: bool = True
    blocked: bool = False
    onboarded: bool = False
    consent_due: bool = False  # onboarded before consent was asked: the menu asks first


@dataclass
class State:
    """Where the user is: flow, step, answers so far, and what /quaylai and 'continue' need."""

    user_id: int
    flow: str | None = None
    step: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    history: list[Any] = field(default_factory=list)
    pending: dict[str, Any] | None = None
    suspended: dict[str, Any] | None = None
    failures: int = 0
    recent_ids: list[Any] = field(default_factory=list)
    scratch: dict[str, Any] = field(default_factory=dict)  # the flow's declared working notes (Flow.scratch)
    last_replies: dict[str, Any] | None = None  # the last message's id and replies (engine: sent again after a crash)
    version: int = 0

    def copy(self) -> State:
        """A private copy; answers hold scalars or lists that flows replace rather than mutate."""
        return State(self.user_id, self.flow, self.step, dict(self.answers), list(self.history),
                     copy.deepcopy(self.pending) if self.pending else None,
                     copy.deepcopy(self.suspended) if self.suspended else None,
                     self.failures, list(self.recent_ids), dict(self.scratch), self.last_replies, self.version)


_PROFILE_COLS = [f.name for f in fields(Profile)]
_STATE_COLS = [f.name for f in fields(State) if f.name not in ("user_id", "version")]


@dataclass
class Change:
    """What one message changes: the new state, the profile if it changed, and events to log."""

    state: State
    profile: Profile | None
    events: list[dict[str, Any]]

    def statements(self) -> list[tuple[Any, dict[str, Any]]]:
        """The (statement, parameters) that write this change; the first one carries the version check."""
        st = self.state
        params = {f"p_{c}": getattr(st, c) for c in _STATE_COLS}
        params.update(p_uid=st.user_id, p_seen=st.version, p_version=st.version + 1, p_now=utcnow())
        out: list[tuple[Any, dict[str, Any]]] = [(_SAVE_STATE, params)]
        if self.profile is not None:
            row = {f"p_{c}": getattr(self.profile, c) for c in _PROFILE_WRITABLE}
            out.append((_SAVE_PROFILE, {**row, "p_uid": st.user_id, "p_now": params["p_now"]}))
        if self.events:
            out.append((_AUDIT_INSERT, [{"user_id": st.user_id, "at": utcnow(), "note": None, **e}
                                          for e in self.events]))
        return out


_CONV, _USERS, _AUDIT = Conversation.__table__, User.__table__, AuditLog.__table__
_AUDIT_INSERT = _AUDIT.insert()
_PROFILE_WRITABLE = [c for c in _PROFILE_COLS if c not in ("id", "channel", "external_id")]
# Built once: a constructed statement per message would cost more than the database work, and
# prebuilt statements let one executemany write the whole batch.
_SAVE_PROFILE = (
    _USERS.update()
    .where(_USERS.c.id == bindparam("p_uid"))
    .values({**{c: bindparam(f"p_{c}", type_=_USERS.c[c].type) for c in _PROFILE_WRITABLE},
             "last_seen": bindparam("p_now", type_=_USERS.c.last_seen.type)})
)
_SAVE_STATE = (
    _CONV.update()
    .where(_CONV.c.user_id == bindparam("p_uid"), _CONV.c.version == bindparam("p_seen"))
    .values({**{c: bindparam(f"p_{c}", type_=_CONV.c[c].type) for c in _STATE_COLS},
             "version": bindparam("p_version"), "updated_at": bindparam("p_now", type_=_CONV.c.updated_at.type)})
)


class Store:
    """Reads and writes profiles and states; one instance per process."""

    def __init__(self, writer: GroupWriter, cache_size: int = 20_000, touch_every: float = 600.0) -> None:
        self.writer = writer
        self._cache: OrderedDict[tuple[str, str], tuple[Profile, State]] = OrderedDict()
        self._cache_size = cache_size
        self._touched: dict[tuple[str, str], float] = {}
        self._touch_every = touch_every

    def touch_due(self, channel: str, external_id: str) -> bool:
        """Whether this user's row should be refreshed now (last_seen, and `blocked` cleared: someone who
        writes to the bot has not blocked it); at most every few minutes per user and process."""
        key, now = (channel, external_id), time.monotonic()
        if now - self._touched.get(key, -1e18) < self._touch_every:
            return False
        self._touched[key] = now
        if len(self._touched) > self._cache_size:
            self._touched.clear()
        return True

    async def load(
        self, channel: str, external_id: str, display_name: str | None
    ) -> tuple[Profile, State, Profile]:
        """The user's profile and state (created on first contact) as private copies, and the
        profile as stored (to see later what a message changed)."""
        key = (channel, external_id)
        hit = self._cache.get(key)
        if hit is None:
            hit = await self.writer.submit_bulk(_load_many, (channel, external_id, display_name))
        profile, state = hit
        return copy.copy(profile), state.copy(), profile

    async def save(self, change: Change) -> bool:
        """Write a change in a shared transaction; False if the conversation moved meanwhile."""
        return await self.writer.submit_bulk(_apply_many, change)

    async def save_in(self, session: AsyncSession, change: Change) -> bool:
        """Write a change inside a session that holds the message's other writes (not committed here)."""
        (first, params), *rest = change.statements()
        if (await session.execute(first, params)).rowcount != 1:
            return False
        for statement, values in rest:
            await session.execute(statement, values)
        return True

    def remember(self, profile: Profile, state: State) -> None:
        """Cache what was just committed (the version as it now stands in the database)."""
        state.version += 1
        key = (profile.channel, profile.external_id)
        self._cache[key] = (profile, state)
        self._cache.move_to_end(key)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def forget(self, channel: str, external_id: str) -> None:
        """Drop a cached entry (after a version conflict, or a change made elsewhere)."""
        self._cache.pop((channel, external_id), None)


_VERSIONS = (select(_CONV.c.user_id, _CONV.c.version)
             .where(_CONV.c.user_id.in_(bindparam("p_uids", expanding=True))).with_for_update())


def _apply_many(conn: Connection, changes: list[Change]) -> list[bool]:
    """Write many users' changes with one statement each kind; a change whose version moved is refused.

    The versions are read with FOR UPDATE (PostgreSQL locks the rows; SQLite has one writer and
    fails the transaction rather than write over a newer commit), so the check cannot go stale.
    """
    if len(changes) == 1:  # alone: the version check is the UPDATE's own WHERE (one statement fewer)
        (first, params), *rest = changes[0].statements()
        if conn.execute(first, params).rowcount != 1:
            return [False]
        for statement, values in rest:
            conn.execute(statement, values)
        return [True]
    seen = dict(conn.execute(_VERSIONS, {"p_uids": [c.state.user_id for c in changes]}).all())
    ok = [seen.get(c.state.user_id) == c.state.version for c in changes]
    by_statement: dict[Any, list[dict[str, Any]]] = {}
    for change, fine in zip(changes, ok, strict=True):
        if not fine:
            continue
        for statement, params in change.statements():
            rows = params if isinstance(params, list) else [params]
            by_statement.setdefault(statement, []).extend(rows)
    for statement, rows in by_statement.items():
        conn.execute(statement, rows)
    return ok


_LOAD_COLS = [*(_USERS.c[c] for c in _PROFILE_COLS), *(_CONV.c[c] for c in (*_STATE_COLS, "version"))]
_N_PROFILE = len(_PROFILE_COLS)
_SELECT = (select(*_LOAD_COLS).join(_CONV, _CONV.c.user_id == _USERS.c.id)
           .where(_USERS.c.channel == bindparam("p_channel"),
                  _USERS.c.external_id.in_(bindparam("p_ids", expanding=True))))
_IDS = select(_USERS.c.id).where(_USERS.c.channel == bindparam("p_channel"),
                                 _USERS.c.external_id.in_(bindparam("p_ids", expanding=True)))


def _by_channel(keys: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for channel, external_id in keys:
        out.setdefault(channel, []).append(external_id)
    return out


def _select_many(conn: Connection, keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[Profile, State]]:
    found: dict[tuple[str, str], tuple[Profile, State]] = {}
    for channel, ids in _by_channel(keys).items():
        for row in conn.execute(_SELECT, {"p_channel": channel, "p_ids": ids}):
            profile = Profile(*row[:_N_PROFILE])
            state = State(profile.id, *row[_N_PROFILE:])
            state.scratch = state.scratch or {}
            found[(profile.channel, profile.external_id)] = (profile, state)
    return found


_INSERTS: dict[tuple[str, str], Any] = {}


def _insert_ignoring_duplicates(conn: Connection, table, rows: list[dict[str, Any]]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING: another process may have created the same rows."""
    key = (conn.dialect.name, table.name)
    statement = _INSERTS.get(key)
    if statement is None:
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        statement = _INSERTS[key] = dialect_insert(table).on_conflict_do_nothing()
    conn.execute(statement, rows)


def _load_many(conn: Connection, items: list[tuple[str, str, str | None]]) -> list[tuple[Profile, State]]:
    """Profiles and states of many users at once, creating the ones seen for the first time."""
    keys = [(c, e) for c, e, _ in items]
    found = _select_many(conn, keys)
    names = {(c, e): (n or "")[:128] for c, e, n in items}
    missing = sorted({k for k in keys if k not in found})
    if missing:
        now = utcnow()
        _insert_ignoring_duplicates(conn, _USERS, [
            {"channel": c, "external_id": e, "display_name": names[(c, e)], "announcements": True,
             "reminders": True, "blocked": False, "onboarded": False, "consent_due": False, "created_at": now,
             "last_seen": now}
            for c, e in missing])
        ids = [uid for channel, external_ids in _by_channel(missing).items()
               for uid in conn.execute(_IDS, {"p_channel": channel, "p_ids": external_ids}).scalars()]
        _insert_ignoring_duplicates(conn, _CONV, [
            {"user_id": uid, "answers": {}, "history": [], "recent_ids": [], "failures": 0, "version": 0,
             "updated_at": now} for uid in ids])
        found.update(_select_many(conn, missing))
    return [found[k] for k in keys]

