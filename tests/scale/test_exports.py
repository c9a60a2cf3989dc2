"""Exports as an official opens them: XLSX with date cells in Vietnam time, widths, a filter and a frozen header;
CSV with a byte-order mark, comma or semicolon; both streamed a page at a time and equal to the old way's rows."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import os
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from flows.join.scope import Scope
from flows.monthly_report import exports
from flows.monthly_report.export_process import made_elsewhere
from flows.monthly_report.exports import Export, columns, export_reports
from tests.registry.world import HANOI
from tests.scale.world import MONTHS, Reference, seed

ROOT = Path(__file__).resolve().parents[2]
KEYS = [c["key"] for c in columns()]


async def test_the_xlsx_has_date_cells_in_vietnam_time_widths_a_filter_and_a_frozen_header(session, sessionmaker):
    await seed(sessionmaker)
    ref = await Reference.read(session)
    scope = Scope("province", HANOI)
    document = await export_reports(session, scope, MONTHS[0], MONTHS[-1], fmt="xlsx")
    book = load_workbook(io.BytesIO(document.data))
    sheet = book.active
    expected = [(c, r) for period in MONTHS for c, r in ref.reports(scope, period)]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:Q{len(expected) + 1}"
    assert [sheet.column_dimensions[letter].width for letter in "ABC"] == [c["width"] for c in columns()[:3]]
    assert all(cell.font.b for cell in sheet[1]) and [cell.value for cell in sheet[1]] == [c["header"] for c in columns()]
    rows = [dict(zip(KEYS, row, strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert [(r["name"].value, r["reference"].value) for r in rows] == [(c.name, r.reference) for c, r in expected]
    first, report = rows[0], expected[0][1]
    assert first["period"].value == dt.datetime(2026, 8, 1) and first["period"].number_format == "mm/yyyy"
    moment = report.submitted_at.replace(tzinfo=report.submitted_at.tzinfo or dt.UTC)
    local = moment.astimezone(exports.LOCAL).replace(tzinfo=None, second=0, microsecond=0)
    assert first["submitted_at"].is_date and abs(first["submitted_at"].value - local) < dt.timedelta(seconds=1)
    assert first["submitted_at"].number_format == "dd/mm/yyyy hh:mm" and first["revenue"].number_format == "#,##0"
    assert isinstance(first["members"].value, int) and first["registration_no"].data_type == "s"
    formula = [r["name"] for r in rows if r["name"].value.startswith("=")]
    assert formula and all(c.data_type == "s" and c.quotePrefix for c in formula)  # typed text, never a formula
    names = zipfile.ZipFile(io.BytesIO(document.data)).namelist()
    assert "xl/worksheets/sheet1.xml" in names and "<f>" not in zipfile.ZipFile(
        io.BytesIO(document.data)).read("xl/worksheets/sheet1.xml").decode()
    assert '_xlnm._FilterDatabase' in zipfile.ZipFile(io.BytesIO(document.data)).read("xl/workbook.xml").decode()


async def test_a_semicolon_csv_with_a_bom_sorts_by_month_and_neutralises_formulas(session, sessionmaker):
    await seed(sessionmaker)
    ref = await Reference.read(session)
    document = await export_reports(session, Scope("country"), MONTHS[0], MONTHS[-1], fmt="csv", delimiter=";")
    assert document.data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(document.data.decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == [c["header"] for c in columns()]
    rows = [dict(zip(KEYS, line, strict=True)) for line in lines[1:]]
    expected = [(c, r) for period in MONTHS for c, r in ref.reports(Scope("country"), period)]
    assert [(r["reference"], int(r["members"]), int(r["revenue"])) for r in rows] == [
        (r.reference, r.members, r.revenue) for _, r in expected]
    assert [r["period"] for r in rows] == sorted(r["period"] for r in rows) and rows[0]["period"] == "2026-08"
    assert all(len(r["submitted_at"]) == 16 and r["submitted_at"][4] == "-" for r in rows)  # 2026-09-05 13:15
    assert all(not r["name"].startswith("=") for r in rows) and any(r["name"].startswith("'=") for r in rows)


async def test_an_export_is_made_a_page_at_a_time(session, sessionmaker, monkeypatch):
    await seed(sessionmaker)
    monkeypatch.setattr(exports, "PAGE", 5)
    export = Export(Scope("country"), MONTHS[0], MONTHS[-1], "csv")
    pieces = [piece async for piece in export.chunks(session)]
    assert len(pieces) > 2 + export.rows // 5  # the header, at least one piece a page, the end
    whole = await export_reports(session, Scope("country"), MONTHS[0], MONTHS[-1], fmt="csv")
    assert b"".join(pieces) == whole.data and export.rows == whole.data.count(b"\r\n") - 1


async def test_the_command_line_export_takes_a_semicolon(tmp_path, database_url, engine, sessionmaker):
    await seed(sessionmaker, cooperatives=6)
    out = tmp_path / "bc.csv"
    command = [sys.executable, "-m", "bot", "reports", "export", "--level", "country", "--from", "08/2026",
               "--to", "10/2026", "--format", "csv", "--delimiter", ";", "-o", str(out)]
    process = await asyncio.create_subprocess_exec(*command, cwd=ROOT, env={**os.environ, "DATABASE_URL": database_url},
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    said, _ = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, said.decode()
    text = out.read_bytes().decode("utf-8-sig")
    async with sessionmaker() as session:
        count = len((await Reference.read(session)).latest)
    assert text.splitlines()[0].count(";") == len(columns()) - 1 and len(text.splitlines()) == count + 1



async def test_a_read_that_fails_half_way_leaves_no_finished_file(session, sessionmaker, monkeypatch):
    await seed(sessionmaker)
    monkeypatch.setattr(exports, "PAGE", 4)
    export = Export(Scope("country"), MONTHS[0], MONTHS[-1], "xlsx")
    real = export._pages

    async def failing(session):
        async for page in real(session):
            yield page
            raise ConnectionError("the database went away")

    export._pages = failing
    pieces = []
    with pytest.raises(ConnectionError):
        async for piece in export.chunks(session):
            pieces.append(piece)
    assert pieces  # the start went out; the end never does
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(io.BytesIO(b"".join(pieces)))


async def test_a_big_export_is_made_in_a_process_of_its_own_with_the_same_content(session, sessionmaker, monkeypatch):
    await seed(sessionmaker)
    here = await export_reports(session, Scope("country"), MONTHS[0], MONTHS[-1], fmt="csv", delimiter=";")
    here_xlsx = await export_reports(session, Scope("country"), MONTHS[0], MONTHS[-1], fmt="xlsx")
    started = []

    def spy(url, spec, counted):
        started.append(spec["fmt"])
        return made_elsewhere(url, spec, counted)

    monkeypatch.setattr(exports, "ELSEWHERE_FROM", 1)
    monkeypatch.setattr(exports, "made_elsewhere", spy)
    there = await export_reports(session, Scope("country"), MONTHS[0], MONTHS[-1], fmt="csv", delimiter=";")
    there_xlsx = await export_reports(session, Scope("country"), MONTHS[0], MONTHS[-1], fmt="xlsx")
    assert started == ["csv", "xlsx"] and there.data == here.data and there.caption == here.caption

    def cells(data):
        return [[c.value for c in row] for row in load_workbook(io.BytesIO(data)).active.iter_rows()]

    assert cells(there_xlsx.data) == cells(here_xlsx.data)


async def test_a_failed_export_process_is_an_error_not_a_short_file(tmp_path):
    spec = {"scope": ["country", None, None], "first": MONTHS[0], "last": MONTHS[-1], "fmt": "xlsx", "delimiter": ","}
    pieces = []
    with pytest.raises(RuntimeError, match="export process failed"):
        async for piece in made_elsewhere(f"sqlite+aiosqlite:///{tmp_path / 'khong' / 'co.db'}", spec, print):
            pieces.append(piece)
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(io.BytesIO(b"".join(pieces)))
