"""Zalo state: the OA's tokens, when each user last wrote (the reply window), its monthly quota; seen message ids."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow


class OAToken(Base):
    """The OA's current access and refresh tokens, always replaced together (the refresh token is single-use)."""

    __tablename__ = "zalo_oa_tokens"

    app_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[dt.datetime | None] = mapped_column(default=None)  # None: unknown, used until refused
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class OAContact(Base):
    """A user who wrote to the OA: when they last did, and how many messages the OA sent them since."""

    __tablename__ = "zalo_oa_contacts"

    app_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_message_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_since: Mapped[int] = mapped_column(Integer, default=0)


class OAQuota(Base):
    """Proactive messages (outside the reply window) the OA sent in one month ("2026-11")."""

    __tablename__ = "zalo_oa_quota"

    app_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    used: Mapped[int] = mapped_column(Integer, default=0)
