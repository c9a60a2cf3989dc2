"""`htxbot faq promote`: officials' answers marked as candidates go into content/faq/learned.yaml for review."""

from __future__ import annotations

from pathlib import Path

from bot.commands._run import helptext, show, with_session


def register(sub) -> None:
    faq = sub.add_parser("faq", help=helptext("faq.hoi_dap")).add_subparsers(dest="faq_command", required=True)
    promote = faq.add_parser("promote", help=helptext("faq.ghi_cau_tra_loi_can_bo_de_xuat_vao_conte"))
    promote.add_argument("--out", type=Path, default=None, help=helptext("faq.tep_yaml_ghi_ra_mac_dinh_content_faq_lea"))
    promote.set_defaults(handler=promote_answers)


def promote_answers(settings, args) -> None:
    from flows.engine.content import render
    from flows.faq.learned import LEARNED_PATH, promote

    path = args.out or LEARNED_PATH
    result = with_session(settings, lambda session: promote(session, path, settings.timezone))
    show(render("faq/promote_done.j2", added=result.added, kept=result.kept, path=str(path)))
