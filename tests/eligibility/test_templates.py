"""Every result template renders: one evaluation per outcome; summary, details and ended list each
name what they show with its citation, and no reply is longer than a phone screen or two."""

from __future__ import annotations

import datetime as dt

from flows.eligibility import Outcome, details, ended, evaluate, summary
from flows.eligibility.present import LIMIT, pieces, shown
from flows.engine.law import format_citation

GROWING_HTX = {
    "form": "hop_tac_xa", "province_code": 86, "in_former_tra_vinh": True, "criminal_sentence": False,
    "prohibited_act_penalty": False, "members_now": 12, "members_1y_ago": 10, "members_2y_ago": 8,
    "sector": "nong_nghiep", "official_members": 12, "revenue_year": 3_000_000_000, "total_capital": 0,
}
TODAY = dt.date(2026, 11, 22)


def _situations():
    yield TODAY, GROWING_HTX  # eligible, ended
    yield TODAY, {"form": "hop_tac_xa"}  # possibly
    yield TODAY, {**GROWING_HTX, "prohibited_act_penalty": True}  # not_eligible
    yield dt.date(2025, 6, 1), {"form": "to_hop_tac", "province_code": 1}  # not_for_this_form
    yield dt.date(2025, 6, 1), {**GROWING_HTX, "in_former_tra_vinh": False}  # not_in_area
    yield dt.date(2024, 10, 31), GROWING_HTX  # not_started
    yield dt.date(2019, 6, 1), {}  # possibly without questions (unnamed city)


def test_every_outcome_is_reached_and_every_shown_programme_is_rendered_with_its_citation():
    seen = set()
    for today, facts in _situations():
        evaluation = evaluate(facts, today)
        texts = [summary(evaluation), *details(evaluation), *ended(evaluation)]
        text = "\n".join(texts)
        assert "{{" not in text and "None" not in text
        for result in shown(evaluation):
            seen.add(result.outcome)
            assert result.programme.name in text
            assert format_citation(result.programme.reference) in text
        assert all(len(t) <= LIMIT for t in texts), [len(t) for t in texts]
    assert seen == set(Outcome)


def test_only_national_programmes_and_those_of_the_users_province_are_shown():
    ha_noi = {p.programme.id for p in shown(evaluate({"form": "hop_tac_xa", "province_code": 1}, TODAY))}
    assert "ha-noi-qd4381" in ha_noi and "nd113-dao-tao" in ha_noi
    assert not ha_noi & {"tra-vinh-qd298", "can-tho-kh124", "tp-hcm-kh-2024", "thanh-pho-kh-2019"}
    vinh_long = {p.programme.id for p in shown(evaluate({"form": "hop_tac_xa", "province_code": 86}, TODAY))}
    assert "tra-vinh-qd298" in vinh_long and "ha-noi-qd4381" not in vinh_long


def test_an_eligible_result_is_short_and_its_details_list_benefits_and_where_to_apply():
    evaluation = evaluate(GROWING_HTX, TODAY)
    text = summary(evaluation)
    assert "Hỗ trợ phát triển nguồn nhân lực (đào tạo, bồi dưỡng)</b>: đủ điều kiện" in text
    assert "tối đa 100% học phí" not in text  # behind «Xem chi tiết»
    detail = "\n".join(details(evaluation))
    assert "tối đa 100% học phí" in detail
    assert "UBND cấp xã nơi đặt trụ sở" in detail  # the support request goes to the commune
    assert "Điều 18 khoản 1 điểm c" in detail  # the audit report where a policy requires one


def test_ended_programmes_are_one_line_in_the_summary_and_listed_on_request():
    evaluation = evaluate(GROWING_HTX, TODAY)
    text = summary(evaluation)
    assert "2 chương trình đã kết thúc" in text
    assert "Trà Vinh" not in text
    (listed,) = ended(evaluation)
    assert "tỉnh Trà Vinh: kết thúc ngày 31/12/2025" in listed
    assert "Trà Vinh cũ (trước 01/07/2025)" in listed  # the former province's programme, hedged


def test_a_running_programme_of_a_former_province_is_hedged_in_the_summary():
    text = summary(evaluate({**GROWING_HTX, "in_former_tra_vinh": True}, dt.date(2025, 10, 1)))
    assert "Trà Vinh cũ (trước 01/07/2025): chưa xác minh được còn áp dụng cho địa bàn cũ" in text


def test_not_eligible_names_the_missing_criterion_and_the_nearest_way_to_meet_it():
    facts = {**GROWING_HTX, "members_now": 10, "members_2y_ago": 12, "internal_share_grew": False,
             "undivided_fund_above_min": False, "undivided_assets_grew": False, "trained_share_pct": 3,
             "training_proof": True, "founded_on": "2010-01-01"}
    text = summary(evaluate(facts, TODAY))
    assert "Chưa đạt tiêu chí nào trong 6 tiêu chí" in text
    assert "Gần nhất: Cho thêm thành viên hoặc người lao động đi đào tạo, bồi dưỡng để đạt ít nhất 5%" in text
    assert "(hiện: 3%)" in text
    assert "cùng lý do ở trên" in text  # nd113-dao-tao reuses the criteria: not repeated


def test_an_unregistered_to_hop_tac_is_told_to_register_at_the_commune():
    text = summary(evaluate({"form": "to_hop_tac", "registered": False, "province_code": 86}, TODAY))
    assert "Chưa đáp ứng: có giấy chứng nhận đăng ký tổ hợp tác" in text
    assert "Đăng ký tổ hợp tác tại cơ quan đăng ký kinh doanh cấp xã" in text
    assert "Quy mô" not in text  # size classes are for HTX


def test_before_nd_113_takes_effect_the_result_says_it_is_not_yet_in_force():
    text = summary(evaluate(GROWING_HTX, dt.date(2024, 10, 31)))
    assert "Nghị định 113/2024/NĐ-CP chưa có hiệu lực, có hiệu lực từ ngày 01/11/2024" in text


def test_the_size_class_is_said_when_sector_official_members_and_revenue_are_known():
    assert "Quy mô hợp tác xã (lĩnh vực nông nghiệp, lâm nghiệp, thủy sản, diêm nghiệp): <b>Siêu nhỏ</b>" in summary(
        evaluate(GROWING_HTX, TODAY))
    unknown = {k: v for k, v in GROWING_HTX.items() if k not in ("official_members", "sector")}
    assert "Bấm «Xác định quy mô»" in summary(evaluate(unknown, TODAY))
    other = summary(evaluate({**GROWING_HTX, "sector": "khac"}, TODAY))
    assert "ngưỡng của lĩnh vực thương mại, dịch vụ và lĩnh vực khác chưa xác minh được" in other


def test_a_possible_result_names_what_is_missing_and_its_details_ask_the_questions():
    evaluation = evaluate({"form": "hop_tac_xa"}, TODAY)
    assert "có thể đủ điều kiện; còn thiếu:" in summary(evaluation)
    assert "bản án hình sự" in "\n".join(details(evaluation))


def test_unverified_facts_are_hedged_to_the_user():
    detail = "\n".join(details(evaluate({"form": "hop_tac_xa"}, TODAY)))
    assert "Cần xác minh với cơ quan nhà nước" in detail
    assert "36 tháng" in detail and "chưa xác minh" in detail


def test_pieces_cut_a_long_text_at_blank_lines_then_lines():
    text = "\n\n".join(f"<b>đoạn {i}</b> " + "x" * 500 for i in range(5)) + "\n" + "\n".join("y" * 300 for _ in range(6))
    parts = pieces(text)
    assert len(parts) > 2 and all(len(p) <= LIMIT for p in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")
