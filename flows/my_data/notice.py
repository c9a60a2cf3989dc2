"""The privacy notice (content/privacy.yaml) and the consents given to it (Luật Bảo vệ dữ liệu cá nhân 2025)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.models.privacy import Consent
from flows.engine.content import load_yaml
from flows.engine.inputs import Option, options_from

DEFAULT_MONTHS = 12  # conversation logs kept, when the app lends no settings (bot/settings.py has the real one)


def notice() -> dict[str, Any]:
    """The notice as content/privacy.yaml holds it."""
    return load_yaml("privacy.yaml")


def version() -> str:
    """The notice's current version; a consent records it."""
    return str(notice()["version"])


def log_months(ctx: Any) -> int:
    """How many months conversation logs are kept (the CONVERSATION_LOG_MONTHS setting)."""
    return int(getattr(ctx.services.settings, "conversation_log_months", DEFAULT_MONTHS))


def notice_vars(ctx: Any) -> dict[str, Any]:
    """Template variables of the notice: what is collected and why, who sees it, what erasure keeps."""
    text = notice()
    months = log_months(ctx)
    collected = [{"what": i["what"], "why": i["why"].format(months=months)} for i in text["collected"]]
    return {"collected": collected, "who_sees": text["who_sees"], "kept_after_erasure": text["kept_after_erasure"],
            "version": version(), "months": months}


def record_consent(session: AsyncSession, user_id: int, at: dt.datetime | None = None) -> Consent:
    """Add a consent to the current notice, given now (the caller commits)."""
    consent = Consent(user_id=user_id, notice_version=version(), given_at=at or utcnow())
    session.add(consent)
    return consent


async def consents_of(session: AsyncSession, user_id: int) -> list[Consent]:
    """A person's consents, oldest first."""
    return list((await session.scalars(select(Consent).where(Consent.user_id == user_id)
                                       .order_by(Consent.given_at, Consent.id))).all())


def consent_options(ctx: Any) -> list[Option]:
    """The consent question's answers: Đồng ý, Xem chi tiết (until the details are shown), Không đồng ý."""
    options = options_from(notice()["consent_choices"])
    return [o for o in options if o.id != "details" or ctx.answers.get("consent") != "details"]


def consent_vars(ctx: Any) -> dict[str, Any]:
    """The consent question's variables: the notice, and whether the person asked for its details."""
    return {**notice_vars(ctx), "details": ctx.answers.get("consent") == "details"}
