"""Export the latest monthly updates of a month or a range, within a scope, as XLSX or CSV.

XLSX: the month and the submission time are date cells (Vietnam time), with column widths, a filter
and a frozen header (flows/monthly_report/xlsx.py). CSV: UTF-8 with a byte-order mark, comma- or
semicolon-separated, the month as '2026-10' and the time as '2026-10-05 13:15' (Vietnam time): text that
sorts and that Excel reads as dates in any regional setting. What people typed can never run in a
spreadsheet: in XLSX every text is a text cell (one starting with = + - @ tab CR also carries the quote
prefix), and in CSV such a text gets a leading apostrophe.

Streamed: the database is read a month at a time, a page of rows at a time, and each page becomes file
bytes (flows/monthly_report/export_rows.py) in a worker thread while the next page is read; the event loop
only moves pages and bytes. A big export (a country's year: 300,000 rows) is made whole, reading included, in a
process of its own (flows/monthly_report/export_process.py), and the server only relays its bytes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import Text, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.registry import Cooperative, MonthlyReport
from flows.engine.content import render
from flows.engine.messages import Document
from flows.join import invites
from flows.join.scope import Scope
from flows.monthly_report import periods
from flows.monthly_report.export_process import made_elsewhere
from flows.monthly_report.export_rows import LOCAL, columns, writer
from flows.monthly_report.reports import latest_where

__all__ = ["DELIMITERS", "FORMATS", "LOCAL", "Export", "columns", "export_reports"]
FORMATS = ("xlsx", "csv")
DELIMITERS = (",", ";")
PAGE = 500  # rows read from the database at a time (small pieces of work for the event loop)
ELSEWHERE_FROM = 20_000  # rows (at most) from which the file is made in a process of its own
_COLUMNS = (MonthlyReport.period, Cooperative.registration_no, Cooperative.name, Cooperative.form,
            Cooperative.province_code, Cooperative.commune_code, Cooperative.sector, MonthlyReport.members,
            MonthlyReport.workers, MonthlyReport.revenue, MonthlyReport.status, MonthlyReport.status_note,
            MonthlyReport.difficulties, cast(MonthlyReport.needs, Text), MonthlyReport.revision,
            MonthlyReport.reference, MonthlyReport.submitted_at)


class Export:
    """One export of the latest revisions of periods first..last in a scope: its file name, then its bytes as
    they are made (`chunks`), then its row count and caption."""

    def __init__(self, scope: Scope, first: str, last: str | None = None, fmt: str = "xlsx",
                 delimiter: str = ",") -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown export format {fmt!r}")
        if delimiter not in DELIMITERS:
            raise ValueError(f"unknown delimiter {delimiter!r}")
        self.scope, self.first, self.last, self.fmt, self.delimiter = scope, first, last or first, fmt, delimiter
        self.rows = 0

    @property
    def filename(self) -> str:
        first, last = self.first.replace("-", ""), self.last.replace("-", "")
        return f"cap-nhat-htx-{first if first == last else f'{first}-{last}'}.{self.fmt}"

    def caption(self) -> str:
        """The message sent with the file (after `chunks` has run)."""
        return render("officials/export_caption.j2", first=periods.display(self.first),
                      last=periods.display(self.last), rows=self.rows, **invites.scope_names(self.scope))

    async def chunks(self, session: AsyncSession) -> AsyncIterator[bytes]:
        """The file's bytes, piece by piece: a big export is made whole in a process of its own, a small one here."""
        if await self._at_most(session) < ELSEWHERE_FROM:
            async for piece in self.made_here(session):
                yield piece
            return
        url = session.get_bind().url.render_as_string(hide_password=False)
        spec = {"scope": [self.scope.level, self.scope.province_code, self.scope.commune_code], "first": self.first,
                "last": self.last, "fmt": self.fmt, "delimiter": self.delimiter}
        async for piece in made_elsewhere(url, spec, self._counted):
            yield piece

    def _counted(self, rows: int) -> None:
        self.rows = rows

    async def _at_most(self, session: AsyncSession) -> int:
        """The most rows the export can have: the scope's cooperatives times the months."""
        coops = await session.scalar(select(func.count()).select_from(Cooperative).where(
            self.scope.where(Cooperative.province_code, Cooperative.commune_code)))
        return int(coops or 0) * len(periods.between(self.first, self.last))

    async def made_here(self, session: AsyncSession) -> AsyncIterator[bytes]:
        """The file's bytes made in this process: a page is turned into bytes in a worker thread while the next
        is read."""
        making = writer(self.fmt, self.delimiter)
        yield await asyncio.to_thread(making.start)
        pending: asyncio.Future[bytes] | None = None
        try:
            async for page in self._pages(session):
                if pending is not None and (piece := await pending):
                    yield piece
                pending = asyncio.ensure_future(asyncio.to_thread(making.add, page))
                self.rows += len(page)
            if pending is not None and (piece := await pending):
                yield piece
            pending = None
            yield await asyncio.to_thread(making.finish)
        finally:
            if pending is not None:
                await asyncio.gather(pending, return_exceptions=True)  # the thread ends before the writer goes

    async def _pages(self, session: AsyncSession) -> AsyncIterator[Sequence[Any]]:
        for period in periods.between(self.first, self.last):
            query = (select(*_COLUMNS).join(Cooperative, Cooperative.id == MonthlyReport.cooperative_id)
                     .where(*latest_where(self.scope, period, period))
                     .order_by(Cooperative.name, Cooperative.id).execution_options(yield_per=PAGE))
            result = await (await session.connection()).stream(query)  # Core rows: no ORM work per row
            async for page in result.partitions():
                yield page


async def export_reports(session: AsyncSession, scope: Scope, first: str, last: str | None = None,
                         fmt: str = "xlsx", delimiter: str = ",") -> Document:
    """A file of the latest revision of each update in the scope for periods first..last, whole in memory."""
    export = Export(scope, first, last, fmt, delimiter)
    data = b"".join([piece async for piece in export.chunks(session)])
    return Document(filename=export.filename, data=data, caption=export.caption())
