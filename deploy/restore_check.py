"""A tested restore: restore a dump made by deploy/backup.sh into a scratch database on the same
server and check that every table has the rows the dump holds; the scratch database is dropped.

Usage: DATABASE_URL=postgresql+asyncpg://... .venv/bin/python deploy/restore_check.py FILE.dump
Exit 0 when every table matches (one line per table printed), 1 otherwise. Needs pg_restore
(apt-get install postgresql-client) and the right to create databases.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine

_COPY = re.compile(r'^COPY (?:"?public"?\.)?"?([A-Za-z0-9_]+)"? .* FROM stdin;$')


def rows_in_dump(dump: Path) -> dict[str, int]:
    """Rows per table in the dump's data, read from pg_restore's COPY blocks as they stream."""
    counts: dict[str, int] = {}
    table: str | None = None
    with subprocess.Popen(["pg_restore", "--data-only", "--file=-", str(dump)], stdout=subprocess.PIPE,
                          text=True, encoding="utf-8", errors="replace") as proc:
        for line in proc.stdout:  # type: ignore[union-attr]
            line = line.rstrip("\n")
            if table is None:
                match = _COPY.match(line)
                if match:
                    table = match.group(1)
                    counts[table] = 0
            elif line == "\\.":
                table = None
            else:
                counts[table] += 1
    if proc.returncode:
        raise SystemExit(f"pg_restore could not read {dump}")
    return counts


def libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def restored_rows(url: URL, tables: list[str]) -> dict[str, int]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return {t: (await conn.execute(text(f'SELECT count(*) FROM "{t}"'))).scalar_one() for t in tables}
    finally:
        await engine.dispose()


async def admin(url: URL, statement: str) -> None:
    engine = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def check(dump: Path, source: URL) -> bool:
    expected = rows_in_dump(dump)
    scratch = source.set(database=f"htxbot_restore_check_{os.getpid()}")
    await admin(source, f'CREATE DATABASE "{scratch.database}"')
    try:
        restore = await asyncio.create_subprocess_exec("pg_restore", "--no-owner", "--no-privileges",
                                                       "--exit-on-error", f"--dbname={libpq(scratch)}", str(dump))
        if await restore.wait():
            raise SystemExit(f"pg_restore failed (exit {restore.returncode})")
        found = await restored_rows(scratch, sorted(expected))
    finally:
        await admin(source, f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)')
    ok = True
    for table in sorted(expected):
        same = found[table] == expected[table]
        ok &= same
        print(f"{'ok ' if same else 'BAD'} {table}: {expected[table]} rows in the dump, {found[table]} restored")
    print(f"restore check of {dump.name}: {'every table restored whole' if ok else 'MISMATCH'} "
          f"({len(expected)} tables, {sum(expected.values())} rows)")
    return ok


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    url = make_url(os.environ.get("DATABASE_URL", ""))
    if url.get_backend_name() != "postgresql":
        raise SystemExit("DATABASE_URL must be the PostgreSQL database the dump was made from")
    sys.exit(0 if asyncio.run(check(Path(sys.argv[1]), url)) else 1)


if __name__ == "__main__":
    main()
