"""The founding checks: minimum members, who may be a member, capital caps, foreign members, sector and name.

Encodes Luật Hợp tác xã 2023 (Điều 4 khoản 7, 8, 17, 21; Điều 30 khoản 1, 7; Điều 34 khoản 6;
Điều 42; Điều 74) and, for names, Điều 50 with Nghị định 295/2026/NĐ-CP Điều 15 and 17. Each
check runs only when its answers are present, so the flow may call `check` after every question.
"""

from __future__ import annotations

import math
from typing import Any

from flows.engine import geo
from flows.engine.content import load_yaml
from flows.founding.finding import SEVERITY_ORDER, Finding, citations
from flows.founding.forms import FORMS, Form, rule, sectors
from flows.founding.names import check_name
from flows.founding.writing import plain_place

_HTX_KINDS_ONLY = {"ca_nhan", "ho_gia_dinh"}  # kinds that cannot be members of a liên hiệp


def has_foreign(answers: dict[str, Any]) -> bool:
    """Whether the answers say a foreign investor will be a member."""
    return bool(answers.get("has_foreign")) or "nha_dau_tu_nuoc_ngoai" in (answers.get("member_kinds") or ())


def check(answers: dict[str, Any]) -> list[Finding]:
    """All findings for the answers so far, most serious first (blocks, then warnings, then notes)."""
    form = FORMS.get(answers.get("form") or "")
    findings: list[Finding] = []
    if answers.get("form") == "chua_ro":
        findings.append(Finding("form_undecided", "info", citations(load_yaml("founding/forms.yaml")["source"])))
    if form is not None:
        findings += _members(form, answers)
        findings += _member_kinds(form, answers)
        findings += _capital(form, answers)
        if form.id != "to_hop_tac" and has_foreign(answers):
            findings += _foreign(form, answers)
    findings += _sector(answers)
    if "name" in answers:
        findings += check_name(str(answers["name"] or ""), form, places(answers))
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
                form.reference,
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
                htx.reference,
                {"members": members, "minimum": htx.min_members},
                (htx.id,),
            )
        ]
    return []


def _member_kinds(form: Form, answers: dict[str, Any]) -> list[Finding]:
    kinds = set(answers.get("member_kinds") or ())
    ref = rule("membership")["reference"]
    if form.id == "lien_hiep":
        if kinds & _HTX_KINDS_ONLY:
            return [Finding("lien_hiep_members_are_htx", "warn", form.reference, {"minimum": form.min_members})]
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
    ref = rule("capital")["reference"]
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
                rule("single_share")["reference"],
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


def _foreign(form: Form, answers: dict[str, Any]) -> list[Finding]:
    total = rule("foreign_total")
    below = rule("foreign_members")["below_pct"]
    members = answers.get("members")
    # fewer than 35 % of the official members: at most ceil(35 % of them) - 1
    most = max(math.ceil(members * below / 100) - 1, 0) if members else None
    return [
        Finding("foreign_dossier", "info", rule("foreign_dossier")["reference"]),
        Finding("foreign_cap", "warn", total["reference"], {"cap_pct": total["max_pct"]}),
        Finding(
            "foreign_members",
            "info",
            form.foreign_members_reference,
            {"below_pct": below, "members": members, "max_foreign": most},
        ),
    ]


def _sector(answers: dict[str, Any]) -> list[Finding]:
    sector = sectors().get(answers.get("sector") or "")
    if sector and sector.get("conditional"):  # conditions of specialised laws the bot does not hold
        return [Finding("sector_conditions", "info", (), {"sector": sector["label"]})]
    return []


def places(answers: dict[str, Any]) -> tuple[str, ...]:
    """The commune and province of the answers, without 'Xã'/'Tỉnh' (to write the proposed name)."""
    found = []
    commune = answers.get("commune_name") or _commune_name(answers.get("commune_code"))
    for name in (commune, answers.get("province_name")):
        if name:
            found.append(plain_place(name))
    return tuple(found)


def _commune_name(code: Any) -> str | None:
    try:
        return geo.commune(int(code)).name if code not in (None, "") else None
    except (KeyError, ValueError, TypeError):
        return None
