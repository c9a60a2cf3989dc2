"""Personal founding plans for each form, their progress view, and the guard against the 2012 rules."""

import re

import pytest

from flows.founding import FORMS, build_plan, next_step, render_forms_comparison, render_plan, render_progress

HTX = {
    "form": "hop_tac_xa",
    "members": 7,
    "member_kinds": ["ca_nhan"],
    "sector": "nong_nghiep",
    "province_code": 1,
    "commune_code": 70,
    "charter_capital": 700_000_000,
    "largest_contribution": 150_000_000,
    "name": "Hợp tác xã Nông nghiệp Đồng Tâm",
}
ANSWERS = {
    "to_hop_tac": {
        "form": "to_hop_tac",
        "members": 3,
        "sector": "thuy_san",
        "name": "Tổ hợp tác Cá Lóc Tân Phú",
    },
    "hop_tac_xa": HTX,
    "lien_hiep": {
        "form": "lien_hiep",
        "members": 3,
        "has_foreign": True,
        "charter_capital": 3_000_000_000,
        "largest_contribution": 1_000_000_000,
        "name": "Liên hiệp hợp tác xã Mê Kông",
    },
}


def ids(plan):
    return [s.id for s in plan.steps]


def test_an_htx_plan_runs_from_charter_to_after_the_certificate():
    assert ids(build_plan(HTX)) == [
        "prepare",
        "draft_charter",
        "check_name",
        "founding_conference",
        "resolution",
        "dossier",
        "file",
        "after_certificate",
    ]


def test_a_to_hop_tac_plan_has_a_cooperation_contract_and_no_charter_or_conference():
    steps = ids(build_plan(ANSWERS["to_hop_tac"]))
    assert "cooperation_contract" in steps
    assert not {"draft_charter", "founding_conference", "resolution"} & set(steps)


def test_the_htx_dossier_is_the_five_papers_of_article_42():
    plan = build_plan(HTX)
    assert [i.id for i in plan.dossier] == [
        "giay_de_nghi",
        "dieu_le",
        "nghi_quyet",
        "danh_sach_thanh_vien",
        "danh_sach_dai_dien",
    ]
    assert {i.reference for i in plan.dossier} == {"Luật Hợp tác xã 2023, Điều 42"}
    assert plan.step("dossier").references == ("Luật Hợp tác xã 2023, Điều 42",)


def test_foreign_members_add_the_investment_certificate_to_the_dossier():
    plan = build_plan(ANSWERS["lien_hiep"])
    assert plan.dossier[-1].id == "chung_nhan_dau_tu"
    assert "giấy chứng nhận đăng ký đầu tư" in render_plan(plan, {})


def test_a_to_hop_tac_dossier_is_hedged():
    plan = build_plan(ANSWERS["to_hop_tac"])
    assert plan.dossier and all(i.unverified for i in plan.dossier)
    assert "Điều 42" not in " ".join(plan.step("dossier").references)


def test_the_plan_says_where_to_file_at_commune_level_with_the_commune_name():
    text = render_plan(build_plan(HTX), {})
    assert "cơ quan đăng ký kinh doanh cấp xã" in text.lower()
    assert "Phường Hoàn Kiếm, Thành phố Hà Nội" in text
    assert "Nghị định 125/2025/NĐ-CP" in text
    assert "bưu chính" in text and "trực tuyến" in text
    assert "Nghị định 92/2024/NĐ-CP, Điều 11" in text  # who files
    assert "vài ngày làm việc" in text and "Liên minh hợp tác xã" in text


def test_place_names_given_by_the_flow_win_over_the_codes():
    plan = build_plan(HTX | {"province_name": "Vĩnh Long", "commune_name": "Xã Long Hồ"})
    assert plan.place == "Xã Long Hồ, Vĩnh Long"
    assert build_plan(HTX | {"province_code": 999, "commune_code": None}).place is None


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_step_line_of_the_plan_names_its_source(form):
    plan = build_plan(ANSWERS[form])
    text = render_plan(plan, {})
    assert text.count("Nguồn:") >= len(plan.steps) + len(plan.helpers)
    for step in plan.steps:
        assert step.references, step.id
        assert step.title in text


@pytest.mark.parametrize("form", sorted(FORMS))
def test_no_rule_of_the_2012_law_appears_as_current(form):
    texts = [
        render_plan(build_plan(ANSWERS[form]), {}),
        render_forms_comparison(),
        render_progress(build_plan(ANSWERS[form]), {}),
    ]
    for text in texts:
        folded = text.lower()
        assert not re.search(r"\b0?7 thành viên", folded)
        assert "cấp huyện" not in folded and "quận, huyện" not in folded
        assert "phương án sản xuất" not in folded and "phương án kinh doanh" not in folded
        assert "sở kế hoạch và đầu tư" not in folded


def test_progress_marks_done_steps_and_points_to_the_next():
    plan = build_plan(HTX)
    progress = {"prepare": True, "draft_charter": True}
    assert next_step(plan, progress).id == "check_name"
    text = render_progress(plan, progress)
    assert "2/8 bước" in text and "Bước tiếp theo: <b>Kiểm tra tên dự kiến</b>" in text
    assert render_plan(plan, progress).count("✅") == 2


def test_when_every_step_is_done_the_progress_view_says_so():
    plan = build_plan(HTX)
    progress = {s.id: True for s in plan.steps}
    assert next_step(plan, progress) is None
    assert "15/12" in render_progress(plan, progress)


def test_blocking_findings_come_first_in_the_plan():
    text = render_plan(build_plan(HTX | {"members": 4}), {})
    assert text.index("ít nhất") < text.index("Các bước")


def test_a_plan_needs_a_chosen_form():
    with pytest.raises(ValueError):
        build_plan({"form": "chua_ro"})


def test_the_comparison_lists_the_three_forms_with_their_minimums_and_sources():
    text = render_forms_comparison()
    for form in FORMS.values():
        assert f"<b>{form.label}</b>" in text and form.members_reference in text
    assert "2 thành viên" in text and "5 thành viên chính thức" in text and "3 hợp tác xã" in text
