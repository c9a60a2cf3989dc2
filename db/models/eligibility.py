"""Saved support-eligibility checks: the facts a result was computed from, its date, outcomes and references."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow
from db.models.core import BigId


class EligibilityCheck(Base):
    """One result of the eligibility conversation; the latest one per user is offered again by /hotro.

    `facts` holds the answers as stored in conversations (dates as 'YYYY', 'YYYY-MM' or
    'YYYY-MM-DD'), `outcomes` maps programme id to outcome, `references` maps programme id to
    the references its result line cited.
    """

    __tablename__ = "eligibility_checks"
    __table_args__ = (Index("ix_eligibility_checks_user_created", "user_id", "created_at"),
                      Index("ix_eligibility_checks_created_at", "created_at"))  # 0010_scale

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    checked_on: Mapped[dt.date]
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    outcomes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    references: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
