"""Every founding template renders under StrictUndefined, every finding has its words, the data is whole."""

import datetime as dt
import re
from pathlib import Path

import pytest

from flows.engine.content import CONTENT_DIR, TEMPLATE_DIR, load_yaml, render, template_exists
from flows.engine.law_scan import check_template_file, check_yaml_file
from flows.founding import FORMS, check, next_question, questions, render_findings
from flows.founding.finding import citations
from flows.founding.forms import sectors

FOUNDING_TEMPLATES = sorted(p.name for p in (TEMPLATE_DIR / "founding").glob("*.j2"))

# Answers that, together, reach every check of the guide.
SCENARIOS = [
    {"form": "chua_ro"},
    {
        "form": "hop_tac_xa",
        "members": 4,
        "member_kinds": ["ca_nhan", "ho_gia_dinh"],
        "has_foreign": True,
        "sector": "van_tai",
        "charter_capital": 1_000_000_000,
        "largest_contribution": 310_000_000,
        "name": "HTX Đồng Tâm @ cờ bạc 东 " + "Rất Dài " * 12,
    },
    {"form": "hop_tac_xa", "name": "Hợp tác xã dong tam"},
    {
        "form": "hop_tac_xa",
        "members": 5,
        "charter_capital": 1_000_000_000,
        "largest_contribution": 100_000_000,
        "name": "Đồng Tâm",
    },
    {"form": "hop_tac_xa", "charter_capital": 0, "name": ""},
    {"form": "hop_tac_xa", "charter_capital": 10, "largest_contribution": 20, "name": "Hợp tác xã"},
    {"form": "to_hop_tac", "members": 6, "name": "Hợp tác xã Bình An"},
    {"form": "lien_hiep", "members": 2, "member_kinds": ["ca_nhan"]},
]

ANSWERS_SO_FAR = [
    {},
    {"form": "lien_hiep"},
    {"form": "to_hop_tac", "member_kinds": ["ca_nhan"]},
    {"form": "hop_tac_xa", "members": 7, "province_name": "Vĩnh Long", "charter_capital": 500_000_000},
]


def all_findings():
    return [f for answers in SCENARIOS for f in check(answers)]


def test_every_check_template_is_reached_by_a_scenario_and_renders():
    reached = {f.template.split("/")[1] for f in all_findings()}
    assert reached == {n for n in FOUNDING_TEMPLATES if n.startswith("check_")}
    sourced = [f for f in all_findings() if f.reference]
    assert render_findings(all_findings()).count("Nguồn:") == len(sourced)
    assert {f.code for f in all_findings() if not f.reference} == {
        "name_too_long", "name_written_as", "sector_conditions"}  # the bot's advice: no legal text


@pytest.mark.parametrize("name", [n for n in FOUNDING_TEMPLATES if n.startswith("ask_")])
@pytest.mark.parametrize("answers", ANSWERS_SO_FAR)
def test_every_question_renders_with_any_answers_so_far(name, answers):
    text = render(f"founding/{name}", answers=answers)
    assert text and "<b>" in text


def test_every_template_is_used_by_a_question_a_finding_or_a_view():
    used = {q.template.split("/")[1] for q in questions()}
    used |= {n for n in FOUNDING_TEMPLATES if n.startswith("check_")}
    used |= {"findings.j2", "plan.j2", "plan_step.j2", "plan_where.j2", "plan_time.j2", "progress.j2",
             "forms_comparison.j2"}
    assert set(FOUNDING_TEMPLATES) == used


def test_every_question_names_an_existing_template_and_unique_ids():
    for question in questions():
        assert template_exists(question.template), question.template
        choice_ids = [c.id for c in question.choices]
        assert len(choice_ids) == len(set(choice_ids))
        assert all(c.label for c in question.choices)
    assert len({q.save_as for q in questions()}) == len(questions())


def test_the_form_question_offers_the_three_forms_and_an_explanation():
    form = questions()[0]
    assert [c.id for c in form.choices] == [*FORMS, "chua_ro"]
    assert form.choices[-1].label == "Chưa rõ, giải thích giúp tôi"


def test_questions_are_asked_in_order_and_only_where_they_apply():
    asked, answers = [], {}
    for _ in range(20):
        question = next_question(answers)
        if question is None:
            break
        asked.append(question.step)
        answers[question.save_as] = "lien_hiep" if question.save_as == "form" else 1
    assert asked == [
        "form",
        "members",
        "foreign",  # a liên hiệp is asked on its own; an HTX answers among the member kinds
        "sector",
        "province",
        "commune",
        "charter_capital",
        "largest_contribution",
        "name",
    ]
    assert next_question({"form": "chua_ro"}).step == "form"
    tht = [q.step for q in questions() if q.applies({"form": "to_hop_tac"})]
    assert "largest_contribution" not in tht and "member_kinds" in tht and "foreign" not in tht
    htx = [q.step for q in questions() if q.applies({"form": "hop_tac_xa"})]
    assert "member_kinds" in htx and "foreign" not in htx  # the foreign investor is asked once
    kinds = next(q for q in questions() if q.step == "member_kinds")
    assert "nha_dau_tu_nuoc_ngoai" in [c.id for c in kinds.choices_for({"form": "hop_tac_xa"})]
    assert "nha_dau_tu_nuoc_ngoai" not in [c.id for c in kinds.choices_for({"form": "to_hop_tac"})]


def test_the_sector_choices_come_from_the_sector_list():
    sector = next(q for q in questions() if q.step == "sector")
    assert [c.id for c in sector.choices] == list(sectors())


def test_every_step_and_dossier_item_has_citations_and_each_form_one_entry_per_step():
    for step in load_yaml("founding/steps.yaml")["steps"]:
        assert citations(step.get("references")) or step.get("references_from") in ("form", "dossier"), step["id"]
        assert set(step["forms"]) <= set(FORMS)
    for form in FORMS:
        ids = [s["id"] for s in load_yaml("founding/steps.yaml")["steps"] if form in s["forms"]]
        assert len(ids) == len(set(ids)), form
    for item in load_yaml("founding/dossier.yaml")["items"]:
        assert citations(item["reference"]) and set(item["forms"]) <= set(FORMS)


def test_the_founding_content_passes_the_citation_check_today():
    day = dt.date(2026, 11, 27)
    paths = [*(CONTENT_DIR / "founding").glob("*.yaml"), *(CONTENT_DIR / "drafts").glob("*.yaml")]
    findings = [f for p in paths for f in check_yaml_file(p, day, CONTENT_DIR)]
    findings += [f for p in sorted((TEMPLATE_DIR / "founding").rglob("*.j2")) for f in check_template_file(p, day)]
    assert findings == []


OLD_RULES = [
    r"\b0?7 thành viên",
    r"cấp huyện",
    r"quận, huyện",
    r"không (?:cần|còn|phải có|phải nộp) phương án",
    r"sở kế hoạch và đầu tư",
    r"vài ngày làm việc",
    r"hệ thống thông tin quốc gia về đăng ký",
]


@pytest.mark.parametrize(
    "path",
    sorted(
        [
            *(CONTENT_DIR / "founding").glob("*.yaml"),
            *(CONTENT_DIR / "drafts").glob("*.yaml"),
            *(TEMPLATE_DIR / "founding").glob("*.j2"),
        ]
    ),
    ids=lambda p: p.name,
)
def test_no_content_file_states_a_2012_rule(path: Path):
    text = path.read_text(encoding="utf-8").lower()
    for pattern in OLD_RULES:
        assert not re.search(pattern, text), (path.name, pattern)
