"""Who an official can reach: opted-in users in their scope, narrowed by role, sector or place."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.models.core import User
from flows.announcements import audience
from flows.announcements.audience import AudienceRefused
from flows.engine.content import load_yaml
from flows.join.scope import Scope
from tests.announcements.helpers import CUA_NAM, HANOI, HCMC, HOAN_KIEM, VUNG_TAU, add_users

COUNTRY = Scope("country")
HANOI_OFFICIAL = Scope("province", HANOI)
HOAN_KIEM_OFFICIAL = Scope("commune", HANOI, HOAN_KIEM)


@pytest.fixture
async def people(sessionmaker):
    """Nine users across two provinces with different roles, sectors and preferences."""
    rows = [
        {"external_id": "hk-farmer", "role": "nong_dan", "sector": "nong_nghiep", "province_code": HANOI, "commune_code": HOAN_KIEM},
        {"external_id": "hk-founder", "role": "sang_lap", "sector": "thuy_san", "province_code": HANOI, "commune_code": HOAN_KIEM},
        {"external_id": "hk-head", "role": "chu_nhiem", "sector": "nong_nghiep", "province_code": HANOI, "commune_code": HOAN_KIEM},
        {"external_id": "cn-head", "role": "chu_nhiem", "sector": "thuong_mai", "province_code": HANOI, "commune_code": CUA_NAM},
        {"external_id": "cn-optout", "role": "nong_dan", "province_code": HANOI, "commune_code": CUA_NAM, "announcements": False},
        {"external_id": "cn-blocked", "role": "nong_dan", "province_code": HANOI, "commune_code": CUA_NAM, "blocked": True},
        {"external_id": "vt-farmer", "role": "nong_dan", "sector": "nong_nghiep", "province_code": HCMC, "commune_code": VUNG_TAU},
        {"external_id": "vt-head", "role": "chu_nhiem", "province_code": HCMC, "commune_code": VUNG_TAU, "channel": "zalo"},
        {"external_id": "nowhere", "role": "nong_dan"},
    ]
    async with sessionmaker() as session, session.begin():
        await add_users(session, rows)


async def count(sessionmaker, scope, **spec):
    async with sessionmaker() as session:
        return await audience.count(session, scope, spec)


async def test_everyone_means_everyone_in_scope_who_accepts_announcements(sessionmaker, people):
    assert await count(sessionmaker, COUNTRY, kind="everyone") == 7
    assert await count(sessionmaker, HANOI_OFFICIAL, kind="everyone") == 4
    assert await count(sessionmaker, HOAN_KIEM_OFFICIAL, kind="everyone") == 3


async def test_farmers_include_founding_groups_and_heads_are_chu_nhiem(sessionmaker, people):
    assert await count(sessionmaker, HANOI_OFFICIAL, kind="farmers") == 2
    assert await count(sessionmaker, COUNTRY, kind="farmers") == 4
    assert await count(sessionmaker, HANOI_OFFICIAL, kind="heads") == 2
    assert await count(sessionmaker, COUNTRY, kind="heads") == 3


async def test_by_sector_stays_inside_the_scope(sessionmaker, people):
    assert await count(sessionmaker, COUNTRY, kind="sector", sector="nong_nghiep") == 3
    assert await count(sessionmaker, HANOI_OFFICIAL, kind="sector", sector="nong_nghiep") == 2


async def test_a_province_official_narrows_to_one_of_their_communes(sessionmaker, people):
    assert await count(sessionmaker, HANOI_OFFICIAL, kind="commune", commune_code=CUA_NAM) == 1
    assert await count(sessionmaker, HANOI_OFFICIAL, kind="heads", commune_code=HOAN_KIEM) == 1
    assert await count(sessionmaker, COUNTRY, kind="province", province_code=HCMC) == 2


async def test_an_official_of_one_province_cannot_reach_another_provinces_users(sessionmaker, people):
    with pytest.raises(AudienceRefused) as refused:
        await count(sessionmaker, HANOI_OFFICIAL, kind="province", province_code=HCMC)
    assert refused.value.reason == "out_of_scope"
    with pytest.raises(AudienceRefused):
        await count(sessionmaker, HANOI_OFFICIAL, kind="commune", commune_code=VUNG_TAU)
    with pytest.raises(AudienceRefused):
        await count(sessionmaker, HANOI_OFFICIAL, kind="farmers", province_code=HCMC)


async def test_a_commune_official_cannot_widen_to_the_province_or_a_neighbour(sessionmaker, people):
    for spec in ({"kind": "province", "province_code": HANOI}, {"kind": "commune", "commune_code": CUA_NAM}):
        with pytest.raises(AudienceRefused) as refused:
            await count(sessionmaker, HOAN_KIEM_OFFICIAL, **spec)
        assert refused.value.reason == "out_of_scope"


async def test_unknown_kinds_places_and_sectors_are_refused_with_a_vietnamese_reason(sessionmaker, people):
    cases = [
        ({"kind": "everybody"}, "unknown_kind"),
        ({"kind": "sector"}, "missing_sector"),
        ({"kind": "province"}, "missing_place"),
        ({"kind": "province", "province_code": 99}, "unknown_place"),
        ({"kind": "commune", "commune_code": 999999}, "unknown_place"),
        ({"kind": "commune", "commune_code": VUNG_TAU, "province_code": HANOI}, "unknown_place"),
    ]
    for spec, reason in cases:
        with pytest.raises(AudienceRefused) as refused:
            await count(sessionmaker, COUNTRY, **spec)
        assert refused.value.reason == reason, spec
        assert audience.refusal_text(refused.value) == load_yaml("announcements/audiences.yaml")["refusals"][reason]


async def test_a_new_kind_is_one_entry_in_the_registry(sessionmaker, people):
    kinds = audience.KINDS | {"zalo_users": lambda spec, scope: User.channel == "zalo"}
    async with sessionmaker() as session:
        stmt = select(func.count()).select_from(User).where(audience.condition(COUNTRY, {"kind": "zalo_users"}, kinds))
        assert (await session.execute(stmt)).scalar_one() == 1


def test_every_choice_has_a_kind_and_every_refusal_a_text():
    ids = [b.id for b in audience.choices()]
    assert ids and set(ids) <= set(audience.KINDS)
    for reason in ("unknown_kind", "missing_sector", "missing_place", "unknown_place", "out_of_scope"):
        assert audience.refusal_text(AudienceRefused(reason))
