"""Backups: deploy/backup.sh dumps the PostgreSQL database with pg_dump, and deploy/restore_check.py
restores the dump into a scratch database and finds every table's rows there. Needs PostgreSQL
(TEST_DATABASE_URL) and its client programs (apt-get install postgresql-client); skipped otherwise."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.migrate import upgrade_async
from db.models import User
from tests.chat import Chat

ROOT = Path(__file__).resolve().parent.parent.parent
MISSING = [p for p in ("pg_dump", "pg_restore") if shutil.which(p) is None]
pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"{', '.join(MISSING)} not installed: "
                                                      "apt-get install postgresql-client")


@pytest.fixture
async def pg_url(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("backups with pg_dump are for PostgreSQL")
    await upgrade_async(database_url)  # the schema as `htxbot db upgrade` makes it
    return database_url


async def _run(*argv: str, env: dict[str, str]) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(*argv, env={**os.environ, **env}, cwd=ROOT,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), 300)
    return proc.returncode, out.decode()


def _size(path: Path) -> int:
    return path.stat().st_size


def _cut_short(dump: Path, to: Path) -> Path:
    to.write_bytes(dump.read_bytes()[: _size(dump) // 2])
    return to


async def test_a_dump_restores_into_a_scratch_database_with_every_row(pg_url, tmp_path):
    from bot.catalog import all_flows
    from db.base import make_engine, make_sessionmaker
    from flows.engine.engine import Engine

    db = make_engine(pg_url)
    engine = Engine(make_sessionmaker(db), all_flows())
    try:
        for user in ("a", "b", "c"):
            chat = Chat(engine, user=user)
            await chat.send("/start")
            await chat.send("chu nhiem")
        async with make_sessionmaker(db)() as session:
            users = await session.scalar(select(func.count()).select_from(User))
    finally:
        await engine.close()
        await db.dispose()
    assert users == 3

    code, out = await _run(str(ROOT / "deploy" / "backup.sh"), str(tmp_path), env={"DATABASE_URL": pg_url})
    assert code == 0, out
    dump = Path(out.strip().splitlines()[-1])
    assert dump.parent == tmp_path and _size(dump) > 0

    code, out = await _run(sys.executable, str(ROOT / "deploy" / "restore_check.py"), str(dump),
                           env={"DATABASE_URL": pg_url})
    assert code == 0, out
    assert "ok  users: 3 rows in the dump, 3 restored" in out
    assert "ok  alembic_version:" in out
    assert "every table restored whole" in out

    broken = _cut_short(dump, tmp_path / "broken.dump")  # a backup cut short
    code, out = await _run(sys.executable, str(ROOT / "deploy" / "restore_check.py"), str(broken),
                           env={"DATABASE_URL": pg_url})
    assert code != 0 and "every table restored whole" not in out
