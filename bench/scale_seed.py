"""Seeding for bench/scale.py: a country of cooperatives, a year of monthly updates and their users, on PostgreSQL.

The schema comes from the migrations (`db upgrade`, as in production); rows go in with COPY
(asyncpg's copy_records_to_table) in a few statements per table. A database already seeded with
the same size is reused unless asked to seed again (the size is noted in a table of its own).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from vietnam_provinces import Province, Ward

from db.migrate import upgrade_async
from flows.monthly_report import periods

LAST_MONTH = "2026-10"  # the year of updates ends here; the bench runs on 27/11/2026
MONTHS = [periods.shift(LAST_MONTH, k) for k in range(-11, 1)]
BIG_PROVINCE = 1  # Hà Nội: the province official's province, 7.5 % of the cooperatives (2,517 of 33,557)
COUNTRY_COOPS, COUNTRY_USERS = 33_557, 133_557
NEEDS = ["von", "dao_tao", "tieu_thu", "chuyen_doi_so", "dat_dai", "khac"]
FORMS = ["hop_tac_xa"] * 8 + ["to_hop_tac"] * 2 + ["lien_hiep"]
SECTORS = ["nong_nghiep", "thuy_san", "lam_nghiep", "cong_nghiep", "thuong_mai", "van_tai", "moi_truong", "khac"]
DIFFICULTIES = ["Giá phân bón tăng, đầu ra bấp bênh", "Thiếu vốn lưu động để thu mua", "Mưa lớn làm hỏng vụ",
                "=HYPERLINK(\"http://x\")", "Khó tiếp cận tín dụng ưu đãi"]


@dataclass(frozen=True, slots=True)
class Size:
    """How big a seeded country is."""

    name: str
    cooperatives: int
    provinces: int

    @property
    def users(self) -> int:
        """Every cooperative's head, plus the other users in the country's proportion (133,557 at L)."""
        return self.cooperatives + round((COUNTRY_USERS - COUNTRY_COOPS) * self.cooperatives / COUNTRY_COOPS)


SIZES = {"S": Size("S", 1_000, 1), "M": Size("M", 10_000, 34), "L": Size("L", COUNTRY_COOPS, 34)}


def pg_dsn(url: str) -> str:
    """An asyncpg DSN from a SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def database_of(base_url: str, size: Size) -> str:
    """The URL of the bench database of one size on the server of `base_url`."""
    return make_url(base_url).set(database=f"htxbot_scale_{size.name.lower()}").render_as_string(hide_password=False)


async def ensure_seeded(base_url: str, size: Size, *, reseed: bool = False, say=print) -> str:
    """A database seeded with `size`, created (or seeded again) when needed; returns its URL."""
    url = database_of(base_url, size)
    name = make_url(url).database
    admin = create_async_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            exists = await conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if exists and not reseed and await _seeded_as(url, size):
                say(f"{size.name}: reusing {name}")
                return url
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
    await upgrade_async(url)
    started = dt.datetime.now()
    counts = await _seed(url, size)
    say(f"{size.name}: seeded {name} in {(dt.datetime.now() - started).total_seconds():.1f} s: "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return url


async def _seeded_as(url: str, size: Size) -> bool:
    conn = await asyncpg.connect(pg_dsn(url))
    try:
        found = await conn.fetchval("SELECT to_regclass('bench_seed') IS NOT NULL")
        return bool(found) and await conn.fetchval("SELECT spec FROM bench_seed") == repr(size)
    finally:
        await conn.close()


def _provinces(size: Size, rng: random.Random) -> list[tuple[int, list[int]]]:
    """(province code, its commune codes) for each cooperative, Hà Nội's share first."""
    chosen = [p for p in Province.iter_all() if int(p.code) == BIG_PROVINCE]
    others = [p for p in Province.iter_all() if int(p.code) != BIG_PROVINCE][: size.provinces - 1]
    wards = {int(p.code): [int(w.code) for w in Ward.iter_by_province(p.code)] for p in chosen + others}
    big = size.cooperatives if size.provinces == 1 else round(size.cooperatives * 0.075)
    out = [(BIG_PROVINCE, wards[BIG_PROVINCE])] * big
    weights = [len(wards[int(p.code)]) for p in others]
    for p in rng.choices(others, weights=weights, k=size.cooperatives - big) if others else []:
        out.append((int(p.code), wards[int(p.code)]))
    return out


async def _seed(url: str, size: Size) -> dict[str, int]:
    rng = random.Random(17)
    now = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)
    places = _provinces(size, rng)
    coops, users, reporters, reports, audit, checks, questions = [], [], [], [], [], [], []
    for cid, (province, communes) in enumerate(places, start=1):
        commune = rng.choice(communes)
        coops.append((cid, f"HTX {rng.choice(['Đồng Tâm', 'Thành Công', 'Hòa Bình', 'Tân Tiến', 'Phú Quý'])} {cid}",
                      rng.choice(FORMS), f"{province:02d}{cid:08d}", province, commune, rng.choice(SECTORS), now))
        users.append(_user(cid, province, commune, "chu_nhiem", now))
        reporters.append((cid, cid, cid, "head", now))
    for uid in range(size.cooperatives + 1, size.users + 1):
        province, communes = places[rng.randrange(len(places))]
        users.append(_user(uid, province, rng.choice(communes), "nong_dan", now))
    rid = 0
    for cid in range(1, size.cooperatives + 1):
        members = rng.randint(7, 400)
        for period in MONTHS:
            if rng.random() >= 0.75:
                continue
            for revision in (1, 2) if rng.random() < 0.04 else (1,):
                rid += 1
                reports.append(_report(rid, cid, period, revision, members, rng))
    for n in range(size.users // 4):
        uid = rng.randint(1, size.users)
        at = now - dt.timedelta(days=rng.randint(0, 364), minutes=rng.randint(0, 1440))
        step = min(rng.randint(0, 4), rng.randint(0, 4))
        actions = ["founding.started", "founding.form_chosen", "founding.plan_shown", "founding.step_ticked",
                   "founding.drafts_downloaded"][: step + 1]
        for action in actions:
            audit.append((len(audit) + 1, at, uid, action, "{}"))
        if n % 3 == 0:
            outcomes = {p: rng.choice(["eligible", "possibly", "not_eligible"]) for p in ("nd113-dao-tao", "nd113-xuc-tien")}
            checks.append((len(checks) + 1, uid, at.date(), "{}", json.dumps(outcomes), "{}", at))
            audit.append((len(audit) + 1, at, uid, "eligibility.started", "{}"))
        if n % 25 == 0:
            row = users[uid - 1]
            questions.append((len(questions) + 1, uid, row[5], row[6], f"Câu hỏi số {n} về thủ tục thành lập",
                              "open" if n % 2 else "answered", at, False))
    conn = await asyncpg.connect(pg_dsn(url))
    try:
        await _copy(conn, "users", users, ["id", "channel", "external_id", "display_name", "role", "province_code",
                                           "commune_code", "sector", "announcements", "reminders", "blocked",
                                           "onboarded", "created_at", "last_seen"])
        await _copy(conn, "cooperatives", coops, ["id", "name", "form", "registration_no", "province_code",
                                                  "commune_code", "sector", "created_at"])
        await _copy(conn, "reporters", reporters, ["id", "cooperative_id", "user_id", "role", "linked_at"])
        await _copy(conn, "monthly_reports", reports, ["id", "cooperative_id", "period", "revision", "user_id",
                                                       "members", "workers", "revenue", "status", "status_note",
                                                       "difficulties", "needs", "reference", "submitted_at"])
        await _copy(conn, "audit_log", audit, ["id", "at", "user_id", "action", "detail"])
        await _copy(conn, "eligibility_checks", checks, ["id", "user_id", "checked_on", "facts", "outcomes",
                                                         "references", "created_at"])
        await _copy(conn, "questions", questions, ["id", "user_id", "province_code", "commune_code", "text", "status",
                                                   "created_at", "promote"])
        await conn.execute("CREATE TABLE bench_seed (spec text NOT NULL)")
        await conn.execute("INSERT INTO bench_seed VALUES ($1)", repr(size))
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return {"cooperatives": len(coops), "users": len(users), "monthly updates": len(reports),
            "audit events": len(audit), "eligibility checks": len(checks), "questions": len(questions)}


def _user(uid: int, province: int, commune: int, role: str, now: dt.datetime) -> tuple:
    return (uid, "telegram", f"s{uid}", f"Người dùng {uid}", role, province, commune, None, True, True, False, True,
            now, now)


def _report(rid: int, cid: int, period: str, revision: int, members: int, rng: random.Random) -> tuple:
    status = rng.choices(["tot", "on_dinh", "kho_khan"], weights=[30, 55, 15])[0]
    needs = rng.sample(NEEDS, rng.randint(1, 2)) if rng.random() < 0.35 else []
    difficulties = rng.choice(DIFFICULTIES) if rng.random() < 0.12 else None
    nxt = periods.shift(period, 1)
    at = dt.datetime(int(nxt[:4]), int(nxt[5:]), rng.randint(1, 10), rng.randint(0, 23), rng.randint(0, 59),
                     tzinfo=dt.UTC)
    return (rid, cid, period, revision, cid, members + rng.randint(-2, 2), max(1, members // 2 + rng.randint(-3, 3)),
            rng.randint(10, 5_000) * 1_000_000, status, "Vụ mới" if rng.random() < 0.05 else None, difficulties,
            json.dumps(needs), f"BC{period.replace('-', '')}-{cid:05d}-{revision}", at)


async def _copy(conn: asyncpg.Connection, table: str, rows: list[tuple], columns: list[str]) -> None:
    await conn.copy_records_to_table(table, records=rows, columns=columns)
    if "id" in columns:
        await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
