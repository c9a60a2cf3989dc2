"""The personal founding plan: ordered steps, the dossier for the form, where to file and who helps.

Steps, dossier and filing facts are data in content/founding/ (steps.yaml, dossier.yaml,
where.yaml), each with its citations: Luật Hợp tác xã 2023 Điều 38–42 and 74, Nghị định
295/2026/NĐ-CP Điều 4, 5, 12, 19, 59 (registration at commune level). The plan is shown as a
short summary; each step and the filing facts are shown one at a time, on request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vietnam_provinces import Province, Ward

from flows.engine.content import load_yaml, render
from flows.engine.law import Citation
from flows.founding.finding import Finding, citations, render_findings, source
from flows.founding.forms import FORMS, Form
from flows.founding.names import proper_name
from flows.founding.rules import check, has_foreign, places


@dataclass(frozen=True, slots=True)
class PlanStep:
    """One step of the plan; `id` is stable (progress is saved by it)."""

    id: str
    title: str
    detail: str
    references: tuple[Citation, ...]

    @property
    def source(self) -> str:
        return source(self.references)


@dataclass(frozen=True, slots=True)
class DossierItem:
    """One paper of the registration dossier and its source."""

    id: str
    label: str
    references: tuple[Citation, ...]

    @property
    def source(self) -> str:
        return source(self.references)


@dataclass(frozen=True, slots=True)
class Plan:
    """A founding plan for one group's answers."""

    form: Form
    name: str | None  # as the drafts write it ("Hợp tác xã Nông nghiệp Long Hiệp")
    steps: tuple[PlanStep, ...]
    dossier: tuple[DossierItem, ...]
    place: str | None  # "Xã A, Tỉnh B" when known
    where: dict[str, Any]  # where.yaml for this form: label, detail and source of each part
    findings: tuple[Finding, ...]

    def step(self, step_id: str) -> PlanStep:
        """The step with this id (KeyError when the plan has none)."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    @property
    def serious(self) -> list[Finding]:
        """The findings worth a warning (blocks and warnings, not notes)."""
        return [f for f in self.findings if f.severity != "info"]


def build_plan(answers: dict[str, Any]) -> Plan:
    """The plan for the answers; the form must be one of FORMS (ValueError otherwise)."""
    form = FORMS.get(answers.get("form") or "")
    if form is None:
        raise ValueError(f"build_plan needs a form among {sorted(FORMS)}, got {answers.get('form')!r}")
    dossier = _dossier(form, has_foreign(answers))
    return Plan(
        form=form,
        name=proper_name(str(answers.get("name") or ""), form, places(answers)) or None,
        steps=_steps(form, dossier),
        dossier=dossier,
        place=place_of(answers),
        where=_where(form),
        findings=tuple(check(answers)),
    )


def next_step(plan: Plan, progress: dict[str, bool]) -> PlanStep | None:
    """The first step not yet marked done; None when all are done."""
    return next((s for s in plan.steps if not progress.get(s.id)), None)


def render_plan(plan: Plan, progress: dict[str, bool], channel: str | None = None, drafts: int = 0) -> str:
    """The plan's summary: name, place, how many steps and papers, where to file, how long, and a
    count of the warnings (their text is a detail, shown on request)."""
    return render(
        "founding/plan.j2",
        channel,
        plan=plan,
        where=plan.where,
        warnings=len(plan.serious),
        next=next_step(plan, progress),
        drafts=drafts,
    )


def render_step(plan: Plan, step_id: str, progress: dict[str, bool], channel: str | None = None) -> str:
    """One step in full: what to do, its sources, and the dossier's papers for the dossier step."""
    step = plan.step(step_id)
    return render(
        "founding/plan_step.j2",
        channel,
        step=step,
        number=plan.steps.index(step) + 1,
        done=bool(progress.get(step.id)),
        dossier=plan.dossier if step.id == "dossier" else (),
    )


def render_where(plan: Plan, channel: str | None = None) -> str:
    """Where and how to file, and who files, each with its source."""
    return render("founding/plan_where.j2", channel, where=plan.where, place=plan.place)


def render_time(plan: Plan, channel: str | None = None) -> str:
    """How long registration takes, the fee, the public look-up and who helps, each with its source."""
    return render("founding/plan_time.j2", channel, where=plan.where)


def render_warnings(plan: Plan, channel: str | None = None) -> str:
    """The plan's warnings (blocks first), each with its source; '' when there are none."""
    return render_findings(plan.serious, channel) if plan.serious else ""


def render_progress(plan: Plan, progress: dict[str, bool], channel: str | None = None) -> str:
    """A short progress view: how many steps are done and the next one."""
    done = sum(1 for s in plan.steps if progress.get(s.id))
    return render(
        "founding/progress.j2",
        channel,
        plan=plan,
        progress=progress,
        done=done,
        total=len(plan.steps),
        next=next_step(plan, progress),
    )


def _for(form: Form, items: list[dict[str, Any]]) -> dict[str, Any]:
    return next(i for i in items if form.id in i["forms"])


def _part(raw: dict[str, Any]) -> dict[str, Any]:
    """A part of where.yaml with its citations (`refs`) and their words (`source`)."""
    refs = citations(raw.get("reference"))
    return {**raw, "refs": refs, "source": source(refs)}


def _where(form: Form) -> dict[str, Any]:
    """where.yaml for one form; `*_source` join the sources of the parts a line puts together."""
    raw = load_yaml("founding/where.yaml")
    parts = {
        "office": _part(raw["office"]),
        "anywhere": _part(raw["anywhere"]),
        "paper": _part(raw["paper"]),
        "ways": _part(raw["ways"]),
        "filer": _part(_for(form, raw["filers"])),
        "processing": _part(_for(form, raw["processing"])),
        "defects": _part(raw["defects"]),
        "fee": _part(_for(form, raw["fees"])),
        "lookup": _part(raw["lookup"]),
    }

    def joined(*names: str) -> str:
        return source(tuple(c for n in names for c in parts[n]["refs"]))

    return parts | {
        "helpers": [_part(h) for h in raw["helpers"]],
        "summary_source": joined("office", "anywhere", "processing"),
        "ways_source": joined("ways", "paper"),
        "time_source": joined("processing", "defects"),
    }


def _dossier(form: Form, foreign: bool) -> tuple[DossierItem, ...]:
    items = []
    for raw in load_yaml("founding/dossier.yaml")["items"]:
        if form.id not in raw["forms"] or (raw.get("only_if_foreign") and not foreign):
            continue
        items.append(DossierItem(raw["id"], raw["label"], citations(raw["reference"])))
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
        refs = citations(raw.get("references"))
        if raw.get("references_from") == "form":
            refs = form.reference
        elif raw.get("references_from") == "dossier":
            refs = tuple(dict.fromkeys(c for item in dossier for c in item.references))
        steps.append(PlanStep(raw["id"], raw["title"], " ".join(raw["detail"].format_map(values).split()), refs))
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
