"""A user's saved founding plan in the database: load it, save new answers, tick steps, count downloads.

Every function works in the message's session (ctx.session) and never commits: the engine
commits the plan together with the conversation state.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.models.founding import FoundingPlan
from flows.founding.forms import questions

# What a plan keeps of the conversation's answers: the questions' answers, the province's
# name the commune question shows, the questions the user skipped (not asked again) and what
# the members answer counted.
SKIPPED = "_skipped"
MEMBERS_OF = "_members_of"  # what the members answer counted (people, or cooperatives for a liên hiệp)


def plan_keys() -> set[str]:
    """The answer keys a saved plan keeps."""
    return {q.save_as for q in questions()} | {"province_name", SKIPPED, MEMBERS_OF}


def plan_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers as a plan saves them (the conversation's own bookkeeping left out)."""
    keys = plan_keys()
    return {k: v for k, v in answers.items() if k in keys}


async def load_plan(session: AsyncSession, user_id: int) -> FoundingPlan | None:
    """The user's saved plan, or None."""
    return (await session.execute(select(FoundingPlan).where(FoundingPlan.user_id == user_id))).scalar_one_or_none()


async def save_plan(session: AsyncSession, user_id: int, answers: dict[str, Any], *, fresh: bool = False) -> FoundingPlan:
    """Save the answers as the user's plan; ticked steps are kept unless the plan starts afresh."""
    plan = await load_plan(session, user_id)
    if plan is None:
        plan = FoundingPlan(user_id=user_id, answers={}, progress={})
        session.add(plan)
    plan.answers = plan_answers(answers)
    if fresh:
        plan.progress = {}
    plan.updated_at = utcnow()
    await session.flush()
    return plan


async def toggle_step(session: AsyncSession, user_id: int, step_id: str) -> dict[str, bool]:
    """Mark a plan step done (or not done again); returns the whole progress. The plan must exist."""
    plan = await load_plan(session, user_id)
    if plan is None:
        raise LookupError(f"user {user_id} has no founding plan")
    progress = dict(plan.progress or {})
    progress[step_id] = not progress.get(step_id, False)
    plan.progress = progress  # a new dict: JSON columns do not see changes made in place
    plan.updated_at = utcnow()
    await session.flush()
    return progress


async def count_download(session: AsyncSession, user_id: int) -> None:
    """Note that the user downloaded the drafts (how many times, and when last)."""
    plan = await load_plan(session, user_id)
    if plan is not None:
        plan.drafts_downloads = (plan.drafts_downloads or 0) + 1
        plan.drafts_at = utcnow()
        await session.flush()
