"""A finding of the founding checks: what is wrong or worth knowing, how serious, and its legal source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import TypeAdapter

from flows.engine.content import render
from flows.engine.law import Citation, Citations, format_article, format_citation

Severity = Literal["block", "warn", "info"]
SEVERITY_ORDER: dict[str, int] = {"block": 0, "warn": 1, "info": 2}
_CITATIONS = TypeAdapter(Citations)


def citations(value: Any) -> tuple[Citation, ...]:
    """A YAML citation field (one mapping, a list of them, or empty) as a tuple of citations."""
    return _CITATIONS.validate_python(value or [])


def source(refs: tuple[Citation, ...]) -> str:
    """The citations in Vietnamese, articles of one text together, '' for none:
    'Luật Hợp tác xã 2023, Điều 41 khoản 2; Nghị định 295/2026/NĐ-CP, Điều 3 khoản 3, Điều 31 khoản 1'."""
    articles: dict[str, list[str]] = {}
    for citation in refs:
        articles.setdefault(citation.text, [])
        if citation.article and format_article(citation.article) not in articles[citation.text]:
            articles[citation.text].append(format_article(citation.article))
    parts = []
    for text_id, found in articles.items():
        label = format_citation(Citation(text=text_id, status="verified"))
        parts.append(", ".join([label, *found]))
    return "; ".join(parts)


def unverified(refs: tuple[Citation, ...]) -> bool:
    """Whether any of the citations is unverified (the user is then told to check)."""
    return any(c.status == "unverified" for c in refs)


@dataclass(frozen=True, slots=True)
class Finding:
    """One result of `check`: a stable code, a severity, template variables and the legal source.

    `reference` holds the citations (empty for the bot's own advice); `offers` lists form ids the
    user may switch to (e.g. a tổ hợp tác when an HTX lacks members).
    """

    code: str
    severity: Severity
    reference: tuple[Citation, ...]
    vars: dict[str, Any] = field(default_factory=dict)
    offers: tuple[str, ...] = ()

    @property
    def template(self) -> str:
        """The template that words this finding: content/templates/founding/check_<code>.j2."""
        return f"founding/check_{self.code}.j2"

    @property
    def source(self) -> str:
        """The legal source in Vietnamese, '' when the finding is the bot's own advice."""
        return source(self.reference)

    def text(self, channel: str | None = None) -> str:
        """The finding in Vietnamese (Telegram HTML subset), without its source line."""
        return render(self.template, channel, **self.vars)


def render_findings(findings: list[Finding], channel: str | None = None) -> str:
    """All findings as one message, most serious first, each with its source (hedged when unverified)."""
    items = [
        {"finding": f, "text": f.text(channel), "source": f.source, "hedged": unverified(f.reference)}
        for f in sorted(findings, key=_order)
    ]
    return render("founding/findings.j2", channel, items=items)


def _order(finding: Finding) -> int:
    return SEVERITY_ORDER[finding.severity]
