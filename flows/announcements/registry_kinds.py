"""Audience kinds drawn from the registry: heads linked to a cooperative, and those whose cooperative has not reported.

A linked head is a Reporter with role "head" (linked by an official's invite code), unlike the
self-declared role "chu_nhiem". "Not reported" reads its period from the spec ({"kind": "not_reported",
"month": "2026-11"}) so the stored spec says which month was meant. Importing this module adds both
kinds to flows.announcements.audience.KINDS.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists

from db.models.core import User
from db.models.registry import MonthlyReport, Reporter
from flows.announcements import audience
from flows.announcements.audience import AudienceRefused, Spec
from flows.join.scope import Scope
from flows.monthly_report import periods

HEAD = "head"


def linked_heads(spec: Spec, scope: Scope) -> ColumnElement[bool]:
    """Users linked to a cooperative as its head."""
    return exists().where(Reporter.user_id == User.id, Reporter.role == HEAD)


def not_reported(spec: Spec, scope: Scope) -> ColumnElement[bool]:
    """Linked heads of a cooperative with no monthly update for the spec's month."""
    month = spec.get("month")
    if not isinstance(month, str) or periods.parse(month) != month:
        raise AudienceRefused("missing_month", repr(month))
    reported = exists().where(MonthlyReport.cooperative_id == Reporter.cooperative_id, MonthlyReport.period == month)
    return exists().where(Reporter.user_id == User.id, Reporter.role == HEAD, ~reported)


KINDS = {"linked_heads": linked_heads, "not_reported": not_reported}
audience.KINDS.update(KINDS)
