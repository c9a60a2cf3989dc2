"""`htxbot rules check` and `htxbot rules explain ID`, each `--as-of YYYY-MM-DD` (default: the real day):
the support programmes as data, checked and explained as of that day."""

from __future__ import annotations

import argparse
import datetime as dt

from bot.commands._run import helptext, say, show
from flows.engine.content import load_yaml


def as_of_day(text: str) -> dt.date:
    """An --as-of argument: a day written YYYY-MM-DD (argparse prints the Vietnamese error)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(load_yaml("cli.yaml")["bad_as_of"].format(value=text)) from None


def add_as_of(parser: argparse.ArgumentParser) -> None:
    """The --as-of option of a sub-command."""
    parser.add_argument("--as-of", type=as_of_day, default=None, metavar="YYYY-MM-DD",
                        help=helptext("rules.xet_theo_ngay_yyyy_mm_dd_mac_dinh_hom_nay"))


def register(sub) -> None:
    rules = sub.add_parser("rules", help=helptext("rules.chuong_trinh_ho_tro")).add_subparsers(dest="rules_command", required=True)
    check_p = rules.add_parser("check", help=helptext("rules.kiem_tra_moi_tep_chuong_trinh"))
    add_as_of(check_p)
    check_p.set_defaults(handler=check)
    explain_p = rules.add_parser("explain", help=helptext("rules.giai_thich_mot_chuong_trinh"))
    explain_p.add_argument("id")
    add_as_of(explain_p)
    explain_p.set_defaults(handler=explain)


def check(_settings, args) -> None:
    from flows.eligibility import check_all, load_programmes

    day = args.as_of or dt.date.today()
    problems = check_all(day)
    if problems:
        say("rules_bad", count=len(problems))
        for problem in problems:
            print(f"  - {problem}")
        raise SystemExit(1)
    say("rules_ok", count=len(load_programmes()))
    if args.as_of:
        running = [p.id for p in load_programmes() if p.valid.from_ <= day and (p.valid.to is None or day <= p.valid.to)]
        say("rules_running", day=f"{day:%d/%m/%Y}", ids=", ".join(running) or "—")


def explain(_settings, args) -> None:
    from flows.eligibility import explain as explain_rule
    from flows.eligibility import load_programmes

    if args.id not in {p.id for p in load_programmes()}:
        say("rules_unknown", id=args.id, ids=", ".join(sorted(p.id for p in load_programmes())))
        raise SystemExit(2)
    show(explain_rule(args.id, args.as_of or dt.date.today()))
