"""Every rule file validates, check_all() is clean today, and it does catch the mistakes it is for."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.eligibility import check_all, explain, load_facts, load_programmes
from flows.eligibility.check import _check_rule
from flows.eligibility.load import PROGRAMME_DIR, load_classifications, parse_rule_file
from flows.eligibility.schema import Area, Compare, Programme, Validity
from flows.engine.law import format_citation

TODAY = dt.date(2026, 11, 22)


@pytest.mark.parametrize("path", sorted(PROGRAMME_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_rule_file_validates_and_is_named_by_its_id(path):
    assert parse_rule_file(path).id == path.stem


def test_the_rules_are_clean_today():
    assert check_all(TODAY) == []


def test_on_the_eve_of_nd_113_its_rules_have_not_started_so_their_citations_are_not_held_against_them():
    assert check_all(dt.date(2024, 10, 31)) == []


def test_a_running_rule_citing_a_decree_not_yet_in_force_on_the_day_is_reported():
    problems = check_all(dt.date(2025, 10, 1))  # NĐ 113 runs; the THT hint cites NĐ 295/2026 (from 23/07/2026)
    assert any("Nghị định 295/2026/NĐ-CP" in p and "chưa có hiệu lực" in p for p in problems)


def test_the_seed_programmes_are_all_there():
    ids = {p.id for p in load_programmes()}
    assert {
        "nd113-tieu-chi-ho-tro", "nd113-dao-tao", "qd167-htx-kieu-moi", "ha-noi-qd4381",
        "can-tho-kh124", "can-tho-kh125", "tp-hcm-kh-2024", "tra-vinh-qd298", "thanh-pho-kh-2019",
    } <= ids
    assert [c.id for c in load_classifications()] == ["nd113-quy-mo"]


def test_every_2021_2025_programme_ends_on_31_12_2025():
    for programme in load_programmes():
        if programme.valid.period == "2021-2025":
            assert programme.valid.to == dt.date(2025, 12, 31), programme.id


def test_former_province_programmes_name_the_fact_the_user_confirms():
    facts = load_facts()
    for programme in load_programmes():
        if programme.area.former_province:
            assert facts[programme.area.confirm_fact].type == "bool"


def _rules():
    return {p.id: p for p in load_programmes()}


def _problems(programme: Programme, today: dt.date = TODAY) -> list[str]:
    return _check_rule(programme, _rules(), load_facts(), today)


def test_a_2021_2025_programme_without_an_end_date_is_reported():
    tra_vinh = _rules()["tra-vinh-qd298"]
    broken = tra_vinh.model_copy(update={"valid": Validity(**{"from": dt.date(2021, 2, 9), "period": "2021-2025"})})
    assert any("no end date" in p or "valid.to is not set" in p for p in _problems(broken))


def test_a_last_check_in_the_future_is_reported():
    assert any("in the future" in p for p in _problems(_rules()["tra-vinh-qd298"], dt.date(2026, 1, 1)))


def test_a_condition_on_a_fact_missing_from_facts_yaml_is_reported():
    broken = _rules()["tra-vinh-qd298"].model_copy(update={"requires": Compare(fact="no_such_fact", value=True)})
    assert any("unknown fact 'no_such_fact'" in p for p in _problems(broken))


def test_a_choice_that_does_not_exist_is_reported():
    broken = _rules()["qd167-htx-kieu-moi"].model_copy(
        update={"requires": Compare(fact="rating_2020", op="in", value=["xuat_sac"])}
    )
    assert any("no choice 'xuat_sac'" in p for p in _problems(broken))


def test_empty_references_are_refused_at_load():
    raw = _rules()["ha-noi-qd4381"].model_dump(by_alias=True) | {"references": []}
    with pytest.raises(ValueError, match="references"):
        Programme.model_validate(raw)


def test_a_programme_text_missing_from_the_law_registry_is_refused_at_load():
    raw = _rules()["ha-noi-qd4381"].model_dump(by_alias=True) | {"text": "qd-9999-2023-ha-noi"}
    with pytest.raises(ValueError, match="texts.yaml"):
        Programme.model_validate(raw)


def test_a_former_province_that_did_not_merge_into_the_programme_province_is_reported():
    tra_vinh = _rules()["tra-vinh-qd298"]
    broken = tra_vinh.model_copy(update={"area": tra_vinh.area.model_copy(update={"province_code": 1})})
    assert any("Trà Vinh" in p and "merged" in p for p in _problems(broken))


def test_a_province_code_that_does_not_exist_is_refused_at_load():
    with pytest.raises(ValueError):
        Area(province_code=999)


def test_a_validity_that_ends_before_it_starts_is_refused_at_load():
    with pytest.raises(ValueError):
        Validity(**{"from": dt.date(2025, 1, 1), "to": dt.date(2024, 1, 1)})


@pytest.mark.parametrize("programme", load_programmes(), ids=lambda p: p.id)
def test_every_programme_explains_itself_with_its_references(programme):
    text = explain(programme.id)
    assert programme.name in text
    assert format_citation(programme.reference) in text
    assert "{{" not in text and "None" not in text
    for item in programme.unverified:
        assert item in text
