"""The /canbo views in chat: who reported, the totals against last month, difficulties and needs.

The database counts and sums; a message names at most a few dozen cooperatives and counts the rest."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from flows.engine.content import load_yaml, render
from flows.join import invites
from flows.join.coops import commune_name
from flows.join.scope import Scope
from flows.monthly_report import overview, periods

MISSING_LISTED = 50  # cooperatives named in the "not sent yet" message; the rest are counted (and in the export)
ITEMS_LISTED = 30  # updates quoted in the difficulties-and-needs message


async def compliance_text(session: AsyncSession, scope: Scope, period: str) -> str:
    """Who has sent the period's update and who has not, as a message."""
    result = await overview.compliance(session, scope, period, limit=MISSING_LISTED)
    missing = [{"name": c.name, "commune": commune_name(c.province_code, c.commune_code)} for c in result.missing]
    return render("officials/compliance.j2", period=periods.display(period), expected=result.expected,
                  reported=result.reported, missing=missing, missing_total=result.missing_total,
                  **invites.scope_names(scope))


async def totals_text(session: AsyncSession, scope: Scope, period: str) -> str:
    """The period's totals with the change against the previous month, as a message."""
    result = await overview.totals(session, scope, period)
    return render("officials/totals.j2", period=periods.display(period),
                  previous_period=periods.display(result.previous.period), current=result.current,
                  previous=result.previous, change=result.change, **invites.scope_names(scope))


async def needs_text(session: AsyncSession, scope: Scope, period: str) -> str:
    """The period's difficulties and needs, as a message."""
    result = await overview.difficulties_and_needs(session, scope, period, limit=ITEMS_LISTED)
    choices = load_yaml("registry/monthly.yaml")
    need_labels = {n["id"]: n["label"] for n in choices["needs"]}
    status_labels = {s["id"]: s["label"] for s in choices["statuses"]}
    items = [{"name": c.name, "status": status_labels.get(r.status, r.status), "difficulties": r.difficulties,
              "needs": [need_labels.get(n, n) for n in r.needs]} for c, r in result.items]
    needs = [(need_labels[n], result.needs[n]) for n in need_labels if result.needs[n]]
    statuses = [(status_labels[s], result.statuses[s]) for s in status_labels if result.statuses[s]]
    return render("officials/needs.j2", period=periods.display(period), needs=needs, statuses=statuses,
                  items=items, items_total=result.items_total, **invites.scope_names(scope))
