"""`htxbot chat`: talk to the bot in a terminal, or script a session through stdin (one message a line).

Each line goes through the inbox (bot/inbox/) like any channel's message: when the database does
not take it in time, the user reads "hệ thống đang bận" instead of waiting.
"""

from __future__ import annotations

import asyncio
import secrets
import sys

from bot.channels.render import as_text
from bot.inbox import Busy, Inbox
from flows.engine.content import load_yaml, render
from flows.engine.engine import Engine
from flows.engine.messages import Incoming

CHANNEL = "terminal"


async def chat(engine: Engine, user: str, stdin=None, stdout=None, inbox: Inbox | None = None) -> None:
    """Read messages until end of input; print each reply. Interactive when stdin is a terminal."""
    inbox = inbox or Inbox(engine)
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    loop = asyncio.get_running_loop()
    if interactive:
        await _say(inbox, Incoming(CHANNEL, user, text="/start", display_name=user), stdout)
    while True:
        if interactive:
            stdout.write("\n> ")
            stdout.flush()
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            break
        text = line.rstrip("\n")
        if not text.strip():
            continue
        if not interactive:
            stdout.write(f"> {text}\n")
        await _say(inbox, Incoming(CHANNEL, user, text=text, display_name=user), stdout)
    await inbox.settle()


async def _say(inbox: Inbox, incoming: Incoming, stdout) -> None:
    stored = {"user": incoming.external_id, "text": incoming.text}
    try:
        replies = await inbox.handle_now(CHANNEL, secrets.token_hex(8), stored, incoming)
    except Busy:
        stdout.write(render("common/busy.j2") + "\n\n")
        stdout.flush()
        return
    for reply in replies:
        if reply.document is not None:
            path = _save(reply.document)
            saved = load_yaml("cli.yaml")["file_saved"].format(path=path)
            stdout.write(f"{as_text(reply)}\n{saved}\n")
        else:
            stdout.write(as_text(reply) + "\n")
        stdout.write("\n")
    stdout.flush()


def _save(document) -> str:
    from pathlib import Path

    out = Path("var") / "files"
    out.mkdir(parents=True, exist_ok=True)
    path = out / document.filename
    path.write_bytes(document.data)
    return str(path)
