"""The web mailbox: what the bot sends a web-chat visitor outside a request (an official's answer, an
announcement, a reminder), kept until the visitor's page shows it (issue 18).

A web visitor has no app to push to: the message waits here, is pushed live to an open page
(server-sent events, bot/web/mailbox.py) and is marked read once a page has shown it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow
from db.models.core import BigId


class WebMessage(Base):
    """One message for one web visitor; `read_at` is set when a page of theirs has shown it."""

    __tablename__ = "web_mailbox"
    __table_args__ = (Index("ix_web_mailbox_user_id_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)  # our templates' Telegram HTML; made safe when shown
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(default=None)
