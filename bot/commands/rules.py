"""`htxbot rules check` and `htxbot rules explain ID`: the support programmes as data."""

from __future__ import annotations

from bot.commands._run import helptext, say, show


def register(sub) -> None:
    rules = sub.add_parser("rules", help=helptext("rules.chuong_trinh_ho_tro")).add_subparsers(dest="rules_command", required=True)
    rules.add_parser("check", help=helptext("rules.kiem_tra_moi_tep_chuong_trinh")).set_defaults(handler=check)
    explain_p = rules.add_parser("explain", help=helptext("rules.giai_thich_mot_chuong_trinh"))
    explain_p.add_argument("id")
    explain_p.set_defaults(handler=explain)


def check(_settings, _args) -> None:
    from flows.eligibility import check_all, load_programmes

    problems = check_all()
    if problems:
        say("rules_bad", count=len(problems))
        for problem in problems:
            print(f"  - {problem}")
        raise SystemExit(1)
    say("rules_ok", count=len(load_programmes()))


def explain(_settings, args) -> None:
    from flows.eligibility import explain as explain_rule
    from flows.eligibility import load_programmes

    if args.id not in {p.id for p in load_programmes()}:
        say("rules_unknown", id=args.id, ids=", ".join(sorted(p.id for p in load_programmes())))
        raise SystemExit(2)
    show(explain_rule(args.id))
