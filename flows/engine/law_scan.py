"""The citation checks of flows/engine/law.py applied to a whole YAML document or Jinja template.

YAML: a mapping with a citation field (`source`, `reference`, …) is an entry; its text is every
string inside it except its citations and nested entries; `unverified: true` or a non-empty
`unverified:` list marks the entry as hedged. Templates: every `cite(...)` call is a citation and
the template's literal text (comments excluded) is the entry's text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from pydantic import TypeAdapter, ValidationError

from flows.engine.files import parse_yaml
from flows.engine.law import Citation, Citations, Finding, _finding, check_entry, check_stale_names

CITATION_KEYS = ("source", "sources", "reference", "references", "citation", "citations")
_CITATIONS = TypeAdapter(Citations)


def _is_entry(node: Any) -> bool:
    return isinstance(node, dict) and any(k in node for k in CITATION_KEYS)


def _strings(node: Any) -> Iterable[str]:
    """The strings of an entry, not those of its citations or of nested entries."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in CITATION_KEYS and not _is_entry(value):
                yield from _strings(value)


def _name(node: dict, key: Any) -> str:
    return str(node["id"]) if isinstance(node.get("id"), str) else str(key)


def check_yaml(data: Any, day: dt.date, where: str) -> list[Finding]:
    """Every citation check on a loaded YAML document; `where` names the file in the findings."""
    findings: list[Finding] = []
    _walk(data, day, where, frozenset(), findings)
    return findings


def _walk(node: Any, day: dt.date, where: str, old: frozenset[str], out: list[Finding]) -> None:
    if isinstance(node, str):
        out.extend(check_stale_names(node, where, old))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            _walk(item, day, f"{where}[{i}]" if not isinstance(item, dict) else _where(where, item, i), old, out)
    elif isinstance(node, dict):
        if _is_entry(node):
            citations: list[Citation] = []
            for key in CITATION_KEYS:
                if key in node:
                    try:
                        citations += _CITATIONS.validate_python(node[key])
                    except ValidationError as error:
                        out.append(_finding(where, "not_a_citation", key=key, error=_short(error)))
            text = "\n".join(_strings(node))
            out.extend(check_entry(citations, text, day, where, hedged=bool(node.get("unverified"))))
            old = old | {c.text for c in citations if c.old}
        for key, value in node.items():
            if key not in CITATION_KEYS:
                _walk(value, day, _where(where, value, key) if isinstance(value, dict) else f"{where}.{key}", old, out)


def _where(where: str, node: dict, key: Any) -> str:
    return f"{where}.{_name(node, key)}"


def _short(error: ValidationError) -> str:
    first = error.errors()[0]
    return f"{'.'.join(str(p) for p in first['loc'])} {first['msg']}".strip()


def check_yaml_file(path: Path, day: dt.date, root: Path | None = None) -> list[Finding]:
    """The citation checks on one YAML file (named relative to `root` in the findings)."""
    with open(path, encoding="utf-8") as fh:
        data = parse_yaml(fh)
    return check_yaml(data, day, str(path.relative_to(root) if root else path))


_PARSER = jinja2.Environment()


def template_citations(source: str) -> tuple[list[Citation], list[str], str]:
    """The `cite(...)` calls of a template, the calls that cannot be read, and its literal text."""
    tree = _PARSER.parse(source)
    citations, unreadable = [], []
    for call in tree.find_all(nodes.Call):
        if not (isinstance(call.node, nodes.Name) and call.node.name == "cite"):
            continue
        args = call.args + [kw.value for kw in call.kwargs]
        if call.dyn_args or call.dyn_kwargs or not all(isinstance(a, nodes.Const) for a in args):
            unreadable.append(f"cite@{call.lineno}")
            continue
        values = [a.value for a in call.args]
        keywords = {kw.key: kw.value.value for kw in call.kwargs}
        fields = dict(zip(("text", "article"), values, strict=False)) | keywords
        try:
            citations.append(Citation.model_validate({"status": "verified", **fields}))
        except ValidationError:
            unreadable.append(f"cite@{call.lineno}")
    text = "".join(d.data for d in tree.find_all(nodes.TemplateData))
    text += "\n".join(c.value for c in tree.find_all(nodes.Const) if isinstance(c.value, str))
    return citations, unreadable, text


def check_template(source: str, day: dt.date, where: str) -> list[Finding]:
    """The citation checks on a template: its cite() calls, hedges and names of replaced texts."""
    citations, unreadable, text = template_citations(source)
    findings = [_finding(f"{where} ({u})", "cite_not_literal") for u in unreadable]
    if citations:
        findings += check_entry(citations, text, day, where)
    return findings + check_stale_names(text, where, {c.text for c in citations if c.old})


def check_template_file(path: Path, day: dt.date, root: Path | None = None) -> list[Finding]:
    """The citation checks on one template file."""
    return check_template(path.read_text(encoding="utf-8"), day, str(path.relative_to(root) if root else path))


def check_tree(content: Path, day: dt.date) -> list[Finding]:
    """The citation checks on every YAML file and template under `content`.

    content/law (the registry) and content/samples (render variables for tests) are not content a
    user reads and are skipped.
    """
    findings: list[Finding] = []
    for path in sorted(content.rglob("*.yaml")):
        if path.relative_to(content).parts[0] not in ("law", "samples"):
            findings += check_yaml_file(path, day, content)
    for path in sorted(content.rglob("*.j2")):
        findings += check_template_file(path, day, content)
    return findings
