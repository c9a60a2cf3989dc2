"""The cooperative registry: cooperatives, their reporters, officials, invite codes, monthly reports, reminders.

The monthly report is the programme's own update, not the annual legal update on the national
system (Thông tư 09/2024/TT-BKHĐT, Điều 6: by 15/12 each year).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow
from db.models.core import BigId


class Cooperative(Base):
    """A tổ hợp tác, HTX or LH HTX on the programme's list; placed by province and commune codes."""

    __tablename__ = "cooperatives"
    __table_args__ = (Index("ix_cooperatives_place", "province_code", "commune_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(255))
    form: Mapped[str] = mapped_column(String(16))  # to_hop_tac | hop_tac_xa | lien_hiep
    registration_no: Mapped[str | None] = mapped_column(String(32), unique=True)
    province_code: Mapped[int] = mapped_column(Integer)
    commune_code: Mapped[int] = mapped_column(Integer)
    sector: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Reporter(Base):
    """A user allowed to send a cooperative's monthly update (its head or a deputy)."""

    __tablename__ = "reporters"
    __table_args__ = (UniqueConstraint("cooperative_id", "user_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(8), default="head")  # head | deputy
    linked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class InviteCode(Base):
    """A single-use, expiring code linking a reporter to a cooperative or granting an official scope."""

    __tablename__ = "invite_codes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # reporter | official
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"))
    role: Mapped[str | None] = mapped_column(String(8))  # reporter role: head | deputy
    scope_level: Mapped[str | None] = mapped_column(String(8))  # official scope: country|province|commune
    province_code: Mapped[int | None] = mapped_column(Integer)
    commune_code: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class CodeAttempt(Base):
    """One wrong code typed by a user; too many within fifteen minutes, from one user, one network
    address or everyone together, slow the guessing down (flows/join/invites.py)."""

    __tablename__ = "code_attempts"
    __table_args__ = (Index("ix_code_attempts_user_at", "user_id", "at"),
                      Index("ix_code_attempts_origin_at", "origin", "at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    origin: Mapped[str | None] = mapped_column(String(64), default=None)  # keyed hash of the address (web chat)


class Official(Base):
    """A user with rights over the reports of a scope (country, one province or one commune)."""

    __tablename__ = "officials"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    scope_level: Mapped[str] = mapped_column(String(8))
    province_code: Mapped[int | None] = mapped_column(Integer)
    commune_code: Mapped[int | None] = mapped_column(Integer)
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class MonthlyReport(Base):
    """One revision of a cooperative's monthly update for a period 'YYYY-MM'; the latest revision counts."""

    __tablename__ = "monthly_reports"
    __table_args__ = (
        UniqueConstraint("cooperative_id", "period", "revision"),
        Index("ix_monthly_reports_period_latest", "period", "cooperative_id", "revision"),  # 0010_scale
        Index("ix_monthly_reports_revised", "cooperative_id", "period", "revision",  # the few revised updates
              postgresql_where=text("revision > 1"), sqlite_where=text("revision > 1")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))  # 'YYYY-MM'
    revision: Mapped[int] = mapped_column(Integer, default=1)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    members: Mapped[int] = mapped_column(Integer)
    workers: Mapped[int] = mapped_column(Integer)
    revenue: Mapped[int] = mapped_column(BigInteger)  # VND in the month
    status: Mapped[str] = mapped_column(String(16))  # tot | on_dinh | kho_khan
    status_note: Mapped[str | None] = mapped_column(Text)
    difficulties: Mapped[str | None] = mapped_column(Text)
    needs: Mapped[list[Any]] = mapped_column(default=list)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    submitted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ReminderSent(Base):
    """A reminder claimed for (cooperative, period, kind) before sending; the unique key stops repeats."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("cooperative_id", "period", "kind"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(8))  # first | second
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
