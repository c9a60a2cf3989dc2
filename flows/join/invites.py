"""One-time invite codes: link a reporter to a cooperative or grant an official scope; guessing is slowed down.

Wrong codes are counted over fifteen minutes per user, per network origin (the web chat's keyed hash
of the client address, where a new cookie makes a new user) and for everyone together, so that new
identities do not buy new guesses. The caller owns the transaction: functions flush, the caller
commits (wrong attempts too).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.models.core import AuditLog, User
from db.models.registry import CodeAttempt, Cooperative, InviteCode, Official
from flows.engine.content import render
from flows.join.coops import commune_name, link_reporter, province_name
from flows.join.scope import Scope

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 8
DEFAULT_TTL = dt.timedelta(days=14)
MAX_WRONG = 5  # per user
MAX_WRONG_PER_ORIGIN = 20  # per network address: a few people behind one office or carrier address
MAX_WRONG_EVERYONE = 300  # all users together; 32^8 codes make guessing hopeless at this pace
WRONG_WINDOW = dt.timedelta(minutes=15)


class Outcome(StrEnum):
    LINKED = "linked"
    WRONG = "wrong"
    USED = "used"
    EXPIRED = "expired"
    SLOWED_DOWN = "slowed_down"


@dataclass(frozen=True, slots=True)
class Redemption:
    """What typing a code did, with the Vietnamese reply."""

    outcome: Outcome
    text: str
    kind: str | None = None
    cooperative: Cooperative | None = None
    scope: Scope | None = None


def new_code() -> str:
    """A random code of 8 characters from an alphabet without look-alikes."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise(typed: str) -> str:
    """What the user typed, upper case, spaces and dashes removed."""
    return "".join(ch for ch in (typed or "").upper() if ch not in " -_.\t\n")


async def create_code(
    session: AsyncSession,
    kind: str,
    created_by: int | None,
    *,
    cooperative_id: int | None = None,
    role: str = "head",
    scope: Scope | None = None,
    ttl: dt.timedelta = DEFAULT_TTL,
    now: dt.datetime | None = None,
) -> InviteCode:
    """Create a single-use code: kind 'reporter' needs cooperative_id, kind 'official' needs scope."""
    if kind == "reporter" and cooperative_id is None:
        raise ValueError("a reporter code needs cooperative_id")
    if kind == "official" and scope is None:
        raise ValueError("an official code needs a scope")
    if kind not in ("reporter", "official"):
        raise ValueError(f"unknown invite kind {kind!r}")
    now = now or utcnow()
    for _ in range(10):  # a clash among 32^8 codes is rare; retry a few times
        invite = InviteCode(
            code=new_code(),
            kind=kind,
            cooperative_id=cooperative_id,
            role=role if kind == "reporter" else None,
            scope_level=scope.level if scope else None,
            province_code=scope.province_code if scope else None,
            commune_code=scope.commune_code if scope else None,
            created_by=created_by,
            created_at=now,
            expires_at=now + ttl,
        )
        try:
            async with session.begin_nested():
                session.add(invite)
            return invite
        except IntegrityError:
            continue
    raise RuntimeError("could not find a free invite code")


async def _wait(session: AsyncSession, limit: int, now: dt.datetime, *where) -> dt.timedelta | None:
    """How long until fewer than `limit` wrong codes matching `where` fall in the window (None: not slowed)."""
    query = (
        select(CodeAttempt.at)
        .where(CodeAttempt.at > now - WRONG_WINDOW, *where)
        .order_by(CodeAttempt.at.desc())
        .offset(limit - 1)
        .limit(1)
    )
    oldest = await session.scalar(query)
    return None if oldest is None else _aware(oldest) + WRONG_WINDOW - now


async def wait_left(session: AsyncSession, user_id: int, now: dt.datetime | None = None,
                    origin: str | None = None) -> dt.timedelta | None:
    """How long a user (from an origin) must wait before trying another code (None when not slowed down)."""
    own, shared = await _waits(session, user_id, now or utcnow(), origin)
    return max((w for w in (own, shared) if w is not None), default=None)


async def _waits(session: AsyncSession, user_id: int, now: dt.datetime,
                 origin: str | None) -> tuple[dt.timedelta | None, dt.timedelta | None]:
    """The wait for the user's own wrong codes, and for those of their origin and of everyone."""
    own = await _wait(session, MAX_WRONG, now, CodeAttempt.user_id == user_id)
    shared = [await _wait(session, MAX_WRONG_EVERYONE, now)]
    if origin:
        shared.append(await _wait(session, MAX_WRONG_PER_ORIGIN, now, CodeAttempt.origin == origin))
    return own, max((w for w in shared if w is not None), default=None)


async def redeem(session: AsyncSession, user: User, typed: str, now: dt.datetime | None = None,
                 origin: str | None = None) -> Redemption:
    """Use a code for a user (from a network origin, when the channel knows it): linked / wrong / used /
    expired / slowed_down."""
    now = now or utcnow()
    own, shared = await _waits(session, user.id, now, origin)
    if own is not None or shared is not None:
        wait = max(w for w in (own, shared) if w is not None)
        minutes = max(1, int(wait.total_seconds() // 60) + 1)
        template = "monthly_report/code_slowed_down.j2" if own is not None else "join/code_slowed_shared.j2"
        return Redemption(Outcome.SLOWED_DOWN, render(template, minutes=minutes))
    invite = await session.scalar(select(InviteCode).where(InviteCode.code == normalise(typed)))
    if invite is None:
        session.add(CodeAttempt(user_id=user.id, at=now, origin=origin))
        await session.flush()
        left = MAX_WRONG - await _wrong_count(session, user.id, now)
        return Redemption(Outcome.WRONG, render("monthly_report/code_wrong.j2", attempts_left=max(left, 0)))
    if invite.used_at is not None:
        return Redemption(Outcome.USED, render("monthly_report/code_used.j2", mine=invite.used_by == user.id))
    if _aware(invite.expires_at) <= now:
        return Redemption(Outcome.EXPIRED, render("monthly_report/code_expired.j2"))
    claimed = await session.execute(
        update(InviteCode)
        .where(InviteCode.id == invite.id, InviteCode.used_at.is_(None))
        .values(used_at=now, used_by=user.id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # another request used it a moment ago
        return Redemption(Outcome.USED, render("monthly_report/code_used.j2", mine=False))
    session.add(AuditLog(user_id=user.id, action=f"invite.{invite.kind}", detail={"code_id": invite.id}))
    if invite.kind == "reporter":
        return await _link_reporter(session, user, invite)
    return await _grant_official(session, user, invite, now)


async def _link_reporter(session: AsyncSession, user: User, invite: InviteCode) -> Redemption:
    coop = await session.get(Cooperative, invite.cooperative_id)
    role = invite.role or "head"
    await link_reporter(session, user.id, coop.id, role)
    text = render("monthly_report/code_linked.j2", cooperative=coop.name, role=role)
    return Redemption(Outcome.LINKED, text, kind="reporter", cooperative=coop)


async def _grant_official(session: AsyncSession, user: User, invite: InviteCode, now: dt.datetime) -> Redemption:
    scope = Scope(invite.scope_level, invite.province_code, invite.commune_code)
    official = await session.scalar(select(Official).where(Official.user_id == user.id))
    if official is None:
        official = Official(user_id=user.id)
        session.add(official)
    official.scope_level, official.province_code, official.commune_code = (
        scope.level, scope.province_code, scope.commune_code)
    official.granted_by, official.granted_at = invite.created_by, now
    await session.flush()
    text = render("officials/code_linked.j2", **scope_names(scope))
    return Redemption(Outcome.LINKED, text, kind="official", scope=scope)


def scope_names(scope: Scope) -> dict[str, str]:
    """Template variables naming a scope: level, province, commune."""
    return {
        "level": scope.level,
        "province": province_name(scope.province_code) if scope.province_code else "",
        "commune": commune_name(scope.province_code, scope.commune_code) if scope.commune_code else "",
    }


async def _wrong_count(session: AsyncSession, user_id: int, now: dt.datetime) -> int:
    query = select(func.count()).where(CodeAttempt.user_id == user_id, CodeAttempt.at > now - WRONG_WINDOW)
    return await session.scalar(query) or 0


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives back naive UTC datetimes; make them comparable with aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
