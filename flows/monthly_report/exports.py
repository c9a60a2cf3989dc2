"""Export the latest monthly updates of a month or a range, within a scope, as CSV (UTF-8 with BOM) or XLSX.

What people typed can never run in a spreadsheet: in XLSX every text is a text cell (never a formula),
and in CSV a text starting with =, +, -, @, tab or CR gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.registry import Cooperative, MonthlyReport
from flows.engine.content import load_yaml, render
from flows.engine.messages import Document
from flows.engine.text import FORMULA_LEAD, cell_text
from flows.join import invites
from flows.join.coops import commune_name, form_label, province_name, sector_label
from flows.join.scope import Scope
from flows.monthly_report import periods
from flows.monthly_report.reports import latest_reports_between

FORMATS = ("xlsx", "csv")


def columns() -> list[dict[str, str]]:
    """The export's columns (key and Vietnamese header), from content/registry/export.yaml."""
    return load_yaml("registry/export.yaml")["columns"]


def row_of(coop: Cooperative, report: MonthlyReport) -> dict[str, Any]:
    """One export row: numbers stay numbers, ids become Vietnamese labels."""
    choices = load_yaml("registry/monthly.yaml")
    statuses = {s["id"]: s["label"] for s in choices["statuses"]}
    needs = {n["id"]: n["label"] for n in choices["needs"]}
    return {
        "period": periods.display(report.period),
        "registration_no": coop.registration_no or "",
        "name": coop.name,
        "form": form_label(coop.form),
        "province": province_name(coop.province_code),
        "commune": commune_name(coop.province_code, coop.commune_code),
        "sector": sector_label(coop.sector),
        "members": report.members,
        "workers": report.workers,
        "revenue": report.revenue,
        "status": statuses.get(report.status, report.status),
        "status_note": report.status_note or "",
        "difficulties": report.difficulties or "",
        "needs": ", ".join(needs.get(n, n) for n in report.needs),
        "revision": report.revision,
        "reference": report.reference,
        "submitted_at": report.submitted_at.strftime("%d/%m/%Y %H:%M") + " UTC",
    }


async def export_reports(
    session: AsyncSession, scope: Scope, first: str, last: str | None = None, fmt: str = "xlsx"
) -> Document:
    """A file of the latest revision of each update in the scope for periods first..last."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    last = last or first
    rows = [row_of(c, r) for c, r in await latest_reports_between(session, scope, first, last)]
    data = _xlsx(rows) if fmt == "xlsx" else _csv(rows)
    span = first.replace("-", "") if first == last else f"{first.replace('-', '')}-{last.replace('-', '')}"
    caption = render("officials/export_caption.j2", first=periods.display(first), last=periods.display(last),
                     rows=len(rows), **invites.scope_names(scope))
    return Document(filename=f"cap-nhat-htx-{span}.{fmt}", data=data, caption=caption)


def _csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c["header"] for c in columns()])
    for row in rows:
        writer.writerow([cell_text(v) if isinstance(v, str) else v for v in (row[c["key"]] for c in columns())])
    return out.getvalue().encode("utf-8-sig")  # the BOM lets Excel read Vietnamese


def _xlsx(rows: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = load_yaml("registry/export.yaml")["sheet_title"][:31]
    sheet.append([c["header"] for c in columns()])
    for row in rows:
        sheet.append([row[c["key"]] for c in columns()])
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl reads a text starting with '=' as a formula
                cell.quotePrefix = cell.value.startswith(FORMULA_LEAD)  # and Excel keeps it text when edited
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns(), start=1):
        if column["key"] == "revenue":
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "#,##0"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
