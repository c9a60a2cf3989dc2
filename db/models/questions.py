"""Questions handed off to a person: what a user asked that the bot could not answer, and the answer.

A question is seen only by officials whose scope covers its province (and commune); the
answered ones an official marks as candidates become knowledge entries after review
(`htxbot faq promote`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow
from db.models.core import BigId


class Question(Base):
    """A user's question waiting for (or given) an official's answer."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_status_place", "status", "province_code", "commune_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    province_code: Mapped[int] = mapped_column(Integer)
    commune_code: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), default="open")  # open | answered
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    promote: Mapped[bool] = mapped_column(default=False)  # a candidate knowledge entry
