"""The registry of legal texts: the ids the content may cite, their dates, and how a citation reads."""

from __future__ import annotations

import datetime as dt

import pytest
from jinja2 import Environment

from flows.engine.content import environment
from flows.engine.law import Citation, cite, format_article, format_citation, in_force, registry

IDS = {  # exactly the ids of the citation format (/tmp/plan/citations.md)
    "luat-htx-2023", "luat-htx-2012", "nd-92-2024", "nd-295-2026", "nd-294-2026", "nd-113-2024", "nd-125-2025",
    "tt-09-2024", "tt-01-2020", "nq-202-2025", "qd-167-2021", "qd-1318-2021", "qd-340-2021", "nd-45-2021",
    "nd-253-2025", "luat-bvdlcn-2025", "qd-4381-2023-ha-noi", "qd-298-2021-tra-vinh", "kh-124-2021-can-tho",
    "kh-125-2021-can-tho", "kh-53-2023-can-tho", "kh-2024-tp-hcm", "kh-2019-thanh-pho",
}


def test_the_registry_holds_exactly_the_agreed_texts():
    assert {t.id for t in registry().texts} == IDS


def test_nd_295_2026_replaced_nd_92_2024_on_23_07_2026():
    assert in_force("nd-92-2024", dt.date(2026, 7, 22)) and not in_force("nd-92-2024", dt.date(2026, 7, 23))
    assert not in_force("nd-295-2026", dt.date(2026, 7, 22)) and in_force("nd-295-2026", dt.date(2026, 7, 23))
    assert registry().get("nd-92-2024").replaced_by == "nd-295-2026"
    assert registry().get("nd-125-2025").replaced_by == "nd-295-2026"


@pytest.mark.parametrize(("text_id", "day", "expected"), [
    ("nd-113-2024", dt.date(2024, 10, 31), False),
    ("nd-113-2024", dt.date(2024, 11, 1), True),
    ("luat-htx-2012", dt.date(2024, 6, 30), True),
    ("luat-htx-2012", dt.date(2024, 7, 1), False),
    ("luat-htx-2023", dt.date(2024, 7, 1), True),
    ("qd-167-2021", dt.date(2025, 12, 31), True),
    ("qd-167-2021", dt.date(2026, 1, 1), False),
    ("luat-bvdlcn-2025", dt.date(2026, 1, 1), True),
])
def test_the_edges_of_each_period(text_id, day, expected):
    assert in_force(text_id, day) is expected


def test_an_unknown_text_has_no_period():
    with pytest.raises(KeyError):
        in_force("nd-1-1900", dt.date(2026, 11, 27))


def test_a_citation_reads_in_vietnamese_with_khoan_and_diem_written_out():
    assert cite("nd-295-2026", "Điều 12 kh.1") == "Nghị định 295/2026/NĐ-CP, Điều 12 khoản 1"
    assert cite("luat-htx-2023", "Điều 31 kh.1 đ.k–l") == "Luật Hợp tác xã 2023, Điều 31 khoản 1 điểm k–l"
    assert cite("luat-bvdlcn-2025", status="secondary") == "Luật Bảo vệ dữ liệu cá nhân 2025"
    assert format_article("Điều 4 kh.25–26; Điều 40 kh.8") == "Điều 4 khoản 25–26; Điều 40 khoản 8"


def test_several_citations_name_each_text_once():
    citations = [Citation(text="luat-htx-2023", article="Điều 18 kh.2", status="verified"),
                 Citation(text="nd-295-2026", article="Điều 59 kh.2", status="verified"),
                 {"text": "luat-htx-2023", "article": "Điều 22 kh.2", "status": "verified"}]
    assert format_citation(citations) == (
        "Luật Hợp tác xã 2023, Điều 18 khoản 2, Điều 22 khoản 2; Nghị định 295/2026/NĐ-CP, Điều 59 khoản 2")


def test_cite_is_a_global_and_citation_a_filter_of_the_templates():
    env = environment()
    assert env.from_string('{{ cite("tt-09-2024", "Điều 6 kh.1") }}').render() == "Thông tư 09/2024/TT-BKHĐT, Điều 6 khoản 1"
    source = {"text": "nd-113-2024", "article": "Điều 7 kh.3", "status": "secondary"}
    assert env.from_string("{{ s | citation }}").render(s=source) == "Nghị định 113/2024/NĐ-CP, Điều 7 khoản 3"
    assert isinstance(env, Environment)


def test_a_citation_needs_a_known_status():
    with pytest.raises(ValueError):
        Citation(text="nd-295-2026", article="Điều 12", status="probably")
