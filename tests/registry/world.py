"""A small world for registry tests: places, users, cooperatives, reporters and officials."""

from __future__ import annotations

import itertools

from db.models.core import User
from db.models.registry import Cooperative
from flows.join.accounts import add_official
from flows.join.coops import link_reporter
from flows.join.scope import Scope

HANOI, HOAN_KIEM, CUA_NAM = 1, 70, 73
CAN_THO, NINH_KIEU = 92, 31135

_ids = itertools.count(1)


async def user(session, name: str = "", **fields) -> User:
    """A Telegram user with a fresh external id."""
    person = User(channel="telegram", external_id=f"u{next(_ids)}", display_name=name or None, **fields)
    session.add(person)
    await session.flush()
    return person


async def coop(session, name: str, province: int = HANOI, commune: int = HOAN_KIEM, reg: str | None = None,
               form: str = "hop_tac_xa") -> Cooperative:
    """A cooperative in a commune."""
    item = Cooperative(name=name, form=form, registration_no=reg, province_code=province, commune_code=commune)
    session.add(item)
    await session.flush()
    return item


async def head_of(session, cooperative: Cooperative, **fields) -> User:
    """A user linked as the cooperative's head."""
    person = await user(session, f"Chủ nhiệm {cooperative.name}", **fields)
    await link_reporter(session, person.id, cooperative.id, "head")
    return person


async def official(session, scope: Scope) -> User:
    """A user made an official of a scope."""
    person = await user(session, "Cán bộ")
    await add_official(session, scope, user_id=person.id)
    return person


def answers(period: str = "2026-10", members: int = 20, workers: int = 12, revenue: int = 350_000_000,
            status: str = "on_dinh", **more) -> dict:
    """A reporter's answers as a flow saves them."""
    return {"period": period, "members": members, "workers": workers, "revenue": revenue, "status": status,
            **more}
