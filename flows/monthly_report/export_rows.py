"""The rows of an export turned into file bytes: database rows to Vietnamese labels and Vietnam time, then CSV
lines or XLSX cells (flows/monthly_report/xlsx.py). Used in a worker thread: nothing here touches the
database or the event loop.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import operator
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from flows.engine.content import load_yaml
from flows.engine.text import cell_text
from flows.join.coops import commune_name, province_name
from flows.monthly_report.xlsx import SheetStream, number_cell, serial, text_cell

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
_KINDS = {"period": "month", "form": "label", "province": "label", "commune": "label", "sector": "label",
          "members": "number", "workers": "number", "revenue": "money", "status": "label", "needs": "label",
          "revision": "number", "submitted_at": "moment"}  # the XLSX column kinds (flows/monthly_report/xlsx.py); others: text


def columns() -> list[dict[str, Any]]:
    """The export's columns (key, Vietnamese header, width), from content/registry/export.yaml."""
    return load_yaml("registry/export.yaml")["columns"]


_ORDER = ("period", "registration_no", "name", "form", "province", "commune", "sector", "members", "workers",
          "revenue", "status", "status_note", "difficulties", "needs", "revision", "reference", "submitted_at")


class _Labels:
    """Database rows to export rows: ids to Vietnamese labels (read once, remembered as met), the month a date,
    the submission time Vietnam time; `for_csv` makes dates text and neutralises typed text."""

    def __init__(self, for_csv: bool = False) -> None:
        choices = load_yaml("registry/monthly.yaml")
        self.statuses = {s["id"]: s["label"] for s in choices["statuses"]}
        self.need_names = {n["id"]: n["label"] for n in choices["needs"]}
        self.forms = {f["id"]: f["name"] for f in load_yaml("registry/forms.yaml")["forms"]}
        self.sectors = {s["id"]: s["name"] for s in load_yaml("registry/sectors.yaml")["sectors"]}
        self.for_csv = for_csv
        self.order = operator.itemgetter(*(_ORDER.index(c["key"]) for c in columns()))  # the file's column order
        self._places: dict[tuple[int, int], tuple[str, str]] = {}
        self._needs: dict[str | None, str] = {}
        self._months: dict[str, Any] = {}

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        """One export row, in the file's column order, from one database row."""
        (period, registration_no, name, form, province, commune, sector, members, workers, revenue, status, note,
         difficulties, needs, revision, reference, submitted_at) = raw
        month, province_shown, commune_shown, shown, moment = self.parts(period, province, commune, needs,
                                                                         submitted_at)
        texts = (registration_no or "", name, note or "", difficulties or "", reference)
        if self.for_csv:
            texts = tuple(map(cell_text, texts))
            moment = f"{moment:%Y-%m-%d %H:%M}"
        return self.order((month, texts[0], texts[1], self.forms.get(form, form), province_shown, commune_shown,
                           self.sectors.get(sector, sector or ""), members, workers, revenue,
                           self.statuses.get(status, status), texts[2], texts[3], shown, revision, texts[4], moment))

    def parts(self, period: str, province: int, commune: int, needs: str | None,
              submitted_at: dt.datetime) -> tuple[Any, str, str, str, Any]:
        """The month (text for CSV, Excel's serial for XLSX), the place's names, the needs' labels, and the
        submission time in Vietnam time, to the minute (a datetime for CSV, Excel's serial for XLSX)."""
        place = self._places.get((province, commune))
        if place is None:
            place = self._places[(province, commune)] = (province_name(province), commune_name(province, commune))
        shown = self._needs.get(needs)
        if shown is None:
            shown = self._needs[needs] = ", ".join(self.need_names.get(n, n) for n in json.loads(needs or "[]"))
        month = self._months.get(period)
        if month is None:
            first = dt.datetime(int(period[:4]), int(period[5:]), 1)
            month = self._months[period] = period if self.for_csv else serial(first)
        moment = submitted_at if submitted_at.tzinfo else submitted_at.replace(tzinfo=dt.UTC)  # SQLite: naive UTC
        moment = moment.astimezone(LOCAL).replace(tzinfo=None, second=0, microsecond=0)
        return month, place[0], place[1], shown, (moment if self.for_csv else serial(moment))


class _Csv:
    """CSV bytes: a byte-order mark and the header first (Excel then reads Vietnamese), texts neutralised."""

    def __init__(self, delimiter: str) -> None:
        self.labels = _Labels(for_csv=True)
        self.delimiter = delimiter

    def _lines(self, rows: Sequence[Sequence[Any]]) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=self.delimiter)
        for start in range(0, len(rows), 100):  # short calls: the event loop's thread gets the GIL in between
            writer.writerows(rows[start:start + 100])
        return out.getvalue().encode()

    def start(self) -> bytes:
        return b"\xef\xbb\xbf" + self._lines([[c["header"] for c in columns()]])

    def add(self, raws: Sequence[Sequence[Any]]) -> bytes:
        return self._lines(list(map(self.labels.row, raws)))

    def finish(self) -> bytes:
        return b""


class _Xlsx:
    """XLSX bytes through SheetStream: each row's cells written straight to XML, label cells made once."""

    def __init__(self) -> None:
        cols = columns()
        self.labels = _Labels()
        self.sheet = SheetStream(load_yaml("registry/export.yaml")["sheet_title"], [c["header"] for c in cols],
                                 [c["width"] for c in cols], [_KINDS.get(c["key"], "text") for c in cols])
        self._made: dict[Any, str] = {}

    def start(self) -> bytes:
        data = self.sheet.start()
        styles = self.sheet.styles
        self._quoted, self._money, self._moment = styles["quoted"], styles["money"], styles["moment"]
        self._month = styles["month"]
        return data

    def _label(self, value: str) -> str:
        cell = self._made.get(value)
        if cell is None:
            cell = self._made[value] = text_cell(value, self._quoted)
        return cell

    def add(self, raws: Sequence[Sequence[Any]]) -> bytes:
        labels, label, quoted = self.labels, self._label, self._quoted
        rows = []
        for raw in raws:
            (period, registration_no, name, form, province, commune, sector, members, workers, revenue, status, note,
             difficulties, needs, revision, reference, submitted_at) = raw
            month, province_shown, commune_shown, needs_shown, moment = labels.parts(period, province, commune,
                                                                                     needs, submitted_at)
            rows.append(labels.order((
                number_cell(month, self._month), text_cell(registration_no, quoted), text_cell(name, quoted),
                label(labels.forms.get(form, form)), label(province_shown), label(commune_shown),
                label(labels.sectors.get(sector, sector or "")), number_cell(members), number_cell(workers),
                number_cell(revenue, self._money), label(labels.statuses.get(status, status)), text_cell(note, quoted),
                text_cell(difficulties, quoted), label(needs_shown), number_cell(revision),
                text_cell(reference, quoted), number_cell(moment, self._moment))))
        return self.sheet.add_cells(rows)

    def finish(self) -> bytes:
        return self.sheet.finish()


def writer(fmt: str, delimiter: str = ",") -> _Xlsx | _Csv:
    """What turns pages of database rows into the bytes of a file of this format."""
    return _Xlsx() if fmt == "xlsx" else _Csv(delimiter)
