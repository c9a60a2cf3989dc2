"""Import the list of cooperatives from CSV or XLSX: every row checked, all or nothing, re-import changes nothing.

Places are given by code or by name; names must match the vietnam_provinces data once folded
(no diacritics, any case; 'Tỉnh', 'Thành phố', 'Xã', 'Phường' may be left out when unambiguous).
Cells are read as written: a formula is kept as its text and never computed, the apostrophe that our
CSV exports put before such text is taken off, control characters are removed, codes are ASCII digits.
"""

from __future__ import annotations

import csv
import functools
import io
import logging
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from vietnam_provinces import Province, Ward

from db.models.registry import Cooperative
from flows.engine.content import load_yaml, render
from flows.engine.numbers import ascii_int
from flows.engine.text import clean, fold, from_cell
from flows.join.coops import province_name

logger = logging.getLogger(__name__)

NAME_MAX = 255
REG_MAX = 32


@dataclass(frozen=True, slots=True)
class Rejected:
    """A row that cannot be imported, with its number in the file and the reason in Vietnamese."""

    row: int
    reason: str


@dataclass(slots=True)
class ImportReport:
    """What an import did (nothing at all when any row was rejected), with the Vietnamese summary."""

    filename: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    text: str = ""
    unreadable: bool = False  # the file itself could not be used (format, columns, empty)

    @property
    def ok(self) -> bool:
        """Whether the file was imported."""
        return not self.rejected and not self.unreadable


async def import_cooperatives(session: AsyncSession, data: bytes, filename: str) -> ImportReport:
    """Check every row; when all are good, create or update the cooperatives (the caller commits)."""
    report = ImportReport(filename)
    try:
        header, rows = _read(data, filename)
    except Exception as exc:  # an unreadable upload (bad zip, bad encoding, not a table) of any kind
        report.text = render("officials/import_file_error.j2", reason="format", filename=filename)
        report.unreadable = True
        logger.info("import of %s failed: %s", filename, exc)
        return report
    columns, missing = _columns(header)
    if missing or not rows:
        reason = "columns" if missing else "empty"
        report.text = render("officials/import_file_error.j2", reason=reason, filename=filename, missing=missing)
        report.unreadable = True
        return report
    parsed: list[tuple[int, dict[str, Any]]] = []
    seen: dict[Any, int] = {}
    for number, cells in rows:
        values = {name: _cell(cells, index) for name, index in columns.items()}
        row, reason = _parse_row(values)
        if reason is None:
            key = row["registration_no"] or (fold(row["name"]), row["commune_code"])
            if key in seen:
                reason = _reason("duplicate", other=seen[key])
            else:
                seen[key] = number
        if reason:
            report.rejected.append(Rejected(number, reason))
        else:
            parsed.append((number, row))
    if not report.rejected:
        await _upsert(session, [row for _, row in parsed], report)
    report.text = render("officials/import_report.j2", filename=filename, created=report.created,
                         updated=report.updated, unchanged=report.unchanged, rejected=report.rejected)
    return report


def _read(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """The header and the non-empty rows (with their numbers in the file) of a CSV or XLSX file."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=False).worksheets[0]
        table = [(n, list(r)) for n, r in enumerate(sheet.iter_rows(values_only=True), start=1)]
    else:
        text = data.decode("utf-8-sig")
        try:
            dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(io.StringIO(text), dialect)
        table = [(reader.line_num, row) for row in reader]
    table = [(n, r) for n, r in table if any(c not in (None, "") and str(c).strip() for c in r)]
    if not table:
        return [], []
    return [str(c or "") for c in table[0][1]], table[1:]


def _columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Which column holds which field, and the required fields missing (named as in the YAML)."""
    spec = load_yaml("registry/import.yaml")
    aliases = {fold(alias): name for name, names in spec["columns"].items() for alias in names}
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        name = aliases.get(fold(title))
        if name and name not in found:
            found[name] = index
    missing = [spec["columns"][name][0] for name in spec["required"] if name not in found]
    return found, missing


def _cell(cells: list[Any], index: int) -> str:
    value = cells[index] if index < len(cells) else None
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return from_cell(clean(str(value)).strip())


def _parse_row(values: dict[str, str]) -> tuple[dict[str, Any], str | None]:
    spec = load_yaml("registry/import.yaml")
    for name in spec["required"]:
        if not values.get(name):
            return {}, _reason("missing", column=spec["columns"][name][0])
    if len(values["name"]) > NAME_MAX:
        return {}, _reason("too_long", column=spec["columns"]["name"][0], limit=NAME_MAX)
    registration_no = values.get("registration_no") or None
    if registration_no and len(registration_no) > REG_MAX:
        return {}, _reason("too_long", column=spec["columns"]["registration_no"][0], limit=REG_MAX)
    form = _forms().get(fold(values["form"]))
    if form is None:
        return {}, _reason("form", value=values["form"])
    province = _province_code(values["province"])
    if province is None:
        return {}, _reason("province", value=values["province"])
    communes = _commune_codes(province, values["commune"])
    if len(communes) != 1:
        kind = "commune_ambiguous" if communes else "commune"
        return {}, _reason(kind, value=values["commune"], province=province_name(province))
    sector = None
    if values.get("sector"):
        sector = _sectors().get(fold(values["sector"]))
        if sector is None:
            return {}, _reason("sector", value=values["sector"])
    row = {"name": values["name"], "form": form, "registration_no": registration_no,
           "province_code": province, "commune_code": communes[0], "sector": sector}
    return row, None


def _reason(reason: str, **context: Any) -> str:
    context.setdefault("value", "")
    context.setdefault("province", "")
    return render("officials/import_reason.j2", reason=reason, **context)


async def _upsert(session: AsyncSession, rows: list[dict[str, Any]], report: ImportReport) -> None:
    """Create or update each row: matched by registration number, else by folded name and commune."""
    by_reg: dict[str, Cooperative] = {}
    numbers = [r["registration_no"] for r in rows if r["registration_no"]]
    for start in range(0, len(numbers), 500):
        chunk = numbers[start:start + 500]
        found = await session.scalars(select(Cooperative).where(Cooperative.registration_no.in_(chunk)))
        by_reg.update({c.registration_no: c for c in found})
    by_place: dict[tuple[str, int], Cooperative] = {}
    communes = sorted({r["commune_code"] for r in rows if not r["registration_no"]})
    for start in range(0, len(communes), 500):
        found = await session.scalars(
            select(Cooperative).where(Cooperative.commune_code.in_(communes[start:start + 500])))
        by_place.update({(fold(c.name), c.commune_code): c for c in found})
    for row in rows:
        if row["registration_no"]:
            coop = by_reg.get(row["registration_no"])
        else:
            coop = by_place.get((fold(row["name"]), row["commune_code"]))
            row = {k: v for k, v in row.items() if k != "registration_no"}  # never erase a known number
        if coop is None:
            session.add(Cooperative(**row))
            report.created += 1
        elif any(getattr(coop, k) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(coop, k, v)
            report.updated += 1
        else:
            report.unchanged += 1
    await session.flush()


@functools.cache
def _ids_by_name(path: str, key: str) -> dict[str, str]:
    """Folded id, name and aliases of each item of a YAML list -> the item's id."""
    out = {}
    for item in load_yaml(path)[key]:
        for name in [item["id"], item["name"], *item["aliases"]]:
            out[fold(name.replace("_", " "))] = item["id"]
    return out


def _forms() -> dict[str, str]:
    return _ids_by_name("registry/forms.yaml", "forms")


def _sectors() -> dict[str, str]:
    return _ids_by_name("registry/sectors.yaml", "sectors")


def _strip(folded: str, prefixes: list[str]) -> str:
    for prefix in sorted(prefixes, key=len, reverse=True):
        if folded.startswith(prefix + " "):
            return folded[len(prefix) + 1:].strip()
    return folded


@functools.cache
def _province_index() -> dict[str, int]:
    prefixes = load_yaml("registry/import.yaml")["province_prefixes"]
    out: dict[str, int] = {}
    for province in Province.iter_all():
        code = int(province.code)
        folded = fold(province.name)
        for key in (folded, _strip(folded, prefixes), province.codename.replace("_", " ")):
            out[key] = code
    return out


def _province_code(value: str) -> int | None:
    code = ascii_int(value, 6)
    if code is not None:
        return code if province_name(code) else None
    prefixes = load_yaml("registry/import.yaml")["province_prefixes"]
    folded = fold(value)
    index = _province_index()
    return index.get(folded) or index.get(_strip(folded, prefixes))


@functools.cache
def _commune_index(province: int) -> tuple[dict[str, list[int]], dict[str, list[int]], set[int]]:
    """Names to codes in a province: exact (lower case, with diacritics) and folded; full and short names."""
    prefixes = load_yaml("registry/import.yaml")["commune_prefixes"]
    exact: dict[str, list[int]] = {}
    folded: dict[str, list[int]] = {}
    codes: set[int] = set()
    for ward in Ward.iter_by_province(Province.from_code(province).code):
        code = int(ward.code)
        codes.add(code)
        name = _lower(ward.name)
        short = name.split(" ", 2)[2] if name.startswith("đặc khu ") else name.split(" ", 1)[1]
        for key in {name, short}:
            exact.setdefault(key, []).append(code)
        for key in {fold(ward.name), _strip(fold(ward.name), prefixes)}:
            folded.setdefault(key, []).append(code)
    return exact, folded, codes


def _lower(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def _commune_codes(province: int, value: str) -> list[int]:
    """Matching commune codes in a province: one when found, several when a name is ambiguous.

    A name with its diacritics is tried first ('Xã Văn Lăng' and 'Xã Văn Lang' differ only in them).
    """
    exact, folded, codes = _commune_index(province)
    code = ascii_int(value, 6)
    if code is not None:
        return [code] if code in codes else []
    found = exact.get(_lower(value))
    if found and len(found) == 1:
        return found
    return folded.get(fold(value), [])
