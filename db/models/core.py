"""Core tables: users of every channel, their conversation state, and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class User(Base):
    """A person on one channel (Telegram, Zalo, web, terminal) with their self-declared profile."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(128))
    role: Mapped[str | None] = mapped_column(String(32))  # self-declared; never grants rights
    province_code: Mapped[int | None] = mapped_column(Integer, index=True)
    commune_code: Mapped[int | None] = mapped_column(Integer, index=True)
    sector: Mapped[str | None] = mapped_column(String(32))
    announcements: Mapped[bool] = mapped_column(default=True)
    reminders: Mapped[bool] = mapped_column(default=True)
    blocked: Mapped[bool] = mapped_column(default=False)
    onboarded: Mapped[bool] = mapped_column(default=False)
    # onboarded before the privacy notice was asked (migration 0014): asked for consent at the next menu
    consent_due: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Conversation(Base):
    """Where a user is in a flow; written through on every message and versioned against races."""

    __tablename__ = "conversations"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    flow: Mapped[str | None] = mapped_column(String(48))
    step: Mapped[str | None] = mapped_column(String(48))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    history: Mapped[list[Any]] = mapped_column(default=list)
    pending: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    suspended: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    failures: Mapped[int] = mapped_column(default=0)
    recent_ids: Mapped[list[Any]] = mapped_column(default=list)  # last message ids, to drop re-deliveries
    scratch: Mapped[dict[str, Any] | None] = mapped_column(default=None)  # a flow's working notes, not answers
    # the replies to the last message, committed with it: sent again if that message is handled again
    # because a crash cut them off (flows/engine/messages.py, replies_to_json)
    last_replies: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), default=None)  # None: SQL NULL
    version: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuditLog(Base):
    """A significant action: who did what, when, with details (also feeds the officials' funnels)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_action_at", "action", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str | None] = mapped_column(Text)
