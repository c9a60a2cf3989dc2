"""`htxbot faq promote`: officials' answers marked as candidates go into content/faq/learned.yaml for review.
`htxbot faq eval [--split dev|test|train|all]`: the knowledge base measured on the labelled question set."""

from __future__ import annotations

from pathlib import Path

from bot.commands._run import helptext, show, with_session


def register(sub) -> None:
    faq = sub.add_parser("faq", help=helptext("faq.hoi_dap")).add_subparsers(dest="faq_command", required=True)
    promote = faq.add_parser("promote", help=helptext("faq.ghi_cau_tra_loi_can_bo_de_xuat_vao_conte"))
    promote.add_argument("--out", type=Path, default=None, help=helptext("faq.tep_yaml_ghi_ra_mac_dinh_content_faq_lea"))
    promote.set_defaults(handler=promote_answers)
    evaluate = faq.add_parser("eval", help=helptext("faq.do_chat_luong_tra_loi_tren_bo_cau_hoi"))
    evaluate.add_argument("--split", choices=["dev", "test", "train", "all"], default="dev",
                          help=helptext("faq.phan_bo_cau_hoi_dev_test_train_all"))
    evaluate.add_argument("--no-engine", action="store_true", help=helptext("faq.khong_chay_bot_chi_do_kho_tri_thuc"))
    evaluate.set_defaults(handler=evaluate_answers)


def promote_answers(settings, args) -> None:
    from flows.engine.content import render
    from flows.faq.learned import LEARNED_PATH, promote

    path = args.out or LEARNED_PATH
    result = with_session(settings, lambda session: promote(session, path, settings.timezone))
    show(render("faq/promote_done.j2", added=result.added, kept=result.kept, path=str(path)))


def evaluate_answers(settings, args) -> None:
    import asyncio
    import datetime as dt
    import tempfile
    import time

    from bot.commands.faq_eval import SPLITS, figures, judge, load, misroutes
    from flows.engine.content import render
    from flows.faq import Knowledge

    started = time.perf_counter()
    knowledge = Knowledge.load()
    load_s = time.perf_counter() - started
    day = settings.as_of_date or dt.date.today()
    splits = []
    for name in (args.split,) if args.split != "all" else (*SPLITS, "all"):
        outcomes = judge(knowledge, load(name))
        if not args.no_engine:
            with tempfile.TemporaryDirectory() as directory:
                asyncio.run(misroutes(outcomes, day, Path(directory)))
        states = sorted({o.item["state"] for o in outcomes}, key=lambda s: (s not in ("idle", "menu"), s))
        splits.append({
            "name": name,
            "total": figures(outcomes),
            "states": [(state, figures([o for o in outcomes if o.item["state"] == state])) for state in states],
        })
    print(render("faq/eval_report.j2", entries=len(knowledge.entries), load_s=load_s, splits=splits))
