"""The officials' figures counted and summed by the database equal the old way's (every revision read into
Python), for every scope, and the lists come a page at a time without losing or repeating anyone."""

from __future__ import annotations

import pytest

from bot.web.dashboard.compare import same_cooperatives
from flows.monthly_report import listing, overview
from tests.scale.world import MONTHS, SCOPES, Reference, seed

pytestmark = pytest.mark.parametrize("scope", SCOPES, ids=lambda s: f"{s.level}-{s.province_code}-{s.commune_code}")


@pytest.fixture
async def ref(sessionmaker):
    await seed(sessionmaker)
    async with sessionmaker() as session:
        return await Reference.read(session)


async def test_compliance_by_place_and_the_missing_pages(session, ref, scope):
    for period in MONTHS:
        result = await overview.compliance(session, scope, period, limit=1000)
        missing = ref.missing(scope, period)
        assert (result.expected, result.reported) == (len(ref.in_scope(scope)), len(ref.in_scope(scope)) - len(missing))
        assert [c.id for c in result.missing] == missing and result.missing_total == len(missing)
        by_place = scope.level == "country"
        expected = {}
        for c in ref.in_scope(scope):
            key = (c.province_code, None if by_place else c.commune_code)
            sent = int((c.id, period) in ref.latest)
            expected[key] = (expected.get(key, (0, 0))[0] + 1, expected.get(key, (0, 0))[1] + sent)
        assert {(p.province_code, p.commune_code): (p.expected, p.reported) for p in result.places} == expected
        pages = [await overview.missing_page(session, scope, period, limit=4, offset=k) for k in range(0, 40, 4)]
        assert [c.id for page in pages for c in page] == missing  # every page in order, none twice


async def test_twelve_months_of_sums_in_one_query_and_the_change_against_last_month(session, ref, scope):
    sums = await overview.sums_between(session, scope, "2026-07", MONTHS[-1])
    assert [s.period for s in sums] == ["2026-07", *MONTHS] and sums[0].reporting == 0  # a silent month is zeros
    for s in sums[1:]:
        assert (s.reporting, s.members, s.workers, s.revenue) == ref.sums(scope, s.period)
    totals = await overview.totals(session, scope, MONTHS[-1])
    assert totals.change["members"] == ref.sums(scope, MONTHS[-1])[1] - ref.sums(scope, MONTHS[-2])[1]


async def test_month_against_month_counts_only_cooperatives_that_sent_both(session, ref, scope):
    result = await same_cooperatives(session, scope, MONTHS[-1])
    now, before = dict(ref.reports(scope, MONTHS[-1])), dict(ref.reports(scope, MONTHS[-2]))
    now, before = {c.id: r for c, r in now.items()}, {c.id: r for c, r in before.items()}
    both = now.keys() & before.keys()
    assert (result.reported_now, result.reported_before, result.both) == (len(now), len(before), len(both))
    assert result.change == {name: sum(getattr(now[c], name) - getattr(before[c], name) for c in both)
                             for name in ("members", "workers", "revenue")}


async def test_statuses_needs_and_the_pages_of_named_difficulties(session, ref, scope):
    period = MONTHS[-1]
    whole = await overview.difficulties_and_needs(session, scope, period, limit=1000)
    assert whole.statuses == ref.statuses(scope, period) and whole.needs == ref.needs(scope, period)
    assert [c.id for c, _ in whole.items] == ref.named(scope, period) and whole.items_total == len(whole.items)
    assert all(r.revision == ref.latest[(c.id, period)].revision for c, r in whole.items)  # the latest revision
    paged = [await overview.difficulties_and_needs(session, scope, period, limit=3, offset=k) for k in range(0, 30, 3)]
    assert [c.id for page in paged for c, _ in page.items] == ref.named(scope, period)


async def test_the_cooperatives_list_filters_searches_sorts_and_pages(session, ref, scope):
    period = MONTHS[-1]
    everyone = ref.in_scope(scope)
    rows, total = await listing.cooperatives_page(session, scope, period, listing.Filters(), limit=1000)
    assert [c.id for c, _ in rows] == [c.id for c in everyone] and total == len(everyone)
    assert all((r is None) == ((c.id, period) not in ref.latest) for c, r in rows)
    assert all(r is None or r.revision == ref.latest[(c.id, period)].revision for c, r in rows)
    silent, total = await listing.cooperatives_page(session, scope, period, listing.Filters(reported=False), limit=1000)
    assert [c.id for c, _ in silent] == ref.missing(scope, period) and total == len(silent)
    htx, _ = await listing.cooperatives_page(session, scope, period, listing.Filters(form="to_hop_tac"), limit=1000)
    assert [c.id for c, _ in htx] == [c.id for c in everyone if c.form == "to_hop_tac"]
    found, _ = await listing.cooperatives_page(session, scope, period, listing.Filters(search="hòa bình"), limit=1000)
    assert [c.id for c, _ in found] == [c.id for c in everyone if "hòa bình" in c.name.lower()]
    by_revenue, _ = await listing.cooperatives_page(session, scope, period, listing.Filters(), sort="doanh_thu",
                                                    limit=1000)
    revenues = [r.revenue for _, r in by_revenue if r is not None]
    assert revenues == sorted(revenues, reverse=True) and all(r is None for _, r in by_revenue[len(revenues):])
    pages = [(await listing.cooperatives_page(session, scope, period, listing.Filters(), limit=5, offset=k))[0]
             for k in range(0, 50, 5)]
    assert [c.id for page in pages for c, _ in page] == [c.id for c in everyone]
