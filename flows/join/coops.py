"""Cooperatives and their reporters: who may report for which cooperative, and readable labels."""

from __future__ import annotations

import functools

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from vietnam_provinces import Province, Ward

from db.models.registry import Cooperative, Reporter
from flows.engine.content import load_yaml
from flows.join.scope import Scope

ROLES = ("head", "deputy")


async def cooperatives_in(session: AsyncSession, scope: Scope) -> list[Cooperative]:
    """Every cooperative inside a scope, by name."""
    query = select(Cooperative).where(scope.where(Cooperative.province_code, Cooperative.commune_code))
    return list((await session.scalars(query.order_by(Cooperative.name, Cooperative.id))).all())


async def linked_cooperatives(session: AsyncSession, user_id: int) -> list[tuple[Cooperative, str]]:
    """The cooperatives a user reports for, with the user's role (head or deputy)."""
    query = (
        select(Cooperative, Reporter.role)
        .join(Reporter, Reporter.cooperative_id == Cooperative.id)
        .where(Reporter.user_id == user_id)
        .order_by(Cooperative.name)
    )
    return [(coop, role) for coop, role in (await session.execute(query)).all()]


async def reporter_role(session: AsyncSession, user_id: int, cooperative_id: int) -> str | None:
    """The user's role for a cooperative, or None when the user is not linked to it."""
    query = select(Reporter.role).where(Reporter.user_id == user_id, Reporter.cooperative_id == cooperative_id)
    return await session.scalar(query)


async def link_reporter(session: AsyncSession, user_id: int, cooperative_id: int, role: str = "head") -> Reporter:
    """Link a user to a cooperative as head or deputy (the role is updated when already linked)."""
    if role not in ROLES:
        raise ValueError(f"unknown reporter role {role!r}")
    query = select(Reporter).where(Reporter.user_id == user_id, Reporter.cooperative_id == cooperative_id)
    reporter = await session.scalar(query)
    if reporter is None:
        reporter = Reporter(user_id=user_id, cooperative_id=cooperative_id, role=role)
        try:
            async with session.begin_nested():
                session.add(reporter)
        except IntegrityError:  # linked meanwhile by another request
            reporter = await session.scalar(query)
    reporter.role = role
    await session.flush()
    return reporter


def scope_of_cooperative(coop: Cooperative) -> Scope:
    """The commune scope a cooperative lies in."""
    return Scope("commune", coop.province_code, coop.commune_code)


@functools.cache
def province_name(code: int | None) -> str:
    """The province's name from the vietnam_provinces data ('' when unknown)."""
    for province in Province.iter_all():
        if int(province.code) == code:
            return province.name
    return ""


@functools.cache
def commune_name(province_code: int | None, commune_code: int | None) -> str:
    """The commune's name from the vietnam_provinces data ('' when unknown)."""
    if province_code is None or not province_name(province_code):
        return ""
    for ward in Ward.iter_by_province(Province.from_code(province_code).code):
        if int(ward.code) == commune_code:
            return ward.name
    return ""


def form_label(form_id: str) -> str:
    """The Vietnamese name of a cooperative form id."""
    return {f["id"]: f["name"] for f in load_yaml("registry/forms.yaml")["forms"]}.get(form_id, form_id)


def sector_label(sector_id: str | None) -> str:
    """The Vietnamese name of a sector id ('' for none)."""
    if not sector_id:
        return ""
    return {s["id"]: s["name"] for s in load_yaml("registry/sectors.yaml")["sectors"]}.get(sector_id, sector_id)
