"""A small country for the national-scale tests, and its figures worked out the old way: every revision read
into Python, the latest kept per cooperative and month, the scope tested row by row.

The database's answers (counted and summed in SQL, a page at a time) must equal these, whatever the scope.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select

from db.models.registry import Cooperative, MonthlyReport
from flows.join.scope import Scope
from flows.monthly_report.reports import submit
from tests.registry import world
from tests.registry.world import CAN_THO, CUA_NAM, HANOI, HOAN_KIEM, NINH_KIEU

MONTHS = ("2026-08", "2026-09", "2026-10")
PLACES = ((HANOI, HOAN_KIEM), (HANOI, CUA_NAM), (CAN_THO, NINH_KIEU))
SCOPES = (Scope("country"), Scope("province", HANOI), Scope("province", CAN_THO), Scope("commune", HANOI, CUA_NAM))
NAMES = ("Đồng Tâm", "Hòa Bình", "An Phú", "Bình Minh", "Thành Công", "Tân Tiến", "=Công Thức", "Phú Quý")


async def seed(sessionmaker, cooperatives: int = 36, seed: int = 7) -> None:
    """Cooperatives in three communes; each month about two in three report, some twice (a later revision)."""
    rng = random.Random(seed)
    async with sessionmaker() as session:
        for n in range(cooperatives):
            province, commune = PLACES[n % len(PLACES)]
            name = rng.choice(NAMES)  # "=Công Thức": a name a spreadsheet would run as a formula
            name = f"={name[1:]} {n:02d}" if name.startswith("=") else f"HTX {name} {n:02d}"
            coop = await world.coop(session, name, province, commune,
                                    reg=f"{province:02d}{n:06d}", form=rng.choice(["hop_tac_xa", "to_hop_tac"]))
            coop.sector = rng.choice(["nong_nghiep", "thuy_san", None])
            head = await world.head_of(session, coop)
            for period in MONTHS:
                if rng.random() < 0.35:
                    continue
                for _ in range(1 if rng.random() < 0.8 else rng.randint(2, 3)):
                    needs = rng.sample(["von", "dao_tao", "tieu_thu"], rng.randint(0, 2))
                    answers = world.answers(period, members=rng.randint(5, 60), workers=rng.randint(1, 30),
                                            revenue=rng.randint(1, 900) * 1_000_000,
                                            status=rng.choice(["tot", "on_dinh", "kho_khan"]), needs=needs,
                                            difficulties=rng.choice([None, None, "Thiếu vốn", "Mất mùa"]))
                    await submit(session, head, coop, answers, confirmed=True)
        await session.commit()


@dataclass
class Reference:
    """Every cooperative and the latest revision of each of its updates, read whole."""

    coops: list[Cooperative]
    latest: dict[tuple[int, str], MonthlyReport]

    @classmethod
    async def read(cls, session) -> Reference:
        coops = list((await session.scalars(select(Cooperative))).all())
        latest: dict[tuple[int, str], MonthlyReport] = {}
        for report in (await session.scalars(select(MonthlyReport))).all():
            key = (report.cooperative_id, report.period)
            if key not in latest or latest[key].revision < report.revision:
                latest[key] = report
        return cls(coops, latest)

    def in_scope(self, scope: Scope) -> list[Cooperative]:
        """The scope's cooperatives by name, then id (the pages' order)."""
        return sorted((c for c in self.coops if scope.covers(c.province_code, c.commune_code)),
                      key=lambda c: (c.name, c.id))

    def reports(self, scope: Scope, period: str) -> list[tuple[Cooperative, MonthlyReport]]:
        return [(c, self.latest[(c.id, period)]) for c in self.in_scope(scope) if (c.id, period) in self.latest]

    def sums(self, scope: Scope, period: str) -> tuple[int, int, int, int]:
        rows = self.reports(scope, period)
        return (len(rows), sum(r.members for _, r in rows), sum(r.workers for _, r in rows),
                sum(r.revenue for _, r in rows))

    def missing(self, scope: Scope, period: str) -> list[int]:
        return [c.id for c in self.in_scope(scope) if (c.id, period) not in self.latest]

    def named(self, scope: Scope, period: str) -> list[int]:
        """Updates naming a difficulty, a need or a hard time, by cooperative name."""
        return [c.id for c, r in self.reports(scope, period) if r.difficulties or r.needs or r.status == "kho_khan"]

    def needs(self, scope: Scope, period: str) -> Counter:
        return Counter(n for _, r in self.reports(scope, period) for n in r.needs)

    def statuses(self, scope: Scope, period: str) -> Counter:
        return Counter(r.status for _, r in self.reports(scope, period))
