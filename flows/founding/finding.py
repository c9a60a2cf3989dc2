"""A finding of the founding checks: what is wrong or worth knowing, how serious, and its source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from flows.engine.content import render

Severity = Literal["block", "warn", "info"]
SEVERITY_ORDER: dict[str, int] = {"block": 0, "warn": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One result of `check`: a stable code, a severity, template variables and the legal reference.

    `offers` lists form ids the user may switch to (e.g. a tổ hợp tác when an HTX lacks members).
    """

    code: str
    severity: Severity
    reference: str
    vars: dict[str, Any] = field(default_factory=dict)
    offers: tuple[str, ...] = ()

    @property
    def template(self) -> str:
        """The template that words this finding: content/templates/founding/check_<code>.j2."""
        return f"founding/check_{self.code}.j2"

    def text(self, channel: str | None = None) -> str:
        """The finding in Vietnamese (Telegram HTML subset), without its reference line."""
        return render(self.template, channel=channel, **self.vars)


def render_findings(findings: list[Finding], channel: str | None = None) -> str:
    """All findings as one message, most serious first, each with its source."""
    items = [{"finding": f, "text": f.text(channel)} for f in sorted(findings, key=_order)]
    return render("founding/findings.j2", channel=channel, items=items)


def _order(finding: Finding) -> int:
    return SEVERITY_ORDER[finding.severity]
