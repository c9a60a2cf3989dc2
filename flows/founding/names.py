"""Offline checks of a proposed name (Luật Hợp tác xã 2023, Điều 50; Nghị định 295/2026/NĐ-CP, Điều 15, 17).

Whether a name is identical or confusingly similar to a registered one needs the national
database: the bot cannot check it and says so. It checks what it can: the name starts with the
form in full and a proper name follows, of Vietnamese letters, digits and symbols (the allowed
symbols are listed in Thông tư 09/2024/TT-BKHĐT, Phụ lục VIII, which the bot does not have: it
asks the user to check them), avoids a small list of unsuitable words, and is not longer than the
bot advises (its own advice, not law). It also says how the drafts will write the name. A tổ hợp
tác's own naming rules are unverified, so its findings cite Nghị định 294/2026/NĐ-CP, hedged.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

from flows.engine.content import load_yaml
from flows.engine.law import Citation
from flows.engine.numbers import is_ascii_digits
from flows.engine.text import fold
from flows.founding.finding import Finding, citations
from flows.founding.forms import FORMS, Form
from flows.founding.writing import written_name

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


def name_parts(raw: str) -> tuple[str, Form | None, str]:
    """The cleaned name, the form its first words name (or None) and those words as typed."""
    name = clean_name(raw)
    found, matched = _prefix_of(fold(name))
    return name, found, matched


def proper_name(raw: str, form: Form | None, places: tuple[str, ...] = ()) -> str:
    """The name as the plan and the drafts write it ('' when none was typed)."""
    name, found, matched = name_parts(raw)
    return written_name(name, form, found, matched, places) if name else ""


def _reference(code: str, form: Form | None) -> tuple[Citation, ...]:
    rules = _rules()
    if form is not None and form.id == "to_hop_tac":
        return citations(rules["to_hop_tac"]["reference"])
    if code in rules["findings"]:
        return citations(rules["findings"][code]["reference"])
    return citations(rules["reference"])


def check_name(raw: str, form: Form | None, places: tuple[str, ...] = ()) -> list[Finding]:
    """Findings about a proposed name for the given form (None when the form is not chosen yet).

    `places` (commune, province) help to write a name typed without diacritics.
    """
    rules = _rules()
    name, found, matched = name_parts(raw)

    def finding(code: str, severity: str, **values) -> Finding:
        return Finding(code, severity, _reference(code, form), {"name": name, **values})

    if not name:
        return [finding("name_empty", "block")]
    proper = " ".join(name.split(" ")[len(matched.split()) :])
    written = written_name(name, form, found, matched, places)
    findings: list[Finding] = []
    if form is not None:
        if found is not None and found.id != form.id:
            findings.append(finding("name_wrong_form", "block", form=form.label, other=found.label))
        elif found is None:
            findings.append(finding("name_missing_prefix", "warn", prefix=form.name_prefix, suggestion=written))
        elif proper and fold(matched) != fold(form.name_prefix):
            findings.append(finding("name_abbreviated", "warn", prefix=form.name_prefix, suggestion=written))
    if found is not None and not proper:
        findings.append(finding("name_no_proper_name", "block", prefix=found.name_prefix))
    odd = sorted({c for c in name if not (c == " " or is_ascii_digits(c) or is_vietnamese_letter(c))})
    letters = [c for c in odd if unicodedata.category(c).startswith("L")]
    symbols = [c for c in odd if c not in letters]
    if letters:
        findings.append(finding("name_bad_characters", "warn", characters=letters))
    if symbols:
        findings.append(finding("name_symbols", "info", characters=symbols))
    if len(name) > rules["max_length"]:
        findings.append(finding("name_too_long", "info", length=len(name), max_length=rules["max_length"]))
    padded = f" {fold(name)} "
    hits = [w for w in rules["sensitive_words"] if f" {fold(w)} " in padded]
    if hits:
        findings.append(finding("name_sensitive_words", "warn", words=hits))
    suggested = any(f.code in ("name_missing_prefix", "name_abbreviated") for f in findings)
    if written != name and proper and not suggested:
        findings.append(finding("name_written_as", "info", written=written))
    findings.append(finding("name_uniqueness_offline", "info", name=written))
    return findings
