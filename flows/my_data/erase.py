"""/xoadulieu: delete what HTX Bot stores about a person, or cut it loose from them where others need it.

Every column that refers to a person has a rule: its rows are deleted, or the reference is emptied
(a cooperative's monthly reports stay, without who sent them; an announcement stays without its
author). Officials' accountability entries of the audit log stay (retention.OFFICIAL_ACTIONS). The
user row itself stays, emptied, because the person is writing from it right now: the engine writes
the fresh profile and conversation in the same transaction as the deletions, so either all of it
happens or none.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from sqlalchemy import and_, delete, or_, update

from db.base import Base, utcnow
from db.models.core import AuditLog, User
from db.models.outbox import Delivery
from flows.engine.store import Profile
from flows.my_data.retention import OFFICIAL_ACTIONS

DELETE, UNLINK = "delete", "unlink"
RULES: dict[tuple[str, str], str] = {
    ("consents", "user_id"): DELETE,
    ("reporters", "user_id"): DELETE,
    ("monthly_reports", "user_id"): UNLINK,  # the cooperative's record
    ("questions", "user_id"): DELETE,
    ("questions", "answered_by"): UNLINK,  # the asker's answer stays
    ("founding_plans", "user_id"): DELETE,
    ("eligibility_checks", "user_id"): DELETE,
    ("officials", "user_id"): DELETE,
    ("officials", "granted_by"): UNLINK,
    ("invite_codes", "created_by"): UNLINK,
    ("invite_codes", "used_by"): UNLINK,
    ("code_attempts", "user_id"): DELETE,
    ("announcements", "author_id"): UNLINK,
    ("deliveries", "user_id"): DELETE,  # also by channel and external id, below
    ("audit_log", "user_id"): DELETE,  # but for officials' accountability entries
    ("login_tokens", "user_id"): DELETE,
    ("web_sessions", "user_id"): DELETE,
    ("action_keys", "user_id"): DELETE,
    ("web_mailbox", "user_id"): DELETE,
}
_KEPT_FIELDS = ("id", "channel", "external_id")


async def erase(ctx: Any) -> None:
    """Delete or unlink everything about the person in the message's session; empty their profile
    and conversation (written by the engine with the deletions)."""
    session, uid = ctx.session, ctx.profile.id
    for (table_name, column), rule in RULES.items():
        table = Base.metadata.tables.get(table_name)
        if table is None:  # a table of a newer schema than this process knows
            continue
        where = table.c[column] == uid
        if table_name == "audit_log":
            where = and_(where, AuditLog.action.not_in(OFFICIAL_ACTIONS))
        elif table_name == "deliveries":
            where = or_(where, and_(Delivery.channel == ctx.profile.channel,
                                    Delivery.external_id == ctx.profile.external_id))
        if rule == DELETE:
            await session.execute(delete(table).where(where))
        else:
            await session.execute(update(table).where(where).values({column: None}))
    now = utcnow()
    await session.execute(update(User).where(User.id == uid).values(created_at=now, last_seen=now))
    _fresh_profile(ctx.profile)
    st = ctx.state
    st.answers, st.history, st.pending, st.suspended, st.failures = {}, [], None, None, 0
    ctx.events.clear()  # nothing of this message is logged against the person
    session.add(AuditLog(user_id=None, action="my_data.erased", detail={}))  # counted, not tied to anyone


def _fresh_profile(profile: Profile) -> None:
    """A profile as on first contact, but not asked for announcements until onboarding asks again."""
    blank = Profile(id=profile.id, channel=profile.channel, external_id=profile.external_id)
    for f in fields(Profile):
        if f.name not in _KEPT_FIELDS:
            setattr(profile, f.name, getattr(blank, f.name))
    profile.announcements = False
