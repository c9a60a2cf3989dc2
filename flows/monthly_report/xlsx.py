"""An XLSX workbook of one sheet written as a stream: bytes come out as rows go in, memory stays flat.

openpyxl (write-only mode) makes the workbook around the rows: styles, the frozen header, column
widths, the filter and its defined name. The data rows' XML is written here, because openpyxl
spends about 40 µs on each cell and a country's year of updates has five million cells. Texts are
always inline strings (`t="inlineStr"`), never formulas; a text that a spreadsheet would read as a
formula (= + - @ tab CR first) also gets Excel's quote prefix, so it stays text when edited. Dates
and times are real date cells (Excel serial numbers with a date format). The zip is written to an
unseekable pipe, so each call hands back the compressed bytes made so far.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from flows.engine.text import FORMULA_LEAD

SHEET = "xl/worksheets/sheet1.xml"
WORKBOOK = "xl/workbook.xml"
EPOCH = dt.datetime(1899, 12, 30)  # day 0 of Excel's 1900 date system (as openpyxl writes it)
FORMATS = {"month": "mm/yyyy", "moment": "dd/mm/yyyy hh:mm", "money": "#,##0"}  # kinds with a number format
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class _Pipe(io.RawIOBase):
    """Where zipfile writes: collects the bytes until taken (unseekable, so zipfile streams)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # noqa: ANN001 - bytes-like
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


class SheetStream:
    """One sheet with a bold, frozen, filtered header row and column widths; call start, add (repeatedly), finish.

    Each column has a kind: "text", "label" (text from a small set: its cell is made once), "number",
    "money", "month" (a date shown as mm/yyyy) or "moment" (a date and time).
    """

    def __init__(self, title: str, headers: Sequence[str], widths: Sequence[float], kinds: Sequence[str]):
        self.title, self.headers, self.widths, self.kinds = title, list(headers), list(widths), list(kinds)
        self.rows = 0
        self._pipe = _Pipe()
        self._zip = zipfile.ZipFile(self._pipe, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self._sheet: Any = None
        self._tail = ""
        self._parts: dict[str, bytes] = {}
        self._last = get_column_letter(len(self.headers))

    def start(self) -> bytes:
        """The workbook's fixed parts and the sheet up to its header row."""
        self._parts, self.styles = _skeleton(self.title, self.headers, self.widths)
        self._cells = [_cell_maker(kind, self.styles) for kind in self.kinds]
        head, self._tail = self._parts.pop(SHEET).decode().split("</sheetData>")
        for name, data in self._parts.items():
            if name != WORKBOOK:
                self._zip.writestr(name, data)
        self._sheet = self._zip.open(SHEET, "w", force_zip64=True)
        self._sheet.write(head.encode())
        return self._pipe.take()

    def add(self, rows: Sequence[Sequence[Any]]) -> bytes:
        """Rows of values (str, int, date, datetime, None) in column order; the bytes made so far."""
        out, cells, r = [], self._cells, self.rows + 1
        for values in rows:
            r += 1
            out.append(f'<row r="{r}">{"".join([make(v) for make, v in zip(cells, values, strict=True)])}</row>')
        self.rows = r - 1
        self._sheet.write("".join(out).encode())
        return self._pipe.take()

    def add_cells(self, rows: Iterable[Sequence[str]]) -> bytes:
        """Rows already made of cell XML (text_cell, number_cell; `styles` after start), in column order."""
        out, r = [], self.rows + 1
        for cells in rows:
            r += 1
            out.append(f'<row r="{r}">{"".join(cells)}</row>')
        self.rows = r - 1
        self._sheet.write("".join(out).encode())
        return self._pipe.take()

    def finish(self) -> bytes:
        """The filter over every row, the sheet's end and the workbook part: the last bytes of the file."""
        end = self.rows + 1
        self._sheet.write(("</sheetData>" + re.sub(r'<autoFilter ref="[^"]*"', f'<autoFilter ref="A1:{self._last}{end}"',
                                                   self._tail)).encode())
        self._sheet.close()
        workbook = re.sub(r"!\$A\$1:\$[A-Z]+\$1<", f"!$A$1:${self._last}${end}<", self._parts[WORKBOOK].decode())
        self._zip.writestr(WORKBOOK, workbook.encode())
        self._zip.close()
        return self._pipe.take()


_EMPTY = "<c/>"  # cells carry no reference: an empty one keeps the next in its column


def text_cell(value: str | None, quoted: int) -> str:
    """A text cell (never a formula); one a spreadsheet would run as a formula gets the quote prefix style."""
    if not value:
        return _EMPTY
    if not value.isprintable():
        value = _ILLEGAL.sub("", value)
    if "&" in value or "<" in value or ">" in value or "\r" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    style = f' s="{quoted}"' if value.startswith(FORMULA_LEAD) else ""
    return f'<c{style} t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'


def number_cell(value: float | None, style: int | None = None) -> str:
    """A number cell, with a number format's style when given."""
    if value is None:
        return _EMPTY
    return f'<c s="{style}"><v>{value}</v></c>' if style is not None else f"<c><v>{value}</v></c>"


def serial(moment: dt.datetime) -> float:
    """Excel's serial number of a date and time (days since 30/12/1899), to the second."""
    return round((moment.replace(tzinfo=None) - EPOCH).total_seconds() / 86400, 6)


def _cell_maker(kind: str, styles: dict[str, int]) -> Callable[[Any], str]:
    """The function that writes one cell of a column of this kind."""
    quoted = styles["quoted"]
    if kind == "text":
        return lambda value: text_cell(value, quoted)
    if kind == "label":
        made: dict[Any, str] = {}
        return lambda value: made.get(value) or made.setdefault(value, text_cell(value, quoted))
    if kind == "number":
        return lambda value: _EMPTY if value is None else f"<c><v>{value}</v></c>"
    style = styles[kind]
    if kind == "money":
        return lambda value: _EMPTY if value is None else f'<c s="{style}"><v>{value}</v></c>'
    if kind == "month":
        months: dict[Any, str] = {}

        def month(value: dt.date | None) -> str:
            if value is None:
                return _EMPTY
            if value not in months:
                months[value] = f'<c s="{style}"><v>{(dt.datetime(value.year, value.month, value.day) - EPOCH).days}</v></c>'
            return months[value]

        return month
    if kind == "moment":
        return lambda value: _EMPTY if value is None else (
            f'<c s="{style}"><v>{serial(value)}</v></c>')
    raise ValueError(f"unknown column kind {kind!r}")


def _skeleton(title: str, headers: list[str], widths: list[float]) -> tuple[dict[str, bytes], dict[str, int]]:
    """The parts of a workbook whose sheet holds only the header row (openpyxl, write-only), and the style
    index of each format and of the quote prefix."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    styles = {}
    for name, number_format in FORMATS.items():
        cell = WriteOnlyCell(sheet, 0)
        cell.number_format = number_format
        styles[name] = cell.style_id
    quoted = WriteOnlyCell(sheet, "")
    quoted.quotePrefix = True
    styles["quoted"] = quoted.style_id
    header = []
    for text in headers:
        cell = WriteOnlyCell(sheet, text)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}1"
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as package:
        return {info.filename: package.read(info.filename) for info in package.infolist()}, styles
