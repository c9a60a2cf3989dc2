"""Word (.docx) drafts for the founders: member list, application, resolution and charter skeleton
(HTX, liên hiệp) or application, cooperation contract and authorisation (tổ hợp tác).

Texts come from content/drafts/founding.yaml; every draft is marked as a draft to check with the
registration office, and prints the name as written properly (flows/founding/writing.py). The
resolution holds what the official members decide (Luật Hợp tác xã 2023, Điều 39 khoản 3–5) and
names the filer (Nghị định 295/2026/NĐ-CP, Điều 12 khoản 1); the tổ hợp tác's papers follow
Nghị định 295/2026/NĐ-CP, Điều 59 khoản 1.
"""

from __future__ import annotations

import io
import re
from typing import Any

from docx import Document as new_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor

from flows.engine.content import load_yaml
from flows.engine.formatting import number, vnd
from flows.engine.messages import Document
from flows.engine.text import fold
from flows.founding.finding import citations, source
from flows.founding.forms import FORMS, sectors
from flows.founding.names import clean_name, proper_name
from flows.founding.plan import place_of
from flows.founding.rules import places

_RED = RGBColor(0xC0, 0x00, 0x00)


KINDS = {
    "to_hop_tac": ("members", "application", "contract", "authorisation"),
    "hop_tac_xa": ("members", "application", "resolution", "charter"),
    "lien_hiep": ("members", "application", "resolution", "charter"),
}


def drafts(answers: dict[str, Any], founders: list[dict[str, Any]] | None = None) -> list[Document]:
    """The drafts for the form (see KINDS), in the order a group fills them in.

    `founders` rows may carry: name, kind (chinh_thuc | lien_ket_gop_von), id_number, address,
    contribution (VND int), representative (bool), filer (bool); missing rows stay blank to fill in.
    """
    form = FORMS.get(answers.get("form") or "")
    if form is None:
        raise ValueError(f"drafts need a form among {sorted(FORMS)}, got {answers.get('form')!r}")
    text = load_yaml("drafts/founding.yaml")
    rows = [{k: _clean(v) for k, v in row.items()} for row in (founders or [])]
    values = _values(answers, rows, text)
    return [_build(kind, form.id, values, rows, text) for kind in KINDS[form.id]]


def _clean(value: Any) -> Any:
    return clean_name(value) if isinstance(value, str) else value


def _values(answers: dict[str, Any], rows: list[dict[str, Any]], text: dict[str, Any]) -> dict[str, str]:
    form = FORMS[answers["form"]]
    blank = text["blank"]
    sector = sectors().get(answers.get("sector") or "")
    capital = answers.get("charter_capital")

    def person(flag: str) -> str:
        return ", ".join(r["name"] for r in rows if r.get(flag) and r.get("name")) or blank

    return {
        "name": proper_name(str(answers.get("name") or ""), form, places(answers)) or text["unnamed"],
        "form_label": form.label,
        "form_noun": form.label.lower(),
        "place": place_of(answers) or blank,
        "sector": sector["label"] if sector else blank,
        "capital": vnd(capital) if capital else blank,
        "members": str(answers.get("members") or len(rows) or blank),
        "member_noun": form.member_noun,
        "representative": person("representative"),
        "filer": person("filer"),
        "blank": blank,
    }


def _build(
    kind: str, form_id: str, values: dict[str, str], rows: list[dict[str, Any]], text: dict[str, Any]
) -> Document:
    spec = text[kind]
    doc = new_docx()
    doc.styles["Normal"].font.name = text["font"]
    doc.styles["Normal"].font.size = Pt(13)
    header = doc.sections[0].header.paragraphs[0]
    header.text = text["marking"]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _marking(doc, text["marking"])
    for line in text["motto"]:
        _centered(doc, line, bold=True)
    own = spec.get("for_forms", {}).get(form_id, {})
    title = own.get("title", spec["title"])
    _centered(doc, title, bold=True, size=15)
    _centered(doc, spec["subtitle"].format_map(values), bold=True)
    _centered(doc, _based_on(text, own.get("reference", spec["reference"])), italic=True)
    if "opening" in spec:
        doc.add_paragraph(_fill(spec["opening"], values))
    if kind == "members":
        _members_table(doc, spec, form_id, rows)
    for section in spec.get("sections", ()):
        if form_id not in section.get("forms", (form_id,)):
            continue
        doc.add_paragraph().add_run(section["heading"]).bold = True
        for body in section["body"]:
            doc.add_paragraph(_fill(body, values))
        if section.get("hedged"):
            doc.add_paragraph().add_run(text["hedge"]).italic = True
        if section.get("reference"):
            doc.add_paragraph().add_run(_based_on(text, section["reference"])).italic = True
    for line in spec.get("signature", ()):
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.add_run(line).bold = not line.startswith("(")
    note = text["note"]["text"].format_map(values | {"forms_source": source(citations(text["note"]["reference"]))})
    doc.add_paragraph().add_run(" ".join(note.split())).italic = True
    doc.core_properties.title = f"{title} — {values['name']}"
    doc.core_properties.comments = text["marking"]
    buffer = io.BytesIO()
    doc.save(buffer)
    slug = "-".join(re.findall(r"[a-z0-9]+", fold(values["name"]))) or "nhap"
    return Document(f"{spec['filename']}-{slug[:60]}.docx", buffer.getvalue(), spec["caption"])


def _members_table(doc: Any, spec: dict[str, Any], form_id: str, rows: list[dict[str, Any]]) -> None:
    columns = spec["columns"]
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, columns, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(label).bold = True
    total = sum(int(r.get("contribution") or 0) for r in rows)
    default_kind = "thanh_vien" if form_id == "to_hop_tac" else "chinh_thuc"
    for index, row in enumerate(rows or [{}] * spec["empty_rows"], start=1):
        contribution = row.get("contribution")
        share = f"{number(round(contribution * 100 / total, 2))}%" if contribution and total else ""
        cells = [
            str(index),
            row.get("name") or "",
            spec["kinds"].get(row.get("kind") or default_kind, "") if row else "",
            str(row.get("id_number") or ""),
            row.get("address") or "",
            number(contribution) if contribution else "",
            share,
        ]
        for cell, value in zip(table.add_row().cells, cells, strict=True):
            cell.text = value
    if total:
        doc.add_paragraph(spec["total"].format(total=number(total)))


def _based_on(text: dict[str, Any], reference: Any) -> str:
    return text["based_on"].format(citations=source(citations(reference)))


def _fill(template: str, values: dict[str, str]) -> str:
    return " ".join(template.format_map(values).split())


def _marking(doc: Any, marking: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(marking)
    run.bold = True
    run.font.color.rgb = _RED
    run.font.size = Pt(14)


def _centered(doc: Any, line: str, bold: bool = False, italic: bool = False, size: int | None = None) -> None:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(line)
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = Pt(size)
