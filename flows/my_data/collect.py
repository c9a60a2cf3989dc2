"""Everything HTX Bot stores about one person, read as the database holds it (/dulieu's file).

Every column that refers to a person (a foreign key to users.id) is a source below, with the columns
of its rows the person gets: their own content in full; of rows about other people (a question they
answered, an official they appointed), only what they did; never a secret (token hashes).
tests/my_data/test_coverage.py fails when a table gains a reference to users that is not listed.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import Base
from db.models.core import User
from db.models.zalo import OAContact
from flows.engine.store import State

ALL = None  # every column of the row
SOURCES: dict[tuple[str, str], tuple[str, ...] | None] = {
    ("consents", "user_id"): ("notice_version", "given_at"),
    ("reporters", "user_id"): ("cooperative_id", "role", "linked_at"),
    ("monthly_reports", "user_id"): ALL,
    ("questions", "user_id"): ("id", "text", "status", "answer", "answered_at", "created_at", "province_code",
                               "commune_code"),
    ("questions", "answered_by"): ("id", "answer", "answered_at"),
    ("founding_plans", "user_id"): ALL,
    ("eligibility_checks", "user_id"): ALL,
    ("officials", "user_id"): ("scope_level", "province_code", "commune_code", "granted_at"),
    ("officials", "granted_by"): ("scope_level", "province_code", "commune_code", "granted_at"),
    ("invite_codes", "created_by"): ("code", "kind", "cooperative_id", "role", "scope_level", "province_code",
                                     "commune_code", "created_at", "expires_at", "used_at"),
    ("invite_codes", "used_by"): ("kind", "cooperative_id", "role", "scope_level", "province_code",
                                  "commune_code", "used_at"),
    ("code_attempts", "user_id"): ("at",),
    ("announcements", "author_id"): ("id", "text", "audience", "scope_level", "province_code", "commune_code",
                                     "status", "recipients", "scheduled_at", "created_at", "finished_at"),
    ("deliveries", "user_id"): ("announcement_id", "status", "attempts", "sent_at"),
    ("audit_log", "user_id"): ("at", "action", "detail"),
    ("login_tokens", "user_id"): ("created_at", "expires_at", "used_at"),
    ("web_sessions", "user_id"): ("created_at", "expires_at", "revoked_at"),
    ("action_keys", "user_id"): ("created_at", "result_url"),  # the dashboard's one-time keys (the key is not)
    ("web_mailbox", "user_id"): ("text", "created_at", "read_at"),  # messages waiting for a web visitor
}
# not last_replies: the bot's own last replies, kept only until the next message to resend them after a crash
_CONVERSATION = ("flow", "step", "answers", "history", "pending", "suspended", "failures")


def section(table: str, column: str) -> str:
    """The key of a source in the file: the table, or table.column when the person is not its owner."""
    return table if column == "user_id" else f"{table}.{column}"


def _plain(value: Any) -> Any:
    """A value as JSON holds it: times and dates in ISO 8601, the rest unchanged."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


async def everything(session: AsyncSession, user_id: int, state: State) -> dict[str, Any]:
    """Every stored row about the person, by section: the user row, the conversation, then each source."""
    user = await session.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id}")
    users = Base.metadata.tables["users"]
    out: dict[str, Any] = {"users": {c.name: _plain(getattr(user, c.name)) for c in users.columns}}
    out["conversations"] = {name: getattr(state, name) for name in _CONVERSATION}
    for (table_name, column), wanted in SOURCES.items():
        table = Base.metadata.tables.get(table_name)
        if table is None:  # a table of a newer schema than this process knows
            continue
        columns = [table.c[name] for name in wanted] if wanted else list(table.columns)
        rows = await session.execute(select(*columns).where(table.c[column] == user_id)
                                     .order_by(*table.primary_key.columns))
        out[section(table_name, column)] = [{k: _plain(v) for k, v in row._mapping.items()} for row in rows]
    if user.channel == "zalo_oa":  # the OA's reply window, keyed by the OA's own user id
        contacts = await session.scalars(select(OAContact).where(OAContact.user_id == user.external_id))
        out["zalo_oa_contacts"] = [{"last_message_at": _plain(c.last_message_at), "sent_since": c.sent_since}
                                   for c in contacts]
    return out


def as_json(data: dict[str, Any]) -> bytes:
    """The file's bytes: indented UTF-8 JSON, Vietnamese letters as they are."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
