"""The `htxbot` command: run, chat, db upgrade, content check (and the domain commands)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
import sys
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from bot.commands._run import helptext
from bot.commands.rules import as_of_day
from bot.settings import Settings
from flows.engine.content import load_yaml

Handler = Callable[[Settings, argparse.Namespace], Any]


def say(key: str, **values: Any) -> None:
    """Print a CLI message from content/cli.yaml."""
    print(load_yaml("cli.yaml")[key].format(**values))


def load_settings() -> Settings:
    """Settings from the environment; a bad value ends the program with one clear line."""
    try:
        return Settings()
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]).upper() or "?"
        say("bad_settings", field=field, error=err["msg"])
        raise SystemExit(2) from None


# ---- commands ----------------------------------------------------------------------------


def cmd_db_upgrade(settings: Settings, _args: argparse.Namespace) -> None:
    from db.migrate import upgrade

    path = settings.sqlite_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    say("db_upgraded", url=_safe_url(settings.database_url))


def cmd_content_check(_settings: Settings, args: argparse.Namespace) -> None:
    """Check the content; legal citations as of --as-of, else the real day (never AS_OF_DATE)."""
    import datetime as dt

    from bot.content_check import check_content

    day = getattr(args, "as_of", None) or dt.date.today()
    say("content_as_of", day=f"{day:%d/%m/%Y}")
    report = check_content(day)
    if report.problems:
        say("content_bad", count=len(report.problems))
        for problem in report.problems:
            print(f"  - {problem}")
        raise SystemExit(1)
    say("content_ok", templates=report.templates, rendered=report.rendered, flows=report.flows)


def cmd_chat(settings: Settings, args: argparse.Namespace) -> None:
    from bot.app import build_app
    from bot.channels.terminal import chat

    async def main() -> None:
        app = build_app(settings)
        try:
            await chat(app.engine, args.user)
        finally:
            await app.close()

    asyncio.run(main())


def cmd_run(settings: Settings, args: argparse.Namespace) -> None:
    from bot.checked import checked_before, remember_checked

    # the knowledge is validated before anyone is served: here, or by an earlier start today on
    # the very same content and code (a warm start need not render every template again)
    stamp = settings.web_secret_file.parent / "content-checked"
    if not checked_before(stamp):
        cmd_content_check(settings, args)
        remember_checked(stamp)
    asyncio.run(_serve(settings))


async def _serve(settings: Settings) -> None:
    from aiohttp import web

    from bot.app import build_app, build_web
    from bot.web import access_log

    app = build_app(settings)
    runner = access_log.runner(build_web(app))  # the access log leaves sign-in and download secrets out
    await runner.setup()
    await web.TCPSite(runner, settings.listen_host, settings.listen_port).start()
    say("running", db=_safe_url(settings.database_url), host=settings.listen_host, port=settings.listen_port)
    from bot.lease import LeaseTaken, take_polling_leases

    try:
        await take_polling_leases(app)  # one polling process per bot (bot/lease.py)
    except LeaseTaken as taken:
        say("polling_taken", channel=taken.channel.capitalize(), setting=f"{taken.channel.upper()}_WEBHOOK_URL")
        await runner.cleanup()
        await app.close()
        raise SystemExit(1) from None
    await app.start()
    gc.freeze()  # start-up's objects (modules, templates, the FAQ model) leave the collector's full sweeps: no long pauses
    if "telegram" in app.channels:
        say("telegram_webhook" if settings.telegram_webhook_url else "telegram_polling",
            url=settings.telegram_webhook_url)
    else:
        say("no_token")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    say("stopping")
    await app.stop()
    await runner.cleanup()


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# ---- parser ------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    """The argument parser; each sub-command names its handler."""
    p = argparse.ArgumentParser(prog="htxbot", description="HTX Bot")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help=helptext("cli.chay_bot_web_telegram_neu_co_token")).set_defaults(handler=cmd_run)
    chat = sub.add_parser("chat", help=helptext("cli.tro_chuyen_voi_bot_trong_terminal"))
    chat.add_argument("--user", default="terminal", help=helptext("cli.ma_nguoi_dung_giu_hoi_thoai_giua_cac_lan"))
    chat.set_defaults(handler=cmd_chat)
    dbp = sub.add_parser("db", help=helptext("cli.co_so_du_lieu")).add_subparsers(dest="db_command", required=True)
    dbp.add_parser("upgrade", help=helptext("cli.nang_cap_luoc_do")).set_defaults(handler=cmd_db_upgrade)
    content = sub.add_parser("content", help=helptext("cli.noi_dung")).add_subparsers(dest="content_command", required=True)
    check = content.add_parser("check", help=helptext("cli.kiem_tra_moi_mau_tin_nhan"))
    check.add_argument("--as-of", type=as_of_day, default=None, metavar="YYYY-MM-DD",
                       help=helptext("cli.kiem_tra_trich_dan_theo_ngay"))
    check.set_defaults(handler=cmd_content_check)
    for extend in _extensions():
        extend(sub)
    return p


def _extensions() -> list[Callable[[Any], None]]:
    """Sub-commands of the domain modules (rules, coops, officials, reports, announcements)."""
    from bot.commands import COMMANDS

    return COMMANDS


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `htxbot` command."""
    args = parser().parse_args(argv)
    settings = load_settings()
    from bot.logs import setup_logging

    setup_logging(settings.log_level, settings.log_format)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        args.handler(settings, args)
    except KeyboardInterrupt:
        sys.exit(130)
    except (SQLAlchemyError, OSError) as exc:
        logging.getLogger(__name__).debug("command failed", exc_info=True)
        say("db_error", error=str(exc).splitlines()[0][:300])
        sys.exit(1)
