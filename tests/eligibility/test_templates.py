"""Every result template renders: one evaluation per outcome, each naming its programme and reference."""

from __future__ import annotations

import datetime as dt

from flows.eligibility import Outcome, evaluate, render_result

GROWING_HTX = {
    "form": "hop_tac_xa", "province_code": 86, "in_former_tra_vinh": True, "meets_law_18_1a": True,
    "prohibited_act_penalty": False, "members_now": 12, "members_1y_ago": 10, "members_2y_ago": 8,
    "sector": "nong_nghiep", "revenue_year": 3_000_000_000, "total_capital": 0,
}


def _situations():
    yield dt.date(2026, 11, 22), GROWING_HTX  # eligible, ended
    yield dt.date(2026, 11, 22), {"form": "hop_tac_xa"}  # possibly
    yield dt.date(2026, 11, 22), {**GROWING_HTX, "prohibited_act_penalty": True}  # not_eligible
    yield dt.date(2025, 6, 1), {"form": "to_hop_tac", "province_code": 1}  # not_for_this_form, not_in_area
    yield dt.date(2024, 10, 31), GROWING_HTX  # not_started
    yield dt.date(2019, 6, 1), {}  # possibly without questions (unnamed city)


def test_every_outcome_is_reached_and_rendered():
    seen = set()
    for today, facts in _situations():
        evaluation = evaluate(facts, today)
        text = render_result(evaluation)
        assert "{{" not in text and "None" not in text
        for result in evaluation.results:
            seen.add(result.outcome)
            assert result.programme.name in text
            assert result.programme.reference in text
    assert seen == set(Outcome)


def test_an_eligible_result_lists_benefits_and_where_to_apply():
    text = render_result(evaluate(GROWING_HTX, dt.date(2026, 11, 22)))
    assert "Đủ điều kiện" in text
    assert "tối đa 100% học phí" in text
    assert "Sở Tài chính" in text
    assert "Quy mô: <b>Siêu nhỏ</b>" in text


def test_an_ended_result_gives_its_end_date():
    text = render_result(evaluate(GROWING_HTX, dt.date(2026, 11, 22)))
    assert "Đã kết thúc ngày 31/12/2025" in text


def test_a_possible_result_asks_the_questions_that_would_settle_it():
    text = render_result(evaluate({"form": "hop_tac_xa"}, dt.date(2026, 11, 22)))
    assert "Cần biết thêm" in text
    assert "điểm a khoản 1 Điều 18" in text


def test_unverified_facts_are_hedged_to_the_user():
    text = render_result(evaluate({"form": "hop_tac_xa"}, dt.date(2026, 11, 22)))
    assert "Cần xác minh với cơ quan nhà nước" in text
    assert "câu chữ của văn bản cần xác minh" not in text or "36 tháng" in text
