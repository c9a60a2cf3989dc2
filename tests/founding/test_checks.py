"""The founding checks, as a founders' group would meet them."""

from flows.engine.inputs import Option, match_option
from flows.founding import FORMS, check
from flows.founding.forms import sectors


def codes(answers):
    return {f.code: f for f in check(answers)}


def test_four_founders_of_an_htx_are_told_it_needs_five_and_offered_a_to_hop_tac():
    found = codes({"form": "hop_tac_xa", "members": 4})
    finding = found["members_below_minimum"]
    assert finding.severity == "block"
    assert finding.offers == ("to_hop_tac",)
    text = finding.text()
    assert "ít nhất <b>5 thành viên chính thức</b>" in text
    assert "Tổ hợp tác" in text
    assert finding.source == "Luật Hợp tác xã 2023, Điều 4 khoản 7"


def test_five_founders_of_an_htx_pass_the_minimum():
    assert "members_below_minimum" not in codes({"form": "hop_tac_xa", "members": 5})


def test_two_members_are_enough_for_a_to_hop_tac():
    assert [f for f in check({"form": "to_hop_tac", "members": 2}) if f.severity == "block"] == []


def test_one_member_cannot_make_a_to_hop_tac_and_nothing_smaller_is_offered():
    finding = codes({"form": "to_hop_tac", "members": 1})["members_below_minimum"]
    assert finding.offers == ()
    assert "ít nhất <b>2 thành viên</b>" in finding.text()


def test_a_to_hop_tac_of_six_hears_it_could_be_an_htx():
    finding = codes({"form": "to_hop_tac", "members": 6})["could_be_htx"]
    assert finding.severity == "info" and finding.offers == ("hop_tac_xa",)


def test_a_lien_hiep_of_two_htx_is_blocked_and_offered_nothing():
    finding = codes({"form": "lien_hiep", "members": 2})["members_below_minimum"]
    assert finding.severity == "block"
    assert finding.offers == ()
    assert "3 hợp tác xã thành viên chính thức" in finding.text()


def test_a_lien_hiep_of_three_htx_passes():
    assert "members_below_minimum" not in codes({"form": "lien_hiep", "members": 3})


def test_a_lien_hiep_with_individuals_is_told_its_members_are_htx():
    assert (
        codes({"form": "lien_hiep", "member_kinds": ["ca_nhan"]})["lien_hiep_members_are_htx"].severity
        == "warn"
    )


def test_31_percent_from_one_member_is_flagged_and_30_is_fine():
    base = {"form": "hop_tac_xa", "members": 5, "charter_capital": 1_000_000_000}
    over = codes(base | {"largest_contribution": 310_000_000})["contribution_over_cap"]
    assert over.severity == "warn"
    assert "31%" in over.text() and "30%" in over.text()
    assert over.source == "Luật Hợp tác xã 2023, Điều 74 khoản 1"  # verified: stated plainly
    assert "xác minh" not in over.text()
    assert "contribution_over_cap" not in codes(base | {"largest_contribution": 300_000_000})


def test_the_cap_is_exact_at_one_dong_above_30_percent():
    base = {"form": "hop_tac_xa", "members": 5, "charter_capital": 1_000_000_001}
    assert "contribution_over_cap" not in codes(base | {"largest_contribution": 300_000_000})
    assert "contribution_over_cap" in codes(base | {"largest_contribution": 300_000_001})


def test_a_lien_hiep_member_may_hold_40_percent_but_not_41():
    base = {"form": "lien_hiep", "members": 3, "charter_capital": 100_000_000}
    assert "contribution_over_cap" not in codes(base | {"largest_contribution": 40_000_000})
    assert "40%" in codes(base | {"largest_contribution": 41_000_000})["contribution_over_cap"].text()


def test_a_to_hop_tac_has_no_capital_cap():
    answers = {"form": "to_hop_tac", "members": 2, "charter_capital": 100, "largest_contribution": 90}
    assert "contribution_over_cap" not in codes(answers)


def test_a_contribution_larger_than_the_capital_is_blocked():
    answers = {"form": "hop_tac_xa", "charter_capital": 100_000_000, "largest_contribution": 200_000_000}
    assert codes(answers)["contribution_exceeds_capital"].severity == "block"


def test_numbers_that_cannot_add_up_are_questioned():
    answers = {
        "form": "hop_tac_xa",
        "members": 5,
        "charter_capital": 1_000_000_000,
        "largest_contribution": 100_000_000,
    }
    assert "contribution_inconsistent" in codes(answers)


def test_zero_capital_for_an_htx_is_questioned():
    assert "capital_missing" in codes({"form": "hop_tac_xa", "charter_capital": 0})


def test_foreign_members_bring_the_investment_certificate_and_the_30_percent_cap():
    for answers in (
        {"form": "hop_tac_xa", "has_foreign": True},
        {"form": "hop_tac_xa", "member_kinds": ["nha_dau_tu_nuoc_ngoai"]},
    ):
        found = codes(answers)
        assert "giấy chứng nhận đăng ký đầu tư" in found["foreign_dossier"].text()
        assert "30%" in found["foreign_cap"].text()
        assert found["foreign_cap"].source == "Luật Hợp tác xã 2023, Điều 74 khoản 3"
    assert "foreign_cap" not in codes({"form": "hop_tac_xa", "has_foreign": False})


def test_foreign_official_members_must_be_fewer_than_35_percent_of_the_number():
    for members, most in ((5, 1), (10, 3), (20, 6), (21, 7)):
        finding = codes({"form": "hop_tac_xa", "members": members, "has_foreign": True})["foreign_members"]
        assert finding.vars["max_foreign"] == most, members
        assert f"tối đa <b>{most}</b> nhà đầu tư nước ngoài" in finding.text()
        assert finding.source == "Luật Hợp tác xã 2023, Điều 30 khoản 7"
    lien_hiep = codes({"form": "lien_hiep", "has_foreign": True})["foreign_members"]
    assert lien_hiep.source == "Luật Hợp tác xã 2023, Điều 34 khoản 6"
    assert "ít hơn <b>35%</b>" in lien_hiep.text() and "tối đa" not in lien_hiep.text()  # count unknown


def test_households_and_individuals_get_the_membership_conditions():
    found = codes({"form": "hop_tac_xa", "member_kinds": ["ca_nhan", "ho_gia_dinh"]})
    assert "18 tuổi" in found["individual_conditions"].text()
    assert "người đại diện" in found["household_representative"].text()


def test_a_sector_with_conditions_of_its_own_is_hedged():
    finding = codes({"sector": "van_tai"})["sector_conditions"]
    assert "cần xác minh" in finding.text().lower() and finding.reference == ()  # no legal text to cite
    assert "sector_conditions" not in codes({"sector": "nong_nghiep"})


def test_internal_credit_is_not_offered_as_a_sector():
    assert "tin_dung_noi_bo" not in sectors()
    assert not any("tín dụng" in s["label"].lower() for s in sectors().values())


def test_fish_and_shrimp_farming_are_thuy_san():
    options = [Option(s["id"], s["label"], tuple(s.get("aliases", ()))) for s in sectors().values()]
    for typed in ("nuôi tôm", "nuoi ca", "nuôi cá tra", "tom su", "thuy san"):
        assert match_option(typed, options).id == "thuy_san", typed


def test_undecided_form_is_noted_and_no_form_rule_runs():
    found = codes({"form": "chua_ro", "members": 1})
    assert set(found) == {"form_undecided"}


def test_findings_come_blocks_first():
    order = [
        f.severity for f in check({"form": "hop_tac_xa", "members": 4, "has_foreign": True, "name": "x"})
    ]
    assert order == sorted(order, key=["block", "warn", "info"].index)


def test_partial_answers_give_no_findings_about_what_is_not_asked_yet():
    assert check({"form": "hop_tac_xa"}) == []


def test_forms_carry_their_minimums_and_references():
    assert {f: (FORMS[f].min_members, FORMS[f].legal_entity) for f in FORMS} == {
        "to_hop_tac": (2, False),
        "hop_tac_xa": (5, True),
        "lien_hiep": (3, True),
    }
    assert [f.source for f in (FORMS["to_hop_tac"], FORMS["hop_tac_xa"], FORMS["lien_hiep"])] == [
        "Luật Hợp tác xã 2023, Điều 4 khoản 21",
        "Luật Hợp tác xã 2023, Điều 4 khoản 7",
        "Luật Hợp tác xã 2023, Điều 4 khoản 8",
    ]
    assert {f.id: (f.max_single_share_pct, f.max_associate_total_pct) for f in FORMS.values()} == {
        "to_hop_tac": (None, None),
        "hop_tac_xa": (30, 30),
        "lien_hiep": (40, 40),
    }
