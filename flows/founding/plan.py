"""The personal founding plan: ordered steps, the dossier for the form, where to file and who helps.

Steps, dossier and filing facts are data in content/founding/ (steps.yaml, dossier.yaml,
where.yaml) with their legal references: Luật Hợp tác xã 2023 Điều 40 and 42, Nghị định
92/2024/NĐ-CP Điều 11 and 15, Nghị định 125/2025/NĐ-CP (commune-level registration).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vietnam_provinces import Province, Ward

from flows.engine.content import load_yaml, render
from flows.founding.finding import Finding, render_findings
from flows.founding.forms import FORMS, Form
from flows.founding.names import clean_name
from flows.founding.rules import check, has_foreign


@dataclass(frozen=True, slots=True)
class PlanStep:
    """One step of the plan; `id` is stable (progress is saved by it)."""

    id: str
    title: str
    detail: str
    references: tuple[str, ...]
    unverified: bool = False


@dataclass(frozen=True, slots=True)
class DossierItem:
    """One paper of the registration dossier and its source."""

    id: str
    label: str
    reference: str
    unverified: bool = False


@dataclass(frozen=True, slots=True)
class Plan:
    """A founding plan for one group's answers."""

    form: Form
    name: str | None
    steps: tuple[PlanStep, ...]
    dossier: tuple[DossierItem, ...]
    place: str | None  # "Xã A, Tỉnh B" when known
    where: dict[str, Any]
    helpers: tuple[dict[str, Any], ...]
    findings: tuple[Finding, ...]

    def step(self, step_id: str) -> PlanStep:
        """The step with this id (KeyError when the plan has none)."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)


def build_plan(answers: dict[str, Any]) -> Plan:
    """The plan for the answers; the form must be one of FORMS (ValueError otherwise)."""
    form = FORMS.get(answers.get("form") or "")
    if form is None:
        raise ValueError(f"build_plan needs a form among {sorted(FORMS)}, got {answers.get('form')!r}")
    dossier = _dossier(form, has_foreign(answers))
    where = load_yaml("founding/where.yaml")
    name = clean_name(str(answers.get("name") or "")) or None
    return Plan(
        form=form,
        name=name,
        steps=_steps(form, dossier),
        dossier=dossier,
        place=place_of(answers),
        where=where,
        helpers=tuple(where["helpers"]),
        findings=tuple(check(answers)),
    )


def next_step(plan: Plan, progress: dict[str, bool]) -> PlanStep | None:
    """The first step not yet marked done; None when all are done."""
    return next((s for s in plan.steps if not progress.get(s.id)), None)


def render_plan(plan: Plan, progress: dict[str, bool], channel: str | None = None) -> str:
    """The whole plan in Vietnamese with done marks, the dossier, where to file and who helps, each with its source."""
    serious = [f for f in plan.findings if f.severity != "info"]
    return render(
        "founding/plan.j2",
        channel=channel,
        plan=plan,
        progress=progress,
        findings=render_findings(serious, channel) if serious else "",
        foreign=any(i.id == "chung_nhan_dau_tu" for i in plan.dossier),
    )


def render_progress(plan: Plan, progress: dict[str, bool], channel: str | None = None) -> str:
    """A short progress view: how many steps are done and the next one."""
    done = sum(1 for s in plan.steps if progress.get(s.id))
    return render(
        "founding/progress.j2",
        channel=channel,
        plan=plan,
        progress=progress,
        done=done,
        total=len(plan.steps),
        next=next_step(plan, progress),
    )


def _dossier(form: Form, foreign: bool) -> tuple[DossierItem, ...]:
    items = []
    for raw in load_yaml("founding/dossier.yaml")["items"]:
        if form.id not in raw["forms"] or (raw.get("only_if_foreign") and not foreign):
            continue
        items.append(DossierItem(raw["id"], raw["label"], raw["reference"], raw.get("unverified", False)))
    return tuple(items)


def _steps(form: Form, dossier: tuple[DossierItem, ...]) -> tuple[PlanStep, ...]:
    values = {
        "form_label": form.label,
        "form_noun": form.label.lower(),
        "min_members": form.min_members,
        "member_noun": form.member_noun,
        "founded_by": form.founded_by,
    }
    steps = []
    for raw in load_yaml("founding/steps.yaml")["steps"]:
        if form.id not in raw["forms"]:
            continue
        refs = tuple(raw.get("references", ()))
        if raw.get("references_from") == "form":
            refs = (form.members_reference,)
        elif raw.get("references_from") == "dossier":
            refs = tuple(dict.fromkeys(item.reference for item in dossier))
        steps.append(
            PlanStep(
                raw["id"],
                raw["title"],
                " ".join(raw["detail"].format_map(values).split()),
                refs,
                raw.get("unverified", False),
            )
        )
    return tuple(steps)


def place_of(answers: dict[str, Any]) -> str | None:
    """'Xã A, Tỉnh B' from names in the answers or, failing that, from the codes."""
    province = answers.get("province_name") or _lookup(Province, answers.get("province_code"))
    commune = answers.get("commune_name") or _lookup(Ward, answers.get("commune_code"))
    parts = [p for p in (commune, province) if p]
    return ", ".join(parts) or None


def _lookup(kind: type[Province] | type[Ward], code: Any) -> str | None:
    if code in (None, ""):
        return None
    try:
        return kind.from_code(int(code)).name
    except (ValueError, TypeError, KeyError):
        return None
