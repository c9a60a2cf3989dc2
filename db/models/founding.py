"""The founding guide's saved plan: one per user, with the answers it was built from and the steps ticked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow
from db.models.core import BigId


class FoundingPlan(Base):
    """A user's founding plan: `answers` as the guide saves them, `progress` as {plan step id: done}."""

    __tablename__ = "founding_plans"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    progress: Mapped[dict[str, Any]] = mapped_column(default=dict)
    drafts_downloads: Mapped[int] = mapped_column(default=0)
    drafts_at: Mapped[dt.datetime | None] = mapped_column(default=None)  # last download of the drafts
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
