"""The inbox: every update a channel received, written down before it is acknowledged (issue 15).

One row per update, unique per channel and the update's own id (Telegram update_id, Zalo
message_id, OA msg_id, the web chat's client-made id), so a re-delivered update finds its row.
A row is pending until processed; `claimed_by`/`claimed_at` say which process holds it (a lease,
renewed while it works), so after a crash another process, or the next start, takes it over.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow
from db.models.core import BigId


class InboxStatus(StrEnum):
    """Where an update is: pending until processed; done, failed and dropped are final."""

    PENDING = "pending"
    DONE = "done"  # processed; its payload is cleared (the row stays a while to recognise re-deliveries)
    FAILED = "failed"  # given up after too many attempts; the payload is kept for an operator
    DROPPED = "dropped"  # written only after its sender had been told to try again later


class InboxItem(Base):
    """One received update, as the platform sent it."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "update_key", name="uq_inbox_channel_update_key"),
        Index("ix_inbox_status_id", "status", "id"),
        Index("ix_inbox_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    update_key: Mapped[str] = mapped_column(String(160))  # the update's own id within its channel
    payload: Mapped[dict[str, Any] | None] = mapped_column(default=None)  # the raw update (JSON)
    status: Mapped[str] = mapped_column(String(16), default=InboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)  # times a process took it up
    claimed_by: Mapped[str | None] = mapped_column(String(64), default=None)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    done_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(String(300), default=None)
