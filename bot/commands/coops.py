"""`htxbot coops import FILE` and `htxbot coops invite`: the cooperative registry."""

from __future__ import annotations

from pathlib import Path

from bot.commands._run import helptext, say, show, with_session


def register(sub) -> None:
    coops = sub.add_parser("coops", help=helptext("coops.danh_sach_htx")).add_subparsers(dest="coops_command", required=True)
    imp = coops.add_parser("import", help=helptext("coops.nhap_danh_sach_htx_tu_csv_hoac_xlsx"))
    imp.add_argument("file", type=Path)
    imp.set_defaults(handler=import_file)
    inv = coops.add_parser("invite", help=helptext("coops.tao_ma_lien_ket_mot_lan_cho_chu_nhiem_ht"))
    inv.add_argument("--coop", type=int, required=True, help=helptext("coops.ma_htx_id_trong_danh_sach"))
    inv.add_argument("--role", choices=["head", "deputy"], default="head")
    inv.add_argument("--days", type=int, default=14)
    inv.set_defaults(handler=invite)


def import_file(settings, args) -> None:
    from flows.officials.importer import import_cooperatives

    if not args.file.is_file():
        say("no_file", path=args.file)
        raise SystemExit(2)

    async def work(session):
        report = await import_cooperatives(session, args.file.read_bytes(), args.file.name)
        if not report.ok:
            await session.rollback()
        return report

    report = with_session(settings, work)
    show(report.text)
    if not report.ok:
        raise SystemExit(1)


def invite(settings, args) -> None:
    import datetime as dt

    from sqlalchemy import select

    from db.models import Cooperative
    from flows.join.invites import create_code

    async def work(session):
        coop = await session.scalar(select(Cooperative).where(Cooperative.id == args.coop))
        if coop is None:
            return None
        code = await create_code(session, "reporter", None, cooperative_id=coop.id, role=args.role,
                                 ttl=dt.timedelta(days=args.days))
        return coop, code

    found = with_session(settings, work)
    if found is None:
        say("no_coop", id=args.coop)
        raise SystemExit(2)
    coop, code = found
    say("invite_code", code=code.code, name=coop.name, days=args.days)
