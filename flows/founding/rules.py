"""The founding checks: minimum members, who may be a member, capital caps, foreign members, sector and name.

Encodes Luật Hợp tác xã 2023 (Điều 4 khoản 7, 8, 21; Điều 30 khoản 1; Điều 42) and, for names,
Nghị định 92/2024/NĐ-CP Điều 15. Each check runs only when its answers are present, so the
flow may call `check` after every question.
"""

from __future__ import annotations

from typing import Any

from flows.engine.content import load_yaml
from flows.founding.finding import SEVERITY_ORDER, Finding
from flows.founding.forms import FORMS, Form, form_settings, sectors
from flows.founding.names import check_name

_HTX_KINDS_ONLY = {"ca_nhan", "ho_gia_dinh"}  # kinds that cannot be members of a liên hiệp


def has_foreign(answers: dict[str, Any]) -> bool:
    """Whether the answers say a foreign investor will be a member."""
    return bool(answers.get("has_foreign")) or "nha_dau_tu_nuoc_ngoai" in (answers.get("member_kinds") or ())


def check(answers: dict[str, Any]) -> list[Finding]:
    """All findings for the answers so far, most serious first (blocks, then warnings, then notes)."""
    form = FORMS.get(answers.get("form") or "")
    findings: list[Finding] = []
    if answers.get("form") == "chua_ro":
        findings.append(Finding("form_undecided", "info", form_settings()["law"]))
    if form is not None:
        findings += _members(form, answers)
        findings += _member_kinds(form, answers)
        findings += _capital(form, answers)
        if form.id != "to_hop_tac" and has_foreign(answers):
            findings += _foreign()
    findings += _sector(answers)
    if "name" in answers:
        findings += check_name(str(answers["name"] or ""), form)
    return sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity])


def _members(form: Form, answers: dict[str, Any]) -> list[Finding]:
    members = answers.get("members")
    if members is None:
        return []
    if members < form.min_members:
        # A liên hiệp's members are HTX: no smaller form of people fits them.
        offers = (
            ()
            if form.id == "lien_hiep"
            else tuple(
                f.id
                for f in FORMS.values()
                if f.id not in (form.id, "lien_hiep") and f.min_members <= members
            )
        )
        return [
            Finding(
                "members_below_minimum",
                "block",
                form.members_reference,
                {
                    "form": form.label,
                    "minimum": form.min_members,
                    "members": members,
                    "member_noun": form.member_noun,
                    "offers": [FORMS[i].label for i in offers],
                },
                offers,
            )
        ]
    htx = FORMS["hop_tac_xa"]
    if form.id == "to_hop_tac" and members >= htx.min_members:
        return [
            Finding(
                "could_be_htx",
                "info",
                htx.members_reference,
                {"members": members, "minimum": htx.min_members},
                (htx.id,),
            )
        ]
    return []


def _member_kinds(form: Form, answers: dict[str, Any]) -> list[Finding]:
    kinds = set(answers.get("member_kinds") or ())
    ref = form_settings()["membership_reference"]
    if form.id == "lien_hiep":
        if kinds & _HTX_KINDS_ONLY:
            return [
                Finding(
                    "lien_hiep_members_are_htx", "warn", form.members_reference, {"minimum": form.min_members}
                )
            ]
        return []
    findings = []
    if "ca_nhan" in kinds and form.id == "hop_tac_xa":
        findings.append(Finding("individual_conditions", "info", ref))
    if "ho_gia_dinh" in kinds and form.id == "hop_tac_xa":
        findings.append(Finding("household_representative", "info", ref))
    return findings


def _capital(form: Form, answers: dict[str, Any]) -> list[Finding]:
    capital = answers.get("charter_capital")
    largest = answers.get("largest_contribution")
    if form.max_single_share_pct is None or capital is None:
        return []
    ref = form_settings()["capital_reference"]
    if capital <= 0:
        return [Finding("capital_missing", "warn", ref, {"form": form.label})]
    if largest is None:
        return []
    if largest > capital:
        return [
            Finding("contribution_exceeds_capital", "block", ref, {"largest": largest, "capital": capital})
        ]
    findings = []
    cap = form.max_single_share_pct
    if largest * 100 > capital * cap:
        findings.append(
            Finding(
                "contribution_over_cap",
                "warn",
                form_settings()["single_share_reference"],
                {
                    "form": form.label,
                    "cap_pct": cap,
                    "share_pct": round(largest * 100 / capital, 1),
                    "largest": largest,
                    "capital": capital,
                    "allowed": capital * cap // 100,
                },
            )
        )
    members = answers.get("members")
    if members and largest * members < capital:
        findings.append(
            Finding(
                "contribution_inconsistent",
                "warn",
                ref,
                {"largest": largest, "capital": capital, "members": members},
            )
        )
    return findings


def _foreign() -> list[Finding]:
    settings = form_settings()["foreign"]
    return [
        Finding("foreign_dossier", "info", settings["dossier_reference"]),
        Finding("foreign_cap", "warn", settings["reference"], {"cap_pct": settings["max_total_pct"]}),
    ]


def _sector(answers: dict[str, Any]) -> list[Finding]:
    sector = sectors().get(answers.get("sector") or "")
    if sector and sector.get("conditional"):
        reference = load_yaml("founding/sectors.yaml")["conditional_note_reference"]
        return [Finding("sector_conditions", "info", reference, {"sector": sector["label"]})]
    return []
