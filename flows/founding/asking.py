"""The founding guide's questions as engine steps, and what follows each answer (issue 3).

The questions come from content/founding/questions.yaml in the order `next_question` gives;
a skipped question is not asked again; after each answer the checks that can now be made are
shown with their sources; too few members offer a smaller form or a new number; the
profile's place is reused (and the user told so); a new form renames the proposed name ("Hợp tác
xã Đồng Tâm" becomes "Tổ hợp tác Đồng Tâm") and its checks run again; whether a foreign investor
joins is asked once (among the member kinds of an HTX, on its own for a liên hiệp).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from flows.engine import geo
from flows.engine.content import load_yaml
from flows.engine.context import Context
from flows.engine.dsl import Ask
from flows.engine.inputs import Choice, Kind, Money, MultiChoice, Option, Text, WholeNumber, YesNo
from flows.engine.messages import Reply
from flows.engine.places import Commune, Province
from flows.founding.finding import Finding, render_findings
from flows.founding.forms import FORMS, Question, next_question, questions, render_forms_comparison
from flows.founding.names import name_parts
from flows.founding.plan import place_of
from flows.founding.progress import MEMBERS_OF, SKIPPED
from flows.founding.rules import check

WORDS = load_yaml("founding/conversation.yaml")
_QUESTIONS: dict[str, Question] = {q.step: q for q in questions()}


class Step(StrEnum):
    """The founding flow's steps, as saved in the conversation (question steps match questions.yaml)."""

    FORM = "form"
    MEMBERS = "members"
    MEMBER_KINDS = "member_kinds"
    FOREIGN = "foreign"
    SECTOR = "sector"
    PROVINCE = "province"
    COMMUNE = "commune"
    CHARTER_CAPITAL = "charter_capital"
    LARGEST_CONTRIBUTION = "largest_contribution"
    NAME = "name"
    COMPARISON = "comparison"
    CHECK = "check"
    MEMBERS_BLOCKED = "members_blocked"
    AFTER_BLOCK = "after_block"
    SAVE = "save"
    PLAN = "plan"
    HOME = "home"
    PROGRESS = "progress"
    TICK = "tick"
    EDIT = "edit"
    DRAFTS = "drafts"
    NEW = "new"
    DETAILS = "details"
    DETAIL = "detail"


if not set(_QUESTIONS) <= set(Step):  # a question added to questions.yaml needs its step id here
    raise RuntimeError(f"founding questions without a step id: {sorted(set(_QUESTIONS) - set(Step))}")


# ---- the questions ------------------------------------------------------------------------


def _options(q: Question) -> list[Option]:
    aliases = {f.id: f.name_aliases for f in FORMS.values()} if q.save_as == "form" else {}
    aliases.update(WORDS["form_aliases"] if q.save_as == "form" else {})
    return [Option(c.id, c.label, (*c.aliases, *aliases.get(c.id, ()))) for c in q.choices]


def _options_for(q: Question):
    """The question's options for the answers so far (a choice may be for some forms only)."""
    options = _options(q)

    def offered(ctx: Context) -> list[Option]:
        ids = {c.id for c in q.choices_for(ctx.answers)}
        return [o for o in options if o.id in ids]

    return offered if any(c.only_forms for c in q.choices) else options


def _input(q: Question) -> Kind:
    kinds = {
        "choice": lambda: Choice(_options_for(q)),
        "multi_choice": lambda: MultiChoice(_options_for(q)),
        "yes_no": YesNo,
        "whole_number": lambda: WholeNumber(min=q.min or 0, max=q.max or 10**9),
        "money": lambda: Money(min=q.min or 0, max=q.max or 10**13),
        "province": Province,
        "commune": lambda: Commune(province_key="province_code"),
        "text": lambda: Text(max_len=300),
    }
    return kinds[q.kind]()


ASKS = {q.step: Ask(q.step, q.template, _input(q), save_as=q.save_as, next=Step.CHECK) for q in questions()}


def _finding_key(finding: Finding) -> str:
    return f"{finding.code}:{sorted(finding.vars.items())!r}"


def _say_findings(ctx: Context, findings: list[Finding]) -> None:
    if findings:
        ctx.replies.append(Reply(render_findings(findings, ctx.channel)))


def _derive(answers: dict[str, Any], q: Question) -> None:
    """Answers that follow from the one just given: the province's name, a commune of another province,
    a foreign investor among an HTX's member kinds."""
    if q.save_as == "province_code":
        code = answers.get("province_code")
        if code is None:
            answers.pop("province_name", None)
            return
        answers["province_name"] = geo.province(int(code)).name
        commune = answers.get("commune_code")
        if commune is not None and geo.commune(int(commune)).province_code != int(code):
            answers.pop("commune_code")
            answers[SKIPPED] = [k for k in answers.get(SKIPPED, []) if k != "commune_code"]
    if q.save_as == "members" and "members" in answers:
        answers[MEMBERS_OF] = _member_unit(answers.get("form"))
    if q.save_as == "form" and answers.get(MEMBERS_OF, _member_unit(answers["form"])) != _member_unit(answers["form"]):
        answers.pop("members", None)  # people then, cooperatives now (or the other way): ask again
        answers.pop(MEMBERS_OF)
    if q.save_as == "member_kinds" and answers.get("form") == "hop_tac_xa" and answers.get("member_kinds") is not None:
        answers["has_foreign"] = "nha_dau_tu_nuoc_ngoai" in answers["member_kinds"]


def _rename(ctx: Context) -> None:
    """After a new form: a name that begins with another form ("Hợp tác xã Đồng Tâm" for a tổ hợp
    tác) is given the new form's prefix, and the user is told."""
    form = FORMS.get(ctx.answers.get("form") or "")
    name, found, matched = name_parts(str(ctx.answers.get("name") or ""))
    if form is None or found is None or found.id == form.id:
        return
    rest = name.split(" ")[len(matched.split()) :]
    ctx.answers["name"] = " ".join([form.name_prefix, *rest])
    ctx.say("founding/flow/name_updated.j2", name=ctx.answers["name"])


def _member_unit(form: str | None) -> str:
    """What the members question counted: cooperatives for a liên hiệp, people otherwise."""
    return "cooperatives" if form == "lien_hiep" else "people"


def _members_block(findings: list[Finding]) -> Finding | None:
    return next((f for f in findings if f.code == "members_below_minimum"), None)


async def after_answer(ctx: Context) -> str:
    """After a question (answered or skipped): note skips, show the new findings, pick what comes next."""
    answers = ctx.answers
    q = _QUESTIONS.get(ctx.state.history[-1] if ctx.state.history else "")
    if q is None:
        return _advance(ctx)
    if q.save_as == "form":
        if answers.get("form") not in FORMS:
            return Step.COMPARISON
        ctx.record("founding.form_chosen", form=answers["form"])
    skipped = set(answers.get(SKIPPED, []))
    (skipped.discard if q.save_as in answers else skipped.add)(q.save_as)
    answers[SKIPPED] = sorted(skipped)
    seen = {_finding_key(f) for f in check({k: v for k, v in answers.items() if k != q.save_as})}
    _derive(answers, q)
    if q.save_as == "form":
        _rename(ctx)
    new = [f for f in check(answers) if _finding_key(f) not in seen and f.code != "form_undecided"]
    block = _members_block(new) if q.save_as == "members" else None
    _say_findings(ctx, [f for f in new if f is not block])
    if block is not None:
        return Step.MEMBERS_BLOCKED
    codes = {f.code for f in new}
    if "capital_missing" in codes:  # both findings ask for the number again (the user may skip it)
        return Step.CHARTER_CAPITAL
    if "contribution_exceeds_capital" in codes:
        return Step.LARGEST_CONTRIBUTION
    return _advance(ctx)


def _advance(ctx: Context) -> str:
    """The next question by `next_question` (skipped ones count as answered), or the plan."""
    answers = ctx.answers

    def upcoming() -> Question | None:
        return next_question({**{k: None for k in answers.get(SKIPPED, [])}, **answers})

    q = upcoming()
    if q is not None and q.save_as == "province_code" and ctx.profile.province_code:
        answers["province_code"] = ctx.profile.province_code
        answers["province_name"] = geo.province(ctx.profile.province_code).name
        commune = ctx.profile.commune_code
        if commune and geo.commune(commune).province_code == ctx.profile.province_code:
            answers["commune_code"] = commune
        ctx.say("founding/flow/place_from_profile.j2", place=place_of(answers))
        q = upcoming()
    return q.step if q is not None else Step.SAVE


# ---- too few members ----------------------------------------------------------------------


def block_options(ctx: Context) -> list[Option]:
    """After too few members: each smaller form that fits, a new number, or going on to recruit."""
    words = WORDS["members_blocked"]
    block = _members_block(check(ctx.answers))
    offers = block.offers if block else ()
    options = [Option(f"form:{i}", words["switch"].format(form=FORMS[i].label.lower())) for i in offers]
    return [*options, Option("change", words["change"]), Option("continue", words["continue"])]


def block_vars(ctx: Context) -> dict[str, Any]:
    """The too-few-members finding with its source, for the question's prompt."""
    block = _members_block(check(ctx.answers))
    return {"finding": render_findings([block], ctx.channel) if block else ""}


async def after_block(ctx: Context) -> str:
    """Apply the choice made after too few members: switch form, ask the number again, or go on."""
    choice = ctx.scratch.pop("choice", None) or "continue"
    if choice == "change":
        return Step.MEMBERS
    if choice.startswith("form:") and choice[5:] in FORMS:
        ctx.record("founding.form_chosen", form=choice[5:], instead_of=ctx.answers.get("form"))
        ctx.answers["form"] = choice[5:]
        _rename(ctx)
        _say_findings(ctx, [f for f in check(ctx.answers) if f.severity != "info"])
    return _advance(ctx)


def comparison_vars(ctx: Context) -> dict[str, Any]:
    """The three forms side by side, and whether the user skipped the form question."""
    return {"comparison": render_forms_comparison(ctx.channel), "skipped": "form" not in ctx.answers}
