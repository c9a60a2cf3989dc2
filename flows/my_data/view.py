"""/dulieu's readable message: what flows/my_data/collect.py found, in words (content/templates/my_data/export.j2)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.registry import Cooperative
from flows.engine.content import flow_title, load_yaml
from flows.join.coops import commune_name, form_label, province_name
from flows.monthly_report import periods

SHOWN = 20  # items of one list written out in the message; the file holds them all


def _zone(ctx: Any) -> ZoneInfo:
    return ZoneInfo(getattr(ctx.services.settings, "timezone", None) or "Asia/Ho_Chi_Minh")


def _local(value: str | None, zone: ZoneInfo) -> dt.datetime | None:
    """An ISO timestamp of the file in the bot's time zone (SQLite's are naive UTC)."""
    if not value:
        return None
    moment = dt.datetime.fromisoformat(value)
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(zone)


def _cut(items: list[Any]) -> dict[str, Any]:
    return {"shown": items[-SHOWN:], "more": max(0, len(items) - SHOWN), "total": len(items)}


def _place(province: int | None, commune: int | None) -> dict[str, str]:
    return {"province": province_name(province) if province else "", "commune": commune_name(province, commune)}


async def _coop_names(session: AsyncSession, data: dict[str, Any]) -> dict[int, str]:
    ids = {r["cooperative_id"] for key in ("reporters", "monthly_reports") for r in data[key]}
    if not ids:
        return {}
    rows = await session.execute(select(Cooperative.id, Cooperative.name).where(Cooperative.id.in_(ids)))
    return dict(rows.all())


async def readable(ctx: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Template variables of the readable message, built from the file's data."""
    zone = _zone(ctx)
    user, conv = data["users"], data["conversations"]
    names = await _coop_names(ctx.session, data)
    roles = {r["id"]: r["label"] for r in load_yaml("onboarding.yaml")["roles"]}
    plan = data["founding_plans"][0] if data["founding_plans"] else None
    audit = data["audit_log"]
    return {
        "account": {**user, "created": _local(user["created_at"], zone), "last_seen": _local(user["last_seen"], zone)},
        "role": roles.get(user["role"] or "", ""),
        **_place(user["province_code"], user["commune_code"]),
        "flow": flow_title(conv["flow"]) if conv["flow"] not in (None, "menu") else "",
        "answers": len(conv["answers"] or {}),
        "suspended": flow_title(conv["suspended"]["flow"]) if conv["suspended"] else "",
        "consents": [{"at": _local(c["given_at"], zone), "version": c["notice_version"]} for c in data["consents"]],
        "coops": [{"name": names.get(r["cooperative_id"], ""), "role": r["role"]} for r in data["reporters"]],
        "reports": _cut([{"period": periods.display(r["period"]), "coop": names.get(r["cooperative_id"], ""),
                          "revision": r["revision"], "at": _local(r["submitted_at"], zone)}
                         for r in data["monthly_reports"]]),
        "questions": _cut([{"at": _local(q["created_at"], zone), "text": q["text"], "answer": q["answer"]}
                           for q in data["questions"]]),
        "plan": plan and {"form": form_label(plan["answers"].get("form") or ""),
                          "ticked": sum(1 for done in plan["progress"].values() if done),
                          "updated": _local(plan["updated_at"], zone)},
        "checks": _cut([{"day": c["checked_on"], "programmes": len(c["outcomes"])} for c in data["eligibility_checks"]]),
        "official": [{"level": o["scope_level"], **_place(o["province_code"], o["commune_code"]),
                      "since": _local(o["granted_at"], zone)} for o in data["officials"]],
        "counts": {key: len(data[key]) for key in ("deliveries", "announcements.author_id", "invite_codes.created_by",
                                                   "officials.granted_by", "questions.answered_by", "login_tokens",
                                                   "web_sessions", "code_attempts")},
        "activity": {"total": len(audit), "first": _local(audit[0]["at"], zone) if audit else None,
                     "last": _local(audit[-1]["at"], zone) if audit else None},
    }
