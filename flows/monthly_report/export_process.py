"""A big export made whole in a process of its own: the child reads the database and makes the file; the server
only relays the bytes. The server's event loop then does almost nothing for it, shares no lock with the file's
making (Python's GIL) and none of its garbage, and the machine's other core does the work.

The child is `python -m flows.monthly_report.export_child`; it reads what to export as JSON on its standard
input (the database URL with it, so that no password shows in the process list), writes the file's bytes on its
standard output, and its last line on standard error is `rows N`. A child that fails or is stopped leaves no
complete file: the caller raises.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
READ = 1 << 16


async def made_elsewhere(url: str, spec: dict[str, Any], counted) -> AsyncIterator[bytes]:  # noqa: ANN001
    """The file's bytes as the child makes them; `counted(n)` is told the number of rows at the end."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "flows.monthly_report.export_child", cwd=ROOT, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    child.stdin.write(json.dumps({"url": url, **spec}).encode())
    child.stdin.close()
    said = asyncio.create_task(child.stderr.read())  # read all along: a full pipe would stop the child
    try:
        while piece := await child.stdout.read(READ):
            yield piece
        text = (await said).decode(errors="replace")
        if await child.wait() != 0 or not (found := re.search(r"^rows (\d+)$", text, re.MULTILINE)):
            raise RuntimeError(f"the export process failed ({child.returncode}): {text[-2000:]}")
        counted(int(found.group(1)))
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
        if not said.done():
            said.cancel()
            with contextlib.suppress(BaseException):
                await said
