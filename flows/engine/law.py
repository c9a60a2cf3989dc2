"""The registry of legal texts (content/law/texts.yaml), citations of them, and the citation checks.

A citation names a text of the registry, an article and how sure the content is of it
({text: nd-295-2026, article: "Điều 12 kh.1", status: verified}); `old: true` cites a text no
longer in force on purpose, in content that says so. The checks (see `check_entry`) are what
`htxbot content check` enforces on every YAML entry and template.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from flows.engine.files import parse_yaml

LAW_DIR = Path(__file__).resolve().parents[2] / "content" / "law"
Status = Literal["verified", "secondary", "unverified"]
TEXT_ID = r"^[a-z0-9][a-z0-9-]*$"
_ABBREVIATIONS = {"Nghị định": "NĐ", "Thông tư": "TT", "Quyết định": "QĐ", "Nghị quyết": "NQ", "Kế hoạch": "KH"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LegalText(_Model):
    """One legal text the bot cites, with the dates that decide whether it is current."""

    id: str = Field(pattern=TEXT_ID)
    kind: str
    number: str
    title: str
    issuer: str
    name: str | None = None  # how a citation names it; default "<kind> <number>"
    aliases: tuple[str, ...] = ()  # other ways content writes its name (found by the stale-name check)
    issued: dt.date | None = None
    in_force_from: dt.date | None = None
    in_force_until: dt.date | None = None  # last day in force
    replaced_by: str | None = None
    url: str | None = None
    note: str | None = None

    @property
    def label(self) -> str:
        """The text's name as a citation writes it."""
        return self.name or f"{self.kind} {self.number}"

    def in_force(self, day: dt.date) -> bool:
        """Whether the text is in force on `day` (an unknown start counts as in force)."""
        started = self.in_force_from is None or self.in_force_from <= day
        return started and (self.in_force_until is None or day <= self.in_force_until)


class Citation(_Model):
    """A legal citation in content: text id, article (if any), status, and whether it cites old law."""

    text: str = Field(pattern=TEXT_ID)
    article: str | None = None
    status: Status
    old: bool = False

    def __str__(self) -> str:
        return format_citation(self)


def _listify(value: Any) -> Any:
    return [value] if isinstance(value, dict) else value


# A YAML field holding one citation or a list of them; always a tuple once loaded.
Citations = Annotated[tuple[Citation, ...], BeforeValidator(_listify)]


class Registry(_Model):
    texts: tuple[LegalText, ...]

    @functools.cached_property
    def by_id(self) -> dict[str, LegalText]:
        return {t.id: t for t in self.texts}

    def get(self, text_id: str) -> LegalText | None:
        return self.by_id.get(text_id)


class Phrases(_Model):
    hedges: tuple[str, ...]
    old_context: tuple[str, ...]


@functools.cache
def registry() -> Registry:
    """The registry of content/law/texts.yaml (loaded once)."""
    reg = Registry.model_validate(_load("texts.yaml"))
    ids = [t.id for t in reg.texts]
    if dupes := {i for i in ids if ids.count(i) > 1}:
        raise ValueError(f"content/law/texts.yaml: duplicate ids {sorted(dupes)}")
    if bad := [t.id for t in reg.texts if t.replaced_by and t.replaced_by not in reg.by_id]:
        raise ValueError(f"content/law/texts.yaml: replaced_by names an unknown text in {bad}")
    return reg


@functools.cache
def phrases() -> Phrases:
    """The hedge phrases and old-law context words of content/law/hedges.yaml."""
    return Phrases.model_validate(_load("hedges.yaml"))


@functools.cache
def messages() -> dict[str, str]:
    """The Vietnamese wording of the check's findings (content/law/messages.yaml)."""
    return _load("messages.yaml")


def _load(name: str) -> Any:
    with open(LAW_DIR / name, encoding="utf-8") as fh:
        return parse_yaml(fh)


# ---- formatting ----------------------------------------------------------------------------

_ARTICLE_WORDS = ((re.compile(r"\bkh\.\s*"), "khoản "), (re.compile(r"\bđ\.\s*"), "điểm "))


def format_article(article: str) -> str:
    """'Điều 31 kh.1 đ.k–l' -> 'Điều 31 khoản 1 điểm k–l'."""
    for pattern, word in _ARTICLE_WORDS:
        article = pattern.sub(word, article)
    return article


def format_citation(citation: Citation | dict | Iterable[Citation | dict] | None) -> str:
    """A citation (or several: '; ' between texts) in Vietnamese: 'Nghị định 295/2026/NĐ-CP, Điều 12 khoản 1'."""
    if citation is None:
        return ""
    if isinstance(citation, str):  # already written out (e.g. a template variable filled by hand)
        return citation
    if isinstance(citation, Citation | dict):
        citation = (citation,)
    articles: dict[str, list[str]] = {}  # one text named once: "Luật …, Điều 18 khoản 2, Điều 22 khoản 2"
    for c in (Citation.model_validate(c) if isinstance(c, dict) else c for c in citation):
        found = articles.setdefault(c.text, [])
        if c.article and format_article(c.article) not in found:
            found.append(format_article(c.article))
    return "; ".join(", ".join([_label(t), *arts]) for t, arts in articles.items())


def _label(text_id: str) -> str:
    text = registry().get(text_id)
    return text.label if text else text_id


def cite(text: str, article: str | None = None, *, status: Status = "verified", old: bool = False) -> str:
    """The Jinja global: cite("nd-295-2026", "Điều 12 kh.1") -> 'Nghị định 295/2026/NĐ-CP, Điều 12 khoản 1'."""
    return format_citation(Citation(text=text, article=article, status=status, old=old))


def in_force(text_id: str, day: dt.date) -> bool:
    """Whether the registry's text `text_id` is in force on `day` (KeyError for an unknown id)."""
    text = registry().get(text_id)
    if text is None:
        raise KeyError(text_id)
    return text.in_force(day)


# ---- checks --------------------------------------------------------------------------------


class Finding(NamedTuple):
    """One failed citation check: where (file and entry), rule id, and the message in Vietnamese."""

    where: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def _finding(where: str, rule: str, **values: Any) -> Finding:
    return Finding(where, rule, messages()[rule].format(**values))


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def has_hedge(text: str) -> bool:
    """Whether `text` contains one of the hedge phrases."""
    folded = _fold(text)
    return any(_fold(h) in folded for h in phrases().hedges)


def check_citation(citation: Citation, day: dt.date, where: str) -> list[Finding]:
    """An unknown text, or a text not in force on `day` cited as current."""
    text = registry().get(citation.text)
    if text is None:
        return [_finding(where, "unknown_text", text=citation.text)]
    if citation.old or text.in_force(day):
        return []
    if text.in_force_from and day < text.in_force_from:
        return [_finding(where, "not_yet_in_force", text=text.label, since=f"{text.in_force_from:%d/%m/%Y}")]
    replaced = registry().get(text.replaced_by) if text.replaced_by else None
    return [
        _finding(
            where,
            "not_in_force",
            text=text.label,
            until=f"{text.in_force_until:%d/%m/%Y}",
            by=f" ({replaced.label})" if replaced else "",
        )
    ]


def check_entry(citations: Iterable[Citation], text: str, day: dt.date, where: str, hedged: bool = False) -> list[Finding]:
    """All checks on one entry (FAQ answer, programme item, template): its citations and the text it shows.

    A hedge (a phrase of content/law/hedges.yaml in `text`, or `hedged` when the entry marks itself
    unverified) belongs to an unverified or secondary citation; with only verified citations it is an
    error. An unverified citation needs a hedge.
    """
    citations = list(citations)
    findings = [f for c in citations for f in check_citation(c, day, where)]
    hedged = hedged or has_hedge(text)
    statuses = {c.status for c in citations}
    if hedged and statuses == {"verified"}:
        findings.append(_finding(where, "hedge_on_verified"))
    if "unverified" in statuses and not hedged:
        findings.append(_finding(where, "unverified_without_hedge"))
    return findings


@functools.cache
def _stale_names() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """A pattern per replaced text that finds its name written in words ("NĐ 92/2024")."""
    found = []
    for text in registry().texts:
        if not text.replaced_by:
            continue
        number, _, rest = text.number.partition("/")
        year = rest.split("/")[0]
        kinds = "|".join(re.escape(k) for k in (text.kind, _ABBREVIATIONS.get(text.kind, text.kind)))
        forms = [rf"(?:{kinds})\s*(?:số\s*)?{re.escape(number)}(?:/{year})?(?![\d/])", re.escape(text.number)]
        forms += [r"\s+".join(re.escape(w) for w in name.split()) for name in (text.label, *text.aliases)]
        found.append((text.id, re.compile("|".join(forms), re.IGNORECASE)))
    return tuple(found)


_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n")


def check_stale_names(text: str, where: str, old_ids: Iterable[str] = ()) -> list[Finding]:
    """A replaced text named in words as if current: no old-law context word in its sentence.

    `old_ids` are the texts the entry cites with `old: true`; naming them is allowed anywhere in it.
    """
    old_ids, findings = set(old_ids), []
    context = [_fold(w) for w in phrases().old_context]
    for sentence in _SENTENCE.split(text):
        folded = _fold(sentence)
        for text_id, pattern in _stale_names():
            match = pattern.search(sentence)
            if match and text_id not in old_ids and not any(w in folded for w in context):
                findings.append(_finding(where, "stale_name", name=match.group(0).strip()))
    return findings
