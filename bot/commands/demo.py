"""`htxbot demo`: a demonstration anyone can open (issue 18). It fills a fresh database with one province's
cooperatives, a year of monthly updates, questions waiting for an answer and a sent announcement (the words
come from content/demo.yaml), all marked as demonstration data, and prints a sign-in link for a
demonstration official. It refuses a database that holds anything else; run again, it prints a new link.

Marks: every person it makes has an id starting with "mau-" and is on the channel "demo" (no sender:
nothing ever leaves), except the askers of the waiting questions, who are web visitors (an answer from the
dashboard waits in their web mailbox, as a real one would); every cooperative's registration number starts
with MAU- and its name ends with " (mẫu)".
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from typing import Any

from sqlalchemy import func, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from vietnam_provinces import Province, Ward

from bot.commands._run import helptext, say
from bot.settings import Settings
from db.base import make_engine, make_sessionmaker, utcnow
from db.models import (
    Announcement,
    AuditLog,
    Cooperative,
    Delivery,
    EligibilityCheck,
    MonthlyReport,
    Question,
    Reporter,
    User,
)
from flows.announcements.outbox import create_announcement
from flows.dashboard_login.flow import issue_login_token, login_url
from flows.eligibility.load import load_programmes
from flows.engine.content import load_yaml
from flows.join.accounts import add_official
from flows.join.scope import Scope
from flows.monthly_report import periods
from flows.monthly_report.reports import reference_for

CHANNEL = "demo"
PREFIX = "MAU-"
PERSON = "mau-"  # the start of every demonstration person's id
LINK_HOURS = 12  # the printed link is for someone trying the demo on their own machine
_FUNNEL = ("founding.started", "founding.form_chosen", "founding.plan_shown", "founding.step_ticked")


def register(sub) -> None:
    demo = sub.add_parser("demo", help=helptext("demo.du_lieu_mau"))
    demo.set_defaults(handler=run)


def run(settings: Settings, _args) -> None:
    """Upgrade the database, fill it once with demonstration data, print a sign-in link (or refuse)."""
    from db.migrate import upgrade

    path = settings.sqlite_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    result = asyncio.run(prepare(settings.database_url, _today(settings)))
    if result is None:
        say("demo_refused")
        raise SystemExit(1)
    raw, filled = result
    say("demo_filled" if filled else "demo_again")
    say("demo_link", url=login_url(settings.web_base_url, raw), hours=LINK_HOURS)


def _today(settings: Settings) -> dt.date:
    from zoneinfo import ZoneInfo

    return settings.as_of_date or dt.datetime.now(ZoneInfo(settings.timezone)).date()


async def prepare(database_url: str, today: dt.date) -> tuple[str, bool] | None:
    """Fill the database if it is empty (None when it holds real data); returns a new sign-in token and
    whether it was filled now."""
    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            if await holds_real_data(session):
                return None
            official = await session.scalar(select(User.id).where(User.channel == CHANNEL,
                                                                  User.external_id == "mau-can-bo"))
            filled = official is None
            if filled:
                official = await fill(session, today)
            raw = await issue_login_token(session, official, ttl=dt.timedelta(hours=LINK_HOURS))
            await session.commit()
            return raw, filled
    finally:
        await engine.dispose()


async def holds_real_data(session: AsyncSession) -> bool:
    """Whether anyone but demonstration people, or any cooperative but demonstration ones, is stored."""
    people = await session.scalar(select(func.count()).select_from(User).where(
        or_(User.channel != CHANNEL, not_(User.external_id.startswith(PERSON))),
        or_(User.channel != "web", not_(User.external_id.startswith(PERSON)))))
    coops = await session.scalar(select(func.count()).select_from(Cooperative).where(
        or_(Cooperative.registration_no.is_(None), not_(Cooperative.registration_no.startswith(PREFIX)))))
    return bool(people or coops)


async def fill(session: AsyncSession, today: dt.date) -> int:
    """Add the demonstration province and return the demonstration official's user id (caller commits)."""
    data = load_yaml("demo.yaml")
    rng = random.Random(18)
    province = int(data["province_code"])
    wards = sorted(Ward.iter_by_province(Province.from_code(province).code), key=lambda w: int(w.code))[:12]
    scope = Scope("province", province)
    official = _person(session, "mau-can-bo", data["official_name"], province, None, role="can_bo")
    await session.flush()
    await add_official(session, scope, user_id=official.id)
    last = periods.default_period(today)
    months = periods.between(periods.shift(last, -11), last)
    now = utcnow()
    for i in range(int(data["cooperatives"])):
        ward = wards[i % len(wards)]
        await _cooperative(session, data, rng, i, province, ward, months, now)
    farmers = []
    for i in range(int(data["farmers"])):
        ward = rng.choice(wards)
        farmers.append(_person(session, f"mau-nong-dan-{i + 1}", f"Nông dân mẫu {i + 1}", province, int(ward.code),
                               role=rng.choice(("nong_dan", "nong_dan", "sang_lap")), announcements=rng.random() < 0.9))
    await session.flush()
    _usage(session, rng, farmers, province, now)
    for k, text in enumerate(data["questions"]):
        ward = wards[k * 5 % len(wards)]
        asker = _person(session, f"{PERSON}web-{k + 1}", None, province, int(ward.code), role="nong_dan")
        asker.channel = "web"  # a web visitor: the answer waits in their mailbox
        await session.flush()
        session.add(Question(user_id=asker.id, province_code=province, commune_code=asker.commune_code, text=text,
                             created_at=now - dt.timedelta(days=9 - 2 * k, hours=k)))
    await _announcement(session, official.id, scope, data["announcement"], now - dt.timedelta(days=3))
    await session.flush()
    return official.id


def _person(session: AsyncSession, external_id: str, name: str | None, province: int, commune: int | None, *,
            role: str, announcements: bool = True) -> User:
    person = User(channel=CHANNEL, external_id=external_id, display_name=name, role=role, province_code=province,
                  commune_code=commune, onboarded=True, announcements=announcements)
    session.add(person)
    return person


def _short(ward: Any) -> str:
    name = ward.name
    for prefix in ("Phường ", "Xã ", "Thị trấn "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


async def _cooperative(session: AsyncSession, data: dict, rng: random.Random, i: int, province: int, ward: Any,
                       months: list[str], now: dt.datetime) -> None:
    """One cooperative with its head and a year of updates (some months missing, most recent ones more often)."""
    form = "hop_tac_xa" if i % 10 < 8 else ("to_hop_tac" if i % 10 == 8 else "lien_hiep")
    parts = data["name_parts"][form]
    name = f"{parts[i % len(parts)]} {_short(ward)}{data['mark']}"
    sectors = [s["id"] for s in load_yaml("registry/sectors.yaml")["sectors"]]
    coop = Cooperative(name=name, form=form, registration_no=f"{PREFIX}{i + 1:04d}", province_code=province,
                       commune_code=int(ward.code), sector=rng.choice(sectors[:6]))
    head = _person(session, f"mau-chu-nhiem-{i + 1}", f"Chủ nhiệm mẫu {i + 1}", province, int(ward.code),
                   role="chu_nhiem")
    session.add(coop)
    await session.flush()
    session.add(Reporter(cooperative_id=coop.id, user_id=head.id, role="head"))
    members, revenue = rng.randint(8, 150), rng.randint(80, 2400) * 1_000_000
    needs = [n["id"] for n in load_yaml("registry/monthly.yaml")["needs"]]
    for k, period in enumerate(months):
        if rng.random() < (0.3 if k == len(months) - 1 else 0.1):
            continue  # this month was not sent
        members = max(5, members + rng.choice((-2, -1, 0, 0, 1, 2, 3)))
        revenue = max(10_000_000, int(revenue * rng.uniform(0.85, 1.2)) // 1_000_000 * 1_000_000)
        hard = rng.random() < 0.15
        sent = dt.datetime.fromisoformat(period + "-01").replace(tzinfo=dt.UTC) + \
            dt.timedelta(days=rng.randint(10, 38), hours=rng.randint(1, 10))  # from the 11th to the next 10th
        sent = min(sent, now - dt.timedelta(hours=rng.randint(1, 48)))  # never in the future
        session.add(MonthlyReport(
            cooperative_id=coop.id, period=period, revision=1, user_id=head.id, members=members,
            workers=max(2, int(members * rng.uniform(0.4, 0.9))), revenue=revenue,
            status="kho_khan" if hard else rng.choice(("tot", "on_dinh", "on_dinh")),
            status_note=rng.choice(data["notes"]) if rng.random() < 0.1 else None,
            difficulties=rng.choice(data["difficulties"]) if hard or rng.random() < 0.1 else None,
            needs=rng.sample(needs[:5], rng.randint(1, 2)) if hard or rng.random() < 0.2 else [],
            reference=reference_for(coop.id, period, 1), submitted_at=sent))


def _usage(session: AsyncSession, rng: random.Random, farmers: list[User], province: int, now: dt.datetime) -> None:
    """The founding guide's funnel and eligibility checks of the last two months."""
    programmes = [p.id for p in load_programmes() if p.level == "national" or p.area.province_code == province]
    outcomes = ("eligible", "possibly", "not_eligible", "possibly")
    for n, farmer in enumerate(farmers):
        at = now - dt.timedelta(days=rng.randint(0, 50), hours=rng.randint(0, 20))
        for action in _FUNNEL[: rng.randint(1, len(_FUNNEL))]:
            session.add(AuditLog(user_id=farmer.id, action=action, detail={}, at=at))
        if n % 2 == 0 and programmes:
            picked = rng.sample(programmes, min(len(programmes), rng.randint(1, 3)))
            session.add(AuditLog(user_id=farmer.id, action="eligibility.started", detail={}, at=at))
            session.add(EligibilityCheck(user_id=farmer.id, checked_on=at.date(), created_at=at,
                                         outcomes={p: rng.choice(outcomes) for p in picked}))


async def _announcement(session: AsyncSession, author: int, scope: Scope, text: str, when: dt.datetime) -> None:
    """An announcement to the farmers, already delivered (no demonstration message ever leaves)."""
    announcement = await create_announcement(session, author, scope, text, {"kind": "farmers"}, now=when)
    await session.execute(update(Delivery).where(Delivery.announcement_id == announcement.id)
                          .values(status="sent", sent_at=when + dt.timedelta(minutes=2), attempts=1))
    await session.execute(update(Announcement).where(Announcement.id == announcement.id)
                          .values(status="done", finished_at=when + dt.timedelta(minutes=3)))
