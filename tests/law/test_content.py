"""The whole content/ against the registry: nothing cites a replaced text as current today, and a stale
citation planted in a copy of content/ (YAML and template) makes the check fail."""

from __future__ import annotations

import datetime as dt
import shutil

from flows.engine.content import CONTENT_DIR
from flows.engine.law_scan import check_tree

TODAY = dt.date(2026, 11, 27)
STALE = {"not_in_force", "stale_name", "unknown_text"}


def test_no_citation_in_content_names_a_replaced_or_unknown_text_as_current():
    findings = [f for f in check_tree(CONTENT_DIR, TODAY) if f.rule in STALE]
    assert findings == [], "\n".join(map(str, findings))


def test_the_programmes_registry_and_eligibility_templates_pass_every_citation_rule():
    mine = ("programmes/", "registry/", "templates/eligibility/", "templates/monthly_report/", "templates/dashboard/",
            "templates/common/", "facts.yaml", "geo/")
    findings = [f for f in check_tree(CONTENT_DIR, TODAY) if f.where.startswith(mine)]
    assert findings == [], "\n".join(map(str, findings))


def test_a_stale_citation_planted_in_a_copy_of_content_fails_the_check(tmp_path):
    copy = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy)
    before = {str(f) for f in check_tree(copy, TODAY)}
    programme = copy / "programmes" / "nd113-dao-tao.yaml"
    programme.write_text(programme.read_text(encoding="utf-8").replace(
        'reference: {text: nd-113-2024, article: "Điều 7 kh.3", status: secondary}\nrequires',
        'reference: {text: nd-92-2024, article: "Điều 12", status: verified}\nrequires', 1), encoding="utf-8")
    template = copy / "templates" / "eligibility" / "more.j2"
    template.write_text(template.read_text(encoding="utf-8") + "\nNộp hồ sơ theo NĐ 92/2024.\n", encoding="utf-8")
    new = [f for f in check_tree(copy, TODAY) if str(f) not in before]
    assert {(f.where, f.rule) for f in new} == {
        ("programmes/nd113-dao-tao.yaml", "not_in_force"),
        ("templates/eligibility/more.j2", "stale_name"),
    }
    assert any("Nghị định 92/2024/NĐ-CP" in f.message and "22/07/2026" in f.message for f in new)


def test_as_of_the_eve_of_nd_295_the_content_cites_it_before_it_is_in_force():
    findings = check_tree(CONTENT_DIR, dt.date(2026, 7, 22))
    assert any(f.rule == "not_yet_in_force" and "295/2026" in f.message for f in findings)
