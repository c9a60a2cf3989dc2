"""Loading and saving a user's profile and conversation: written through, versioned, cached.

Every message ends in one UPDATE ... WHERE version = :seen; if another process moved the
conversation meanwhile, nothing is written and the engine handles the message again on the
fresh state. The cache only saves the SELECT: its entries are checked by that same version.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.models.core import AuditLog, Conversation, User


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
    version: int = 0


_PROFILE_COLS = [f.name for f in fields(Profile)]
_STATE_COLS = [f.name for f in fields(State) if f.name not in ("user_id", "version")]


class Store:
    """Reads and writes profiles and states; one instance per process."""

    def __init__(self, cache_size: int = 20_000) -> None:
        self._cache: OrderedDict[tuple[str, str], tuple[Profile, State]] = OrderedDict()
        self._cache_size = cache_size

    async def load(
        self, session: AsyncSession, channel: str, external_id: str, display_name: str | None
    ) -> tuple[Profile, State]:
        """The user's profile and state (created on first contact), as private copies."""
        key = (channel, external_id)
        hit = self._cache.get(key)
        if hit is None:
            hit = await self._select(session, channel, external_id)
            if hit is None:
                hit = await self._create(session, channel, external_id, display_name)
        profile, state = hit
        return copy.copy(profile), copy.deepcopy(state)

    async def save(
        self, session: AsyncSession, profile: Profile, state: State, before: Profile, events: list[dict]
    ) -> bool:
        """Write the state (and changed profile fields, and events) if nobody moved it meanwhile."""
        values = {c: getattr(state, c) for c in _STATE_COLS}
        result = await session.execute(
            update(Conversation)
            .where(Conversation.user_id == state.user_id, Conversation.version == state.version)
            .values(**values, version=state.version + 1, updated_at=utcnow())
        )
        if result.rowcount != 1:
            return False
        changed = {c: getattr(profile, c) for c in _PROFILE_COLS if getattr(profile, c) != getattr(before, c)}
        if changed:
            await session.execute(update(User).where(User.id == profile.id).values(**changed))
        if events:
            await session.execute(insert(AuditLog), [{"user_id": profile.id, **e} for e in events])
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

    async def _select(self, session: AsyncSession, channel: str, external_id: str):
        row = (
            await session.execute(
                select(User, Conversation)
                .join(Conversation, Conversation.user_id == User.id)
                .where(User.channel == channel, User.external_id == external_id)
            )
        ).first()
        if row is None:
            return None
        user, conv = row
        profile = Profile(**{c: getattr(user, c) for c in _PROFILE_COLS})
        state = State(user_id=user.id, version=conv.version, **{c: getattr(conv, c) for c in _STATE_COLS})
        session.expunge_all()
        return profile, state

    async def _create(self, session: AsyncSession, channel: str, external_id: str, display_name: str | None):
        """Insert a new user and an empty conversation in a transaction of their own (races tolerated)."""
        try:
            async with session.begin_nested():
                uid = (
                    await session.execute(
                        insert(User)
                        .values(channel=channel, external_id=external_id, display_name=(display_name or "")[:128])
                        .returning(User.id)
                    )
                ).scalar_one()
                await session.execute(insert(Conversation).values(user_id=uid, answers={}, history=[], recent_ids=[]))
        except IntegrityError:
            pass  # another process created it first
        await session.commit()
        hit = await self._select(session, channel, external_id)
        assert hit is not None
        return hit


def profile_dict(profile: Profile) -> dict[str, Any]:
    """The profile as template variables."""
    return asdict(profile)
