"""Offline checks of a proposed name (Nghị định 92/2024/NĐ-CP, Điều 15).

Whether a name is identical or confusingly similar to a registered one needs the national
database: the bot cannot check it and says so. It checks what it can: the name starts with
the form and a proper name follows, uses Vietnamese letters and digits, is not too long,
and avoids a small list of unsuitable words (the last three are hedged warnings).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

from flows.engine.content import load_yaml
from flows.engine.text import fold
from flows.founding.finding import Finding
from flows.founding.forms import FORMS, Form

# Vietnamese vowels take at most one tone mark (grave, acute, tilde, hook, dot below) and
# a vowel modifier where it exists (circumflex on a e o, breve on a, horn on o u).
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_MODIFIERS = {
    "a": {"\u0302", "\u0306"},
    "e": {"\u0302"},
    "o": {"\u0302", "\u031b"},
    "u": {"\u031b"},
    "i": set(),
    "y": set(),
}
_CONSONANTS = set("bcdghklmnpqrstvx")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@functools.cache
def _rules() -> dict[str, Any]:
    return load_yaml("founding/naming.yaml")


def clean_name(name: str) -> str:
    """The name as typed, NFC-normalised, control characters removed, spaces collapsed."""
    name = _CONTROL.sub("", unicodedata.normalize("NFC", name))
    return " ".join(name.split())


def is_vietnamese_letter(char: str) -> bool:
    """Whether a character is a letter of the Vietnamese alphabet (F, J, W, Z allowed, per naming.yaml)."""
    if char in "đĐ":
        return True
    base, *marks = unicodedata.normalize("NFD", char.lower())
    if base in _CONSONANTS or base in _rules()["extra_letters"]:
        return not marks
    if base not in _MODIFIERS:
        return False
    tones = [m for m in marks if m in _TONES]
    modifiers = [m for m in marks if m not in _TONES]
    return len(tones) <= 1 and len(modifiers) <= 1 and all(m in _MODIFIERS[base] for m in modifiers)


def _starts_with(folded: str, prefix: str) -> bool:
    prefix = fold(prefix)
    return folded == prefix or folded.startswith(prefix + " ")


def _prefix_of(folded: str) -> tuple[Form | None, str]:
    """The form whose full prefix or alias starts the name (longest first) and the matched text."""
    candidates = [(f, p) for f in FORMS.values() for p in (f.name_prefix, *f.name_aliases)]
    candidates.sort(key=lambda c: len(fold(c[1])), reverse=True)
    for form, prefix in candidates:
        if _starts_with(folded, prefix):
            return form, prefix
    return None, ""


def check_name(raw: str, form: Form | None) -> list[Finding]:
    """Findings about a proposed name for the given form (None when the form is not chosen yet)."""
    rules = _rules()
    ref = rules["reference"]
    name = clean_name(raw)
    if not name:
        return [Finding("name_empty", "block", ref)]
    folded = fold(name)
    found, matched = _prefix_of(folded)
    proper = " ".join(name.split(" ")[len(matched.split()) :])
    findings: list[Finding] = []
    if form is not None:
        if found is not None and found.id != form.id:
            findings.append(
                Finding(
                    "name_wrong_form", "block", ref, {"name": name, "form": form.label, "other": found.label}
                )
            )
        elif found is None:
            findings.append(
                Finding(
                    "name_missing_prefix",
                    "warn",
                    ref,
                    {"name": name, "prefix": form.name_prefix, "suggestion": f"{form.name_prefix} {name}"},
                )
            )
        elif proper and fold(matched) != fold(form.name_prefix):
            findings.append(
                Finding(
                    "name_abbreviated",
                    "warn",
                    ref,
                    {"name": name, "prefix": form.name_prefix, "suggestion": f"{form.name_prefix} {proper}"},
                )
            )
    if found is not None and not proper:
        findings.append(
            Finding("name_no_proper_name", "block", ref, {"name": name, "prefix": found.name_prefix})
        )
    bad = sorted({c for c in name if not (c == " " or c.isdigit() or is_vietnamese_letter(c))})
    if bad:
        findings.append(Finding("name_bad_characters", "warn", ref, {"name": name, "characters": bad}))
    if len(name) > rules["max_length"]:
        findings.append(
            Finding(
                "name_too_long",
                "warn",
                ref,
                {"name": name, "length": len(name), "max_length": rules["max_length"]},
            )
        )
    padded = f" {folded} "
    hits = [w for w in rules["sensitive_words"] if f" {fold(w)} " in padded]
    if hits:
        findings.append(Finding("name_sensitive_words", "warn", ref, {"name": name, "words": hits}))
    findings.append(Finding("name_uniqueness_offline", "info", ref, {"name": name}))
    return findings
