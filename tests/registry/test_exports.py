"""Exports read back with openpyxl and csv match the latest revisions in the database."""

import csv
import datetime as dt
import io

from openpyxl import load_workbook

from flows.join.scope import Scope
from flows.monthly_report.exports import columns, export_reports
from flows.monthly_report.reports import latest_reports_between, submit
from tests.registry import world
from tests.registry.world import CAN_THO, HANOI, NINH_KIEU


async def _reports(session):
    hn = await world.coop(session, "HTX Đồng Tâm", reg="0101234567")
    head = await world.head_of(session, hn)
    await submit(session, head, hn, world.answers(period="2026-09", members=20, revenue=1_500_000_000))
    await submit(session, head, hn, world.answers(period="2026-10", members=21, revenue=90_000_000))
    await submit(session, head, hn, world.answers(period="2026-10", members=23, revenue=95_000_000,
                                                  needs=["von", "dao_tao"], difficulties="Giá phân bón tăng"))
    ct = await world.coop(session, "HTX Ninh Kiều", CAN_THO, NINH_KIEU)
    await submit(session, await world.head_of(session, ct), ct, world.answers(period="2026-10"))
    await session.commit()


async def test_an_xlsx_export_has_vietnamese_headers_numbers_as_numbers_and_only_latest_revisions(session):
    await _reports(session)
    scope = Scope("province", HANOI)
    document = await export_reports(session, scope, "2026-09", "2026-10", fmt="xlsx")
    assert document.filename == "cap-nhat-htx-202609-202610.xlsx" and "2 dòng" in document.caption

    sheet = load_workbook(io.BytesIO(document.data)).active
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert table[0] == [c["header"] for c in columns()]
    got = [dict(zip([c["key"] for c in columns()], row, strict=True)) for row in table[1:]]
    expected = await latest_reports_between(session, scope, "2026-09", "2026-10")
    assert len(got) == len(expected) == 2
    for row, (coop, report) in zip(got, expected, strict=True):
        assert (row["name"], row["registration_no"], row["reference"]) == (coop.name, "0101234567", report.reference)
        assert (row["members"], row["workers"], row["revenue"], row["revision"]) == (
            report.members, report.workers, report.revenue, report.revision)
        assert isinstance(row["revenue"], int) and row["province"] == "Thành phố Hà Nội"
    assert got[1]["members"] == 23 and got[1]["needs"] == "Vốn, Đào tạo, tập huấn"
    assert got[1]["period"] == dt.datetime(2026, 10, 1) and got[1]["form"] == "Hợp tác xã"


async def test_a_csv_export_opens_in_excel_and_matches_the_database(session):
    await _reports(session)
    document = await export_reports(session, Scope("country"), "2026-10", fmt="csv")
    assert document.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(document.data.decode("utf-8-sig"))))
    assert rows[0][0] == "Kỳ (tháng/năm)"
    expected = await latest_reports(session)
    assert [(r[2], int(r[7]), int(r[9])) for r in rows[1:]] == expected


async def latest_reports(session):
    pairs = await latest_reports_between(session, Scope("country"), "2026-10", "2026-10")
    return [(c.name, r.members, r.revenue) for c, r in pairs]
