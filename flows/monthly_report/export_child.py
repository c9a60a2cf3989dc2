"""The child of flows/monthly_report/export_process.py: reads what to export (JSON, with the database URL) on its
standard input, writes the file's bytes on its standard output and `rows N` last on its standard error."""

from __future__ import annotations

import asyncio
import json
import sys

from db.base import make_engine, make_sessionmaker
from flows.join.scope import Scope
from flows.monthly_report.exports import Export


async def main() -> None:
    """Make the export asked for, reading the database and writing the file as it goes."""
    spec = json.loads(sys.stdin.buffer.read())
    engine = make_engine(spec["url"])
    out = sys.stdout.buffer
    export = Export(Scope(*spec["scope"]), spec["first"], spec["last"], spec["fmt"], spec["delimiter"])
    try:
        async with make_sessionmaker(engine)() as session:
            async for piece in export.made_here(session):
                out.write(piece)
                out.flush()
    finally:
        await engine.dispose()
    print(f"rows {export.rows}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    asyncio.run(main())
