"""`htxbot reports export`: a month or a range of monthly updates as CSV (comma or semicolon) or XLSX, within a scope."""

from __future__ import annotations

from pathlib import Path

from bot.commands._run import add_scope_args, helptext, say, scope_from, with_session


def register(sub) -> None:
    reports = sub.add_parser("reports", help=helptext("reports.bao_cao_thang")).add_subparsers(dest="reports_command", required=True)
    export = reports.add_parser("export", help=helptext("reports.xuat_bao_cao_ra_csv_hoac_xlsx"))
    add_scope_args(export)
    export.add_argument("--from", dest="first", required=True, help=helptext("reports.thang_dau_mm_yyyy"))
    export.add_argument("--to", dest="last", help=helptext("reports.thang_cuoi_mm_yyyy_mac_dinh_bang_thang_d"))
    export.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    export.add_argument("--delimiter", choices=[",", ";"], default=",", help=helptext("reports.dau_phan_cach_csv"))
    export.add_argument("-o", "--output", type=Path)
    export.set_defaults(handler=export_reports)


def export_reports(settings, args) -> None:
    from flows.monthly_report import periods
    from flows.monthly_report.exports import Export

    first = periods.parse(args.first)
    last = periods.parse(args.last) if args.last else first
    if first is None or last is None or last < first:
        say("bad_period")
        raise SystemExit(2)
    scope = scope_from(args)
    export = Export(scope, first, last, args.format, args.delimiter)
    path = args.output or Path(export.filename)

    async def write(session) -> None:  # the file grows as the rows are read: memory stays flat
        with path.open("wb") as out:
            async for piece in export.chunks(session):
                out.write(piece)

    with_session(settings, write)
    say("exported", path=path)
