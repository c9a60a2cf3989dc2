"""`htxbot faq promote`: officials' answers marked as candidates go into content/faq/learned.yaml for review."""

from __future__ import annotations

from pathlib import Path

from bot.commands._run import show, with_session


def register(sub) -> None:
    faq = sub.add_parser("faq", help="hỏi đáp").add_subparsers(dest="faq_command", required=True)
    promote = faq.add_parser("promote", help="ghi câu trả lời cán bộ đề xuất vào content/faq/learned.yaml để duyệt")
    promote.add_argument("--out", type=Path, default=None, help="tệp YAML ghi ra (mặc định content/faq/learned.yaml)")
    promote.set_defaults(handler=promote_answers)


def promote_answers(settings, args) -> None:
    from flows.content import render
    from flows.faq.learned import LEARNED_PATH, promote

    path = args.out or LEARNED_PATH
    result = with_session(settings, lambda session: promote(session, path, settings.timezone))
    show(render("faq/promote_done.j2", added=result.added, kept=result.kept, path=str(path)))
