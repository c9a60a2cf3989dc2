"""The inbox table as a work queue: add received updates, claim due ones, renew leases, finish, purge.

Plain functions on a connection inside a transaction: the inbox runs them through the engine's
group writer (db/writer.py), so on SQLite they share its one writer thread instead of fighting
it for the lock, and under load many share one commit. Claiming follows the announcement outbox (flows/announcements/claims.py): on PostgreSQL
`UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)`, so several processes never take
the same row; on SQLite writes are serialised and the same UPDATE is atomic. A claim is a lease:
a row whose `claimed_at` is older than the lease belongs to a process that died, and is taken over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, null, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from db.models.inbox import InboxItem, InboxStatus

_I = InboxItem.__table__
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Row:
    """An inbox row a process holds: its id, channel and the update as received."""

    id: int
    channel: str
    payload: dict[str, Any] | None


def _chunks(values: Sequence[int], size: int = _CHUNK) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def add(conn: Connection, channel: str, updates: Sequence[tuple[str, dict[str, Any]]],
              worker: str | None, now: dt.datetime) -> list[Row]:
    """Write the updates not seen before (claimed by `worker`, or left for any process when None);
    returns the rows written, in the order given."""
    return add_many(conn, [(channel, updates, worker, now)])[0]


Adding = tuple[str, Sequence[tuple[str, dict[str, Any]]], str | None, dt.datetime]


def add_many(conn: Connection, items: list[Adding]) -> list[list[Row]]:
    """`add` for many senders at once, in one statement (the group writer's bulk write); an update
    sent twice at once is written, and returned, for the first sender only."""
    batches, values = [], []
    for channel, updates, worker, now in items:
        fresh = dict(updates)  # one row per key, the first payload
        batches.append((channel, fresh))
        values += [
            {"channel": channel, "update_key": key, "payload": payload, "status": InboxStatus.PENDING,
             "attempts": 1 if worker else 0, "claimed_by": worker, "claimed_at": now if worker else None,
             "received_at": now}
            for key, payload in fresh.items()
        ]
    stmt = _ADD.get(conn.dialect.name)
    if stmt is None:  # built once: building and compiling it per update cost more than the database
        insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        stmt = _ADD[conn.dialect.name] = (
            insert(_I).on_conflict_do_nothing(index_elements=["channel", "update_key"])
            .returning(_I.c.id, _I.c.channel, _I.c.update_key)
        )
    written = {(channel, key): row_id for row_id, channel, key in conn.execute(stmt, values)} if values else {}
    out = []
    for channel, fresh in batches:
        rows = []
        for key, payload in fresh.items():
            row_id = written.pop((channel, key), None)
            if row_id is not None:
                rows.append(Row(row_id, channel, payload))
        out.append(rows)
    return out


_ADD: dict[str, Any] = {}


def claim(conn: Connection, worker: str, channels: Collection[str], now: dt.datetime,
                lease: dt.timedelta, limit: int, max_attempts: int) -> list[Row]:
    """Claim up to `limit` pending rows of these channels that nobody holds (or whose holder's lease
    ran out), oldest first."""
    due = (
        select(_I.c.id)
        .where(_I.c.status == InboxStatus.PENDING, _I.c.channel.in_(channels), _I.c.attempts < max_attempts,
               or_(_I.c.claimed_at.is_(None), _I.c.claimed_at < now - lease))
        .order_by(_I.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    stmt = (
        update(_I)
        .where(_I.c.id.in_(due.scalar_subquery()))
        .values(claimed_by=worker, claimed_at=now, attempts=_I.c.attempts + 1)
        .returning(_I.c.id, _I.c.channel, _I.c.payload)
    )
    return sorted((Row(*row) for row in conn.execute(stmt)), key=lambda r: r.id)


def give_up(conn: Connection, now: dt.datetime, lease: dt.timedelta, max_attempts: int) -> int:
    """Mark failed the pending rows taken up `max_attempts` times whose last lease ran out; returns how many."""
    result = conn.execute(
        update(_I)
        .where(_I.c.status == InboxStatus.PENDING, _I.c.attempts >= max_attempts, _I.c.claimed_at < now - lease)
        .values(status=InboxStatus.FAILED, done_at=now, claimed_by=None,
                last_error=f"gave up after {max_attempts} attempts")
    )
    return result.rowcount or 0


def renew(conn: Connection, worker: str, ids: Sequence[int], now: dt.datetime) -> None:
    """Extend this process's lease on the rows it holds."""
    for chunk in _chunks(ids):
        conn.execute(
            update(_I)
            .where(_I.c.id.in_(chunk), _I.c.claimed_by == worker, _I.c.status == InboxStatus.PENDING)
            .values(claimed_at=now)
        )


def finish(conn: Connection, ids: Sequence[int], now: dt.datetime,
                 status: InboxStatus = InboxStatus.DONE) -> None:
    """Mark rows done or dropped (their payload is cleared) or failed (kept for an operator)."""
    stmt = _FINISH_KEEP if status == InboxStatus.FAILED else _FINISH_CLEAR
    for chunk in _chunks(ids):
        conn.execute(stmt, {"p_ids": list(chunk), "p_status": status, "p_now": now})


_FINISH = (update(_I).where(_I.c.id.in_(bindparam("p_ids", expanding=True)), _I.c.status == InboxStatus.PENDING)
           .values(status=bindparam("p_status", type_=_I.c.status.type),
                   done_at=bindparam("p_now", type_=_I.c.done_at.type), claimed_by=None))
_FINISH_KEEP, _FINISH_CLEAR = _FINISH, _FINISH.values(payload=null())


def purge(conn: Connection, before: dt.datetime, limit: int = 1000) -> int:
    """Delete up to `limit` rows received before `before`; returns how many."""
    old = select(_I.c.id).where(_I.c.received_at < before).order_by(_I.c.id).limit(limit)
    result = conn.execute(delete(_I).where(_I.c.id.in_(old.scalar_subquery())))
    return result.rowcount or 0
