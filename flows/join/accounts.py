"""Officials: who they are, their scope, the invites they may give, and the views of their scope.

The caller commits. Every view takes the official's Scope; nothing outside it is ever read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.models.core import AuditLog, User
from db.models.registry import Cooperative, InviteCode, Official
from flows.engine.content import render
from flows.join import invites
from flows.join.scope import Scope


@dataclass(frozen=True, slots=True)
class Invitation:
    """A code given by an official, or a refusal, with the Vietnamese reply."""

    ok: bool
    text: str
    invite: InviteCode | None = None


async def is_official(ctx: Any) -> bool:
    """A flow's or a command's gate: the user is an official (of any scope) right now."""
    return await scope_of(ctx.session, ctx.profile.id) is not None


async def scope_of(session: AsyncSession, user_id: int) -> Scope | None:
    """The scope of an official, or None when the user is not an official."""
    official = await session.scalar(select(Official).where(Official.user_id == user_id))
    if official is None:
        return None
    return Scope(official.scope_level, official.province_code, official.commune_code)


async def add_official(
    session: AsyncSession,
    scope: Scope,
    *,
    user_id: int | None = None,
    channel: str | None = None,
    external_id: str | None = None,
    granted_by: int | None = None,
    now: dt.datetime | None = None,
) -> Official:
    """Make a user (by id, or by channel and external id, created if new) an official of a scope."""
    if user_id is None:
        if not (channel and external_id):
            raise ValueError("give user_id, or channel and external_id")
        user_id = await _user_id(session, channel, external_id)
    official = await session.scalar(select(Official).where(Official.user_id == user_id))
    if official is None:
        official = Official(user_id=user_id)
        session.add(official)
    official.scope_level, official.province_code, official.commune_code = (
        scope.level, scope.province_code, scope.commune_code)
    official.granted_by, official.granted_at = granted_by, now or utcnow()
    session.add(AuditLog(user_id=granted_by, action="official.add",
                         detail={"user_id": user_id, "level": scope.level,
                                 "province_code": scope.province_code, "commune_code": scope.commune_code}))
    await session.flush()
    return official


async def invite_official(session: AsyncSession, inviter_id: int, scope: Scope) -> Invitation:
    """A one-time code granting a scope, only when it lies within the inviter's own scope."""
    own = await scope_of(session, inviter_id)
    if own is None or not own.contains(scope):
        return Invitation(False, render("officials/out_of_scope.j2"))
    invite = await invites.create_code(session, "official", inviter_id, scope=scope)
    text = render("officials/invite_created.j2", code=invite.code, expires_at=invite.expires_at,
                  **invites.scope_names(scope))
    return Invitation(True, text, invite)


async def invite_reporter(session: AsyncSession, inviter_id: int, cooperative_id: int, role: str = "head") -> Invitation:
    """A one-time code linking a reporter to a cooperative inside the inviter's scope."""
    own = await scope_of(session, inviter_id)
    coop = await session.get(Cooperative, cooperative_id)
    if own is None or coop is None or not own.covers(coop.province_code, coop.commune_code):
        return Invitation(False, render("officials/out_of_scope.j2"))
    invite = await invites.create_code(session, "reporter", inviter_id, cooperative_id=coop.id, role=role)
    text = render("officials/reporter_invite_created.j2", code=invite.code, expires_at=invite.expires_at,
                  cooperative=coop.name, role=role)
    return Invitation(True, text, invite)


async def _user_id(session: AsyncSession, channel: str, external_id: str) -> int:
    query = select(User.id).where(User.channel == channel, User.external_id == external_id)
    found = await session.scalar(query)
    if found is not None:
        return found
    try:
        async with session.begin_nested():
            user = User(channel=channel, external_id=external_id)
            session.add(user)
        return user.id
    except IntegrityError:
        return await session.scalar(query)
