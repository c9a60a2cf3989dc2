"""The dashboard's long lists come a page at a time, and its export streams a semicolon CSV when asked."""

from __future__ import annotations

import csv
import io
import re

import pytest

from flows.join.scope import Scope
from flows.monthly_report import listing, overview
from tests.registry.world import HANOI, official
from tests.scale.world import MONTHS, Reference, seed
from tests.web.dashboard_site import make_site


@pytest.fixture
async def site(engine, database_url, monkeypatch):
    """The dashboard over the small country, pages of 5 rows, a country and a Hà Nội official."""
    monkeypatch.setattr(listing, "page_size", lambda: 5)
    monkeypatch.setattr(overview, "ITEMS_PAGE", 3)
    site = await make_site(database_url)
    await seed(site.app.sessionmaker, cooperatives=24)
    async with site.app.sessionmaker() as session:
        site.ids = {"country": (await official(session, Scope("country"))).id,
                    "hanoi": (await official(session, Scope("province", HANOI))).id}
        await session.commit()
        site.ref = await Reference.read(session)
    yield site
    await site.client.close()
    await site.app.close()


def _links(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/quan-ly/hop-tac-xa/(\d+)"', page)]


async def test_the_cooperatives_list_pages_through_everyone_in_the_scope(site):
    await site.as_official("hanoi")
    everyone = [c.id for c in site.ref.in_scope(Scope("province", HANOI))]
    seen, page_no = [], 1
    while page_no < 20:
        page = await (await site.client.get(f"/quan-ly/hop-tac-xa?thang={MONTHS[-1]}&trang={page_no}")).text()
        seen += _links(page)
        if 'rel="next"' not in page:
            break
        page_no += 1
    assert seen == everyone and page_no == -(-len(everyone) // 5)
    assert f"Trang {page_no}/{page_no}" in page
    assert (await site.client.get("/quan-ly/hop-tac-xa?trang=abc")).status == 400
    assert (await site.client.get("/quan-ly/hop-tac-xa?sap_xep=khong-co")).status == 400


async def test_the_needs_page_counts_everyone_and_lists_a_page(site):
    await site.as_official("country")
    named = site.ref.named(Scope("country"), MONTHS[-1])
    first = await (await site.client.get(f"/quan-ly/kho-khan?thang={MONTHS[-1]}")).text()
    second = await (await site.client.get(f"/quan-ly/kho-khan?thang={MONTHS[-1]}&trang=2")).text()
    assert f"({len(named)})" in first and 'rel="next"' in first and "trang=2" in first
    assert _links(first) == named[:3] and _links(second) == named[3:6]


async def test_the_home_page_lists_the_first_missing_and_counts_them_all(site, monkeypatch):
    from bot.web.dashboard import pages

    monkeypatch.setattr(pages, "MISSING_SHOWN", 4)
    await site.as_official("country")
    missing = site.ref.missing(Scope("country"), MONTHS[-1])
    page = await (await site.client.get(f"/quan-ly/?thang={MONTHS[-1]}")).text()
    assert f"({len(missing)})" in page and _links(page) == missing[:4]


async def test_the_export_sends_a_semicolon_csv_when_asked(site):
    await site.as_official("hanoi")
    got = await site.client.get(f"/quan-ly/xuat/tep?tu={MONTHS[0]}&den={MONTHS[-1]}&dinh_dang=csv&phan_cach=cham_phay")
    assert got.status == 200 and got.headers["Content-Type"].startswith("text/csv")
    body = await got.read()
    assert body.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    scope = Scope("province", HANOI)
    assert [line[-2] for line in lines[1:]] == [r.reference for p in MONTHS for _, r in site.ref.reports(scope, p)]
    assert (await site.client.get(f"/quan-ly/xuat/tep?tu={MONTHS[0]}&den={MONTHS[-1]}&phan_cach=tab")).status == 400
    form = await (await site.client.get("/quan-ly/xuat")).text()
    assert 'name="phan_cach"' in form and 'value="cham_phay"' in form
