"""The announcements outbox: one announcement and one durable delivery row per recipient."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow
from db.models.core import BigId


class AnnouncementStatus(StrEnum):
    """Where an announcement is in its life."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class DeliveryStatus(StrEnum):
    """Where one recipient's copy is; sent, failed, blocked and cancelled are final."""

    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker (claimed_by, claimed_at): in flight
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"


class Announcement(Base):
    """A message an official sends to an audience (a filter spec) inside their scope."""

    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_scope", "province_code", "commune_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    text: Mapped[str] = mapped_column(Text)
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the filter spec, e.g. {"kind": "farmers"}
    scope_level: Mapped[str] = mapped_column(String(16))  # the author's scope when it was sent
    province_code: Mapped[int | None] = mapped_column(Integer)
    commune_code: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=AnnouncementStatus.SENDING)
    recipients: Mapped[int] = mapped_column(default=0)  # delivery rows created with it
    scheduled_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    progress_ref: Mapped[str | None] = mapped_column(String(64), default=None)  # the author's progress message


class Delivery(Base):
    """One recipient's copy of an announcement; a worker claims it, sends it and records the outcome."""

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_deliveries_announcement_id_status", "announcement_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)  # real send attempts; a 429 is not counted
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64), default=None)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)
