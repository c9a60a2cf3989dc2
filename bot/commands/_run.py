"""Helpers for CLI commands: one database session, committed when the command succeeds."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from bot.channels.render import plain
from bot.settings import Settings
from db.base import make_engine, make_sessionmaker
from flows.engine.content import load_yaml
from flows.join.scope import Scope


def say(key: str, **values: Any) -> None:
    """Print a message from content/cli.yaml."""
    print(load_yaml("cli.yaml")[key].format(**values))


def show(html_text: str) -> None:
    """Print a message written for chat (HTML) as plain terminal text."""
    print(plain(html_text))


def with_session(settings: Settings, work: Callable[[Any], Awaitable[Any]]) -> Any:
    """Run `work(session)` and commit; roll back if it raises."""

    async def main() -> Any:
        engine = make_engine(settings.database_url)
        try:
            async with make_sessionmaker(engine)() as session:
                result = await work(session)
                await session.commit()
                return result
        finally:
            await engine.dispose()

    return asyncio.run(main())


def add_scope_args(parser) -> None:
    """--level country|province|commune, --province CODE, --commune CODE."""
    parser.add_argument("--level", choices=["country", "province", "commune"], required=True)
    parser.add_argument("--province", type=int)
    parser.add_argument("--commune", type=int)


def scope_from(args) -> Scope:
    """The Scope named by the scope arguments; a wrong combination ends the command clearly."""
    try:
        return Scope(args.level, args.province, args.commune)
    except ValueError:
        say("bad_scope")
        raise SystemExit(2) from None


def helptext(key: str) -> str:
    """A command-line help text from content/cli_help.yaml."""
    return load_yaml("cli_help.yaml")[key]
