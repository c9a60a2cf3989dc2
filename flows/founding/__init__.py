"""The founding guide's domain: the three forms, the checks, the personal plan and the .docx drafts.

Pure functions over a dict of answers (keys: form, members, member_kinds, has_foreign, sector,
province_code, commune_code, charter_capital, largest_contribution, name); no database, no channel.
"""

from flows.founding.drafts import drafts
from flows.founding.finding import Finding, render_findings
from flows.founding.forms import (
    FORMS,
    Choice,
    Form,
    Question,
    next_question,
    questions,
    render_forms_comparison,
)
from flows.founding.plan import Plan, PlanStep, build_plan, next_step, render_plan, render_progress
from flows.founding.rules import check

__all__ = [
    "FORMS",
    "Choice",
    "Finding",
    "Form",
    "Plan",
    "PlanStep",
    "Question",
    "build_plan",
    "check",
    "drafts",
    "next_question",
    "next_step",
    "questions",
    "render_findings",
    "render_forms_comparison",
    "render_plan",
    "render_progress",
]
