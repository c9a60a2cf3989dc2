"""Each rule of the citation check, on small synthetic YAML documents and templates, as of 27/11/2026."""

from __future__ import annotations

import datetime as dt

import yaml

from flows.engine.law_scan import check_template, check_yaml

TODAY = dt.date(2026, 11, 27)


def _yaml(text: str, day: dt.date = TODAY) -> list[str]:
    return [f.rule for f in check_yaml(yaml.safe_load(text), day, "synthetic.yaml")]


def _template(source: str, day: dt.date = TODAY) -> list[str]:
    return [f.rule for f in check_template(source, day, "synthetic.j2")]


def test_a_verified_citation_of_a_text_in_force_passes():
    assert _yaml("""
answer: Hồ sơ được nộp tại cơ quan đăng ký kinh doanh cấp xã.
source: {text: nd-295-2026, article: "Điều 5", status: verified}
""") == []


def test_an_unknown_text_fails():
    assert _yaml("source: {text: nd-999-2026, article: Điều 1, status: verified}") == ["unknown_text"]


def test_a_replaced_decree_cited_as_current_fails_and_passes_when_marked_old():
    stale = "answer: Người nộp hồ sơ.\nsource: {text: nd-92-2024, article: Điều 12, status: verified}"
    assert _yaml(stale) == ["not_in_force"]
    assert _yaml(stale, dt.date(2026, 7, 22)) == []  # the last day it was in force
    old = ("answer: Trước đây Nghị định 92/2024/NĐ-CP quy định ở Điều 12.\n"
           "source: {text: nd-92-2024, article: Điều 12, status: verified, old: true}")
    assert _yaml(old) == []


def test_a_text_not_yet_in_force_on_the_day_fails():
    assert _yaml("source: {text: nd-113-2024, article: Điều 6, status: secondary}", dt.date(2024, 10, 31)) == [
        "not_yet_in_force"]


def test_a_hedge_on_an_entry_whose_citations_are_all_verified_fails():
    assert _yaml("""
answer: HTX cần ít nhất 5 thành viên chính thức (số điều chưa xác minh).
source: {text: luat-htx-2023, article: "Điều 4 kh.7", status: verified}
""") == ["hedge_on_verified"]


def test_a_hedge_that_belongs_to_an_unverified_citation_of_the_same_entry_passes():
    assert _yaml("""
answer: Tổ hợp tác cần hợp đồng hợp tác; nội dung hợp đồng theo Nghị định 294/2026/NĐ-CP cần xác minh với cơ quan đăng ký.
source:
  - {text: luat-htx-2023, article: "Điều 4 kh.21", status: verified}
  - {text: nd-294-2026, status: unverified}
""") == []


def test_an_unverified_citation_without_a_hedge_fails_and_an_unverified_list_is_a_hedge():
    bare = "text: Nội dung hợp đồng hợp tác gồm các điều khoản sau.\nreference: {text: nd-294-2026, status: unverified}"
    assert _yaml(bare) == ["unverified_without_hedge"]
    listed = bare + "\nunverified: [Nội dung hợp đồng theo văn bản gốc.]"
    assert _yaml(listed) == []


def test_nested_entries_are_checked_on_their_own_text():
    assert _yaml("""
id: p
reference: {text: nd-113-2024, article: Điều 6, status: secondary}
unverified: [Thời hạn 36 tháng chưa xác minh.]
benefits:
  - text: Được hỗ trợ học phí.
    reference: {text: luat-htx-2023, article: Điều 20, status: verified}
""") == []  # the programme's hedge is not the benefit's


def test_a_reference_written_as_a_string_fails():
    assert _yaml("reference: Nghị định 295/2026/NĐ-CP, Điều 12") == ["not_a_citation"]


def test_a_replaced_text_named_in_words_fails_without_old_context():
    assert _yaml("answer: Theo Nghị định 92/2024/NĐ-CP, người được ủy quyền nộp hồ sơ.") == ["stale_name"]
    assert _yaml("answer: Nơi nộp theo NĐ 125/2025.") == ["stale_name"]
    assert _yaml("answer: Luật HTX 2012 yêu cầu 7 thành viên.") == ["stale_name"]
    assert _yaml("answer: Theo quy định cũ (Luật HTX 2012), HTX cần 7 thành viên.") == []
    assert _yaml("answer: Nghị định 295/2026/NĐ-CP thay thế Nghị định 92/2024/NĐ-CP từ 23/07/2026.") == []
    assert _yaml("answer: Trước đây NĐ 92/2024 ghi ở Điều 12. Nay người nộp là người được ủy quyền.") == []


def test_the_old_context_must_be_in_the_same_sentence():
    assert _yaml("answer: Đây là quy định cũ. Theo NĐ 92/2024, người nộp là chủ tịch.") == ["stale_name"]


def test_a_cite_call_in_a_template_is_checked_like_a_yaml_citation():
    assert _template('Người nộp: {{ cite("nd-295-2026", "Điều 12 kh.1") }}.') == []
    assert _template('Người nộp: {{ cite("nd-92-2024", "Điều 12") }}.') == ["not_in_force"]
    assert _template('Trước đây: {{ cite("nd-92-2024", "Điều 12", old=True) }}.') == []
    assert _template('{{ cite("nd-294-2026", status="unverified") }}: nội dung hợp đồng.') == ["unverified_without_hedge"]
    assert _template('{{ cite("nd-294-2026", status="unverified") }}: cần xác minh với cơ quan đăng ký.') == []
    assert _template('{{ cite("luat-htx-2023", "Điều 74 kh.1") }} (chưa kiểm chứng)') == ["hedge_on_verified"]


def test_a_cite_call_that_cannot_be_read_fails():
    assert _template("{{ cite(text_id, 'Điều 1') }}") == ["cite_not_literal"]


def test_a_raw_name_of_a_replaced_text_in_a_template_fails_but_not_in_a_comment():
    assert _template("Hồ sơ theo Nghị định 92/2024/NĐ-CP.") == ["stale_name"]
    assert _template("{# formerly Nghị định 92/2024/NĐ-CP #}Hồ sơ theo {{ cite('nd-295-2026', 'Điều 23') }}.") == []
