"""Personal founding plans for each form: a summary, each step and the filing facts on request, the
progress view, and the guard against superseded rules."""

import re

import pytest

from flows.founding import FORMS, build_plan, next_step, render_forms_comparison, render_plan, render_progress
from flows.founding.plan import render_step, render_time, render_warnings, render_where

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


def every_text(plan) -> list[str]:
    """Everything the plan can show: summary, each step, where and when, warnings, progress."""
    return [
        render_plan(plan, {}),
        *(render_step(plan, s.id, {}) for s in plan.steps),
        render_where(plan),
        render_time(plan),
        render_warnings(plan),
        render_progress(plan, {}),
    ]


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
    assert {i.source for i in plan.dossier} == {"Luật Hợp tác xã 2023, Điều 42 khoản 2"}
    assert plan.step("dossier").source == "Luật Hợp tác xã 2023, Điều 42 khoản 2"


def test_the_business_plan_is_decided_by_the_conference_and_recorded_in_the_resolution():
    plan = build_plan(HTX)
    conference = render_step(plan, "founding_conference", {})
    for decided in ("quyết định phương án sản xuất, kinh doanh", "Hội đồng quản trị", "Giám đốc",
                    "Ban kiểm soát hoặc kiểm soát viên", "định giá tài sản góp vốn", "người được ủy quyền đăng ký"):
        assert decided in conference, decided
    assert "Luật Hợp tác xã 2023, Điều 38, Điều 39 khoản 1–5" in conference
    resolution = render_step(plan, "resolution", {})
    assert "phương án sản xuất, kinh doanh" in resolution and "Nghị định 295/2026/NĐ-CP, Điều 12 khoản 1" in resolution
    assert "Nghị quyết hội nghị thành lập (ghi cả phương án sản xuất, kinh doanh)" in render_step(plan, "dossier", {})
    assert "xác minh" not in conference  # verified: stated plainly


def test_foreign_members_add_the_investment_certificate_to_the_dossier():
    plan = build_plan(ANSWERS["lien_hiep"])
    assert plan.dossier[-1].id == "chung_nhan_dau_tu"
    assert "giấy chứng nhận đăng ký đầu tư" in render_step(plan, "dossier", {})


def test_a_to_hop_tac_dossier_is_the_four_papers_of_decree_295():
    plan = build_plan(ANSWERS["to_hop_tac"])
    assert [i.label for i in plan.dossier] == [
        "Giấy đề nghị đăng ký tổ hợp tác",
        "Hợp đồng hợp tác",
        "Danh sách thành viên tổ hợp tác",
        "Văn bản ủy quyền cho người đại diện của tổ hợp tác",
    ]
    assert {i.source for i in plan.dossier} == {"Nghị định 295/2026/NĐ-CP, Điều 59 khoản 1"}
    step = render_step(plan, "dossier", {})
    assert "5 ngày làm việc kể từ ngày ký hợp đồng hợp tác" in step and "xác minh" not in step
    time = render_time(plan)
    assert "2 ngày làm việc" in time and "không mất lệ phí" in time
    assert "Nghị định 295/2026/NĐ-CP, Điều 59 khoản 1, Điều 59 khoản 2" in time


def test_the_contract_s_contents_stay_hedged():
    step = render_step(build_plan(ANSWERS["to_hop_tac"]), "cooperation_contract", {})
    assert "Nghị định 294/2026/NĐ-CP" in step and "cần xác minh" in step


def test_where_to_file_any_commune_office_of_the_province_and_how():
    plan = build_plan(HTX)
    where = render_where(plan)
    assert "Cơ quan đăng ký kinh doanh cấp xã (Phường Hoàn Kiếm, Thành phố Hà Nội)" in where
    assert "Nghị định 295/2026/NĐ-CP, Điều 5" in where
    assert "bất kỳ xã, phường nào trong tỉnh" in where and "Điều 4 khoản 7" in where
    assert "Bộ phận một cửa" in where and "Điều 19 khoản 1" in where
    assert "bưu chính" in where and "Cổng dịch vụ công quốc gia hoặc VNeID" in where
    assert "Hệ thống thông tin về đăng ký hợp tác xã" in where
    assert "Nghị định 295/2026/NĐ-CP, Điều 12 khoản 1; Luật Hợp tác xã 2023, Điều 39 khoản 3" in where  # filer
    time = render_time(plan)
    assert "3 ngày làm việc" in time and "Luật Hợp tác xã 2023, Điều 42 khoản 4" in time
    assert "60 ngày" in time and "Hội đồng nhân dân tỉnh" in time and "Liên minh hợp tác xã" in time
    assert "vài ngày" not in time and "xác minh" not in time


def test_the_summary_fits_a_phone_and_names_where_and_how_long():
    summary = render_plan(build_plan(HTX), {}, drafts=4)
    assert "Kế hoạch thành lập hợp tác xã: Hợp tác xã Nông nghiệp Đồng Tâm" in summary
    assert "<b>8 bước</b>" in summary and "5 giấy tờ" in summary and "bản nháp 4 giấy tờ" in summary
    assert "3 ngày làm việc" in summary and "Xem chi tiết" in summary
    assert "Nghị định 295/2026/NĐ-CP, Điều 5, Điều 4 khoản 7; Luật Hợp tác xã 2023, Điều 42 khoản 4" in summary
    assert len(summary) < 1200


def test_place_names_given_by_the_flow_win_over_the_codes():
    plan = build_plan(HTX | {"province_name": "Vĩnh Long", "commune_name": "Xã Long Hồ"})
    assert plan.place == "Xã Long Hồ, Vĩnh Long"
    assert build_plan(HTX | {"province_code": 999, "commune_code": None}).place is None


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_step_names_its_source_and_every_text_fits_a_phone(form):
    plan = build_plan(ANSWERS[form])
    for step in plan.steps:
        text = render_step(plan, step.id, {})
        assert step.source and f"Nguồn: {step.source}" in text, step.id
        assert step.title in text
    assert all(len(text) < 1200 for text in every_text(plan))


@pytest.mark.parametrize("form", sorted(FORMS))
def test_no_superseded_rule_appears_as_current(form):
    for text in [*every_text(build_plan(ANSWERS[form])), render_forms_comparison()]:
        folded = text.lower()
        assert not re.search(r"\b0?7 thành viên", folded)
        assert "cấp huyện" not in folded and "quận, huyện" not in folded
        assert not re.search(r"không (?:cần|còn) phương án", folded)
        assert "sở kế hoạch và đầu tư" not in folded
        assert "92/2024" not in folded and "125/2025" not in folded


def test_progress_marks_done_steps_and_points_to_the_next():
    plan = build_plan(HTX)
    progress = {"prepare": True, "draft_charter": True}
    assert next_step(plan, progress).id == "check_name"
    text = render_progress(plan, progress)
    assert "2/8 bước" in text and "Bước tiếp theo: <b>Kiểm tra tên dự kiến</b>" in text
    assert render_step(plan, "prepare", progress).startswith("✅")
    assert render_step(plan, "check_name", progress).startswith("⬜")
    assert "Bước tiếp theo: <b>Kiểm tra tên dự kiến</b>" in render_plan(plan, progress)


def test_when_every_step_is_done_the_progress_view_says_so():
    plan = build_plan(HTX)
    progress = {s.id: True for s in plan.steps}
    assert next_step(plan, progress) is None
    text = render_progress(plan, progress)
    assert "chậm nhất ngày 15/12" in text and "Thông tư 09/2024/TT-BKHĐT, Điều 6 khoản 1" in text


def test_warnings_are_counted_in_the_summary_and_listed_blocks_first_on_request():
    plan = build_plan(HTX | {"members": 4, "charter_capital": 600_000_000, "name": "HTX Đồng Tâm"})
    assert "⚠️ Có 2 điều cần lưu ý" in render_plan(plan, {})
    warnings = render_warnings(plan)
    assert warnings.index("⛔") < warnings.index("⚠️") and "ít nhất" in warnings
    assert render_warnings(build_plan(HTX)) == ""


def test_the_plan_writes_the_name_properly():
    plan = build_plan(HTX | {"name": "htx nong nghiep long hiep", "province_code": 86, "commune_code": 29506})
    assert plan.name == "Hợp tác xã Nông nghiệp Long Hiệp"


def test_a_plan_needs_a_chosen_form():
    with pytest.raises(ValueError):
        build_plan({"form": "chua_ro"})


def test_the_comparison_lists_the_three_forms_with_their_minimums_caps_and_sources():
    text = render_forms_comparison()
    for form in FORMS.values():
        assert f"<b>{form.label}</b>" in text and form.source in text
    assert "2 thành viên" in text and "5 thành viên chính thức" in text and "3 hợp tác xã" in text
    assert "30% / 40% vốn điều lệ" in text and "Luật Hợp tác xã 2023, Điều 74 khoản 1–2" in text
    assert "ít hơn 35% số thành viên chính thức" in text
    assert "xác minh" not in text and len(text) < 1200
