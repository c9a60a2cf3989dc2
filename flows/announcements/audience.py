"""Who receives an announcement: filters over the users table, always inside the author's scope.

An audience spec is a small JSON dict stored with the announcement, e.g. {"kind": "farmers"},
{"kind": "sector", "sector": "nong_nghiep"}, {"kind": "commune", "commune_code": 70}. Any kind may
be narrowed further with "province_code" or "commune_code". A place outside the author's scope is
refused (AudienceRefused), never silently widened; the scope condition is always applied as well.

Kinds are a registry of small functions (`KINDS`): a kind that needs a period (e.g. heads who have
not reported this month) reads it from the spec ({"kind": ..., "month": "2026-11"}), so the stored
spec says exactly who was meant.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from vietnam_provinces import Province, Ward

from db.models.core import User
from flows.engine.content import load_yaml
from flows.engine.messages import Button
from flows.join.scope import Scope

Spec = Mapping[str, Any]
Kind = Callable[[Spec, Scope], ColumnElement[bool]]

FARMER_ROLES = ("nong_dan", "sang_lap")
HEAD_ROLE = "chu_nhiem"
_SECTOR_ID = re.compile(r"^[a-z0-9_]{1,32}$")


class AudienceRefused(ValueError):
    """An audience the author may not or cannot reach; `reason` is an id of content/announcements/audiences.yaml."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"audience refused: {reason} {detail}".strip())
        self.reason = reason


def _everyone(spec: Spec, scope: Scope) -> ColumnElement[bool]:
    return true()


def _farmers(spec: Spec, scope: Scope) -> ColumnElement[bool]:
    return User.role.in_(FARMER_ROLES)


def _heads(spec: Spec, scope: Scope) -> ColumnElement[bool]:
    return User.role == HEAD_ROLE


def _sector(spec: Spec, scope: Scope) -> ColumnElement[bool]:
    sector = spec.get("sector")
    if not isinstance(sector, str) or not _SECTOR_ID.match(sector):
        raise AudienceRefused("missing_sector", repr(sector))
    return User.sector == sector


def _province(spec: Spec, scope: Scope) -> ColumnElement[bool]:
    if spec.get("province_code") is None:
        raise AudienceRefused("missing_place", "province_code")
    return true()  # the place itself is applied by _place() for every kind


def _commune(spec: Spec, scope: Scope) -> ColumnElement[bool]:
    if spec.get("commune_code") is None:
        raise AudienceRefused("missing_place", "commune_code")
    return true()


KINDS: dict[str, Kind] = {
    "everyone": _everyone,
    "farmers": _farmers,
    "heads": _heads,
    "sector": _sector,
    "province": _province,
    "commune": _commune,
}


def _code(spec: Spec, key: str) -> int | None:
    value = spec.get(key)
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise AudienceRefused("unknown_place", f"{key}={value!r}") from None


def _place(spec: Spec, scope: Scope) -> ColumnElement[bool]:
    """The narrowing by province or commune a spec asks for, refused when it leaves the scope."""
    province, commune = _code(spec, "province_code"), _code(spec, "commune_code")
    if commune is not None:
        try:
            ward_province = int(Ward.from_code(commune).province_code)
        except ValueError:
            raise AudienceRefused("unknown_place", f"commune_code={commune}") from None
        if province is not None and province != ward_province:
            raise AudienceRefused("unknown_place", f"commune {commune} is not in province {province}")
        if not scope.contains(Scope("commune", ward_province, commune)):
            raise AudienceRefused("out_of_scope", f"commune {commune}")
        return and_(User.province_code == ward_province, User.commune_code == commune)
    if province is not None:
        try:
            Province.from_code(province)
        except ValueError:
            raise AudienceRefused("unknown_place", f"province_code={province}") from None
        if not scope.contains(Scope("province", province)):
            raise AudienceRefused("out_of_scope", f"province {province}")
        return User.province_code == province
    return true()


# Channels that cannot carry a message the user did not ask for: the terminal only answers what is
# typed into it. (The web chat can: its mailbox keeps the message for the visitor's page, bot/web/mailbox.py.)
ANSWER_ONLY_CHANNELS = ("terminal",)


def condition(scope: Scope, spec: Spec, kinds: Mapping[str, Kind] = KINDS) -> ColumnElement[bool]:
    """The SQL condition selecting a spec's recipients: in scope, accepting announcements, not blocked,
    on a channel that can deliver them."""
    kind = kinds.get(str(spec.get("kind")))
    if kind is None:
        raise AudienceRefused("unknown_kind", repr(spec.get("kind")))
    return and_(
        User.channel.not_in(ANSWER_ONLY_CHANNELS),
        scope.where(User.province_code, User.commune_code),
        User.announcements.is_(True),
        User.blocked.is_(False),
        kind(spec, scope),
        _place(spec, scope),
    )


async def count(session: AsyncSession, scope: Scope, spec: Spec) -> int:
    """How many users would receive an announcement sent now to this spec."""
    stmt = select(func.count()).select_from(User).where(condition(scope, spec))
    return int((await session.execute(stmt)).scalar_one())


def choices() -> list[Button]:
    """The audience choices an official picks from (stable ids, Vietnamese labels)."""
    return [Button(c["id"], c["label"]) for c in load_yaml("announcements/audiences.yaml")["choices"]]


def refusal_text(error: AudienceRefused) -> str:
    """The Vietnamese explanation of a refused audience."""
    refusals = load_yaml("announcements/audiences.yaml")["refusals"]
    return refusals.get(error.reason, refusals["unknown_kind"])
