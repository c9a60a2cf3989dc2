"""Officials see compliance, totals and needs of their own scope only."""

from flows.join.accounts import scope_of
from flows.join.scope import Scope
from flows.monthly_report import overview
from flows.monthly_report.exports import export_reports
from flows.monthly_report.reports import latest_reports, submit
from flows.officials.views import compliance_text, needs_text, totals_text
from tests.registry import world
from tests.registry.world import CAN_THO, CUA_NAM, HANOI, HOAN_KIEM, NINH_KIEU


async def _two_provinces(session):
    """Three Hà Nội cooperatives (two report in October) and one in Cần Thơ that reports."""
    hk = await world.coop(session, "HTX Hoàn Kiếm", HANOI, HOAN_KIEM)
    cn = await world.coop(session, "HTX Cửa Nam", HANOI, CUA_NAM)
    silent = await world.coop(session, "HTX Im Lặng", HANOI, CUA_NAM)
    ct = await world.coop(session, "HTX Ninh Kiều", CAN_THO, NINH_KIEU)
    for htx, sept, octo in ((hk, (20, 10, 100_000_000), (22, 11, 150_000_000)),
                            (cn, (30, 15, 200_000_000), (30, 12, 180_000_000)),
                            (ct, (50, 40, 900_000_000), (50, 40, 900_000_000))):
        head = await world.head_of(session, htx)
        for period, (members, workers, revenue) in (("2026-09", sept), ("2026-10", octo)):
            await submit(session, head, htx, world.answers(period=period, members=members, workers=workers,
                                                           revenue=revenue, needs=["von"] if htx is cn else []))
    await session.commit()
    return hk, cn, silent, ct


async def test_province_compliance_counts_its_own_and_names_the_missing(session):
    *_, silent, _ = await _two_provinces(session)
    result = await overview.compliance(session, Scope("province", HANOI), "2026-10")
    assert (result.reported, result.expected, [c.name for c in result.missing]) == (2, 3, ["HTX Im Lặng"])
    text = await compliance_text(session, Scope("province", HANOI), "2026-10")
    assert "2/3" in text and "HTX Im Lặng" in text and "Phường Cửa Nam" in text and "Ninh Kiều" not in text


async def test_commune_totals_show_the_change_against_last_month(session):
    await _two_provinces(session)
    result = await overview.totals(session, Scope("commune", HANOI, CUA_NAM), "2026-10")
    assert (result.current.members, result.current.workers, result.current.revenue) == (30, 12, 180_000_000)
    assert result.change == {"reporting": 0, "members": 0, "workers": -3, "revenue": -20_000_000}
    text = await totals_text(session, Scope("commune", HANOI, CUA_NAM), "2026-10")
    assert "giảm 3" in text and "giảm 20 triệu đồng" in text and "180 triệu đồng" in text


async def test_country_totals_cover_both_provinces(session):
    await _two_provinces(session)
    result = await overview.totals(session, Scope("country"), "2026-10")
    assert (result.current.reporting, result.current.members, result.previous.members) == (3, 102, 100)


async def test_needs_are_counted_and_listed(session):
    await _two_provinces(session)
    result = await overview.difficulties_and_needs(session, Scope("province", HANOI), "2026-10")
    assert result.needs["von"] == 1 and [c.name for c, _ in result.items] == ["HTX Cửa Nam"]
    text = await needs_text(session, Scope("province", HANOI), "2026-10")
    assert "Vốn 1" in text and "HTX Cửa Nam" in text


async def test_an_official_of_another_province_sees_nothing_of_this_one(session):
    await _two_provinces(session)
    officer = await world.official(session, Scope("province", CAN_THO))
    scope = await scope_of(session, officer.id)
    names = [c.name for c, _ in await latest_reports(session, scope, "2026-10")]
    assert names == ["HTX Ninh Kiều"]
    for text in (await compliance_text(session, scope, "2026-10"), await totals_text(session, scope, "2026-10"),
                 await needs_text(session, scope, "2026-10")):
        assert "Hoàn Kiếm" not in text and "Cửa Nam" not in text and "Im Lặng" not in text
    document = await export_reports(session, scope, "2026-09", "2026-10", fmt="csv")
    assert b"Ho\xc3\xa0n Ki\xe1\xba\xbfm" not in document.data and "Ninh Kiều".encode() in document.data
