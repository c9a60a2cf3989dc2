"""Every monthly, officials and reminders template renders with the variables documented here."""

import datetime as dt
from types import SimpleNamespace

import pytest

from flows.engine.content import TEMPLATE_DIR, render
from flows.monthly_report.overview import Sums
from flows.monthly_report.reports import Change

REPORT = SimpleNamespace(members=20, workers=12, revenue=350_000_000, reference="BC202610-00012-2", revision=2)
ANSWERS = {"members": 20, "workers": 12, "revenue": 350_000_000, "status": "on_dinh",
           "status_note": "Vụ mùa tốt", "difficulties": None, "needs": []}
ANNUAL = {"annual_deadline": "15/12", "annual_reference": "Thông tư 09/2024/TT-BKHĐT, Điều 6"}
SCOPE = {"level": "commune", "province": "Thành phố Hà Nội", "commune": "Phường Cửa Nam"}

# template -> (variables, a phrase the message must contain)
SAMPLES = {
    "monthly_report/ask_period.j2": ({"cooperative": "HTX Đồng Tâm", "period": "10/2026"}, "10/2026"),
    "monthly_report/ask_members.j2": ({"cooperative": "HTX Đồng Tâm", "previous": REPORT}, "Lần trước: 20"),
    "monthly_report/ask_workers.j2": ({"period": "10/2026", "previous": None}, "người lao động"),
    "monthly_report/ask_revenue.j2": ({"period": "10/2026", "previous": REPORT}, "350 triệu đồng"),
    "monthly_report/ask_status.j2": ({"period": "10/2026"}, "Tình hình"),
    "monthly_report/ask_status_note.j2": ({}, "Bỏ qua"),
    "monthly_report/ask_difficulties.j2": ({}, "khó khăn"),
    "monthly_report/ask_needs.j2": ({"chosen": ["Vốn"]}, "Đã chọn: Vốn"),
    "monthly_report/review.j2": ({"period": "10/2026", "cooperative": "HTX Đồng Tâm", "answers": ANSWERS,
                           "status": "Ổn định", "needs": [], "revision": 2}, "Ổn định — Vụ mùa tốt"),
    "monthly_report/receipt.j2": ({"cooperative": "HTX Đồng Tâm", "report": REPORT, "period": "10/2026", **ANNUAL},
                           "lần cập nhật thứ 2"),
    "monthly_report/notice.j2": (ANNUAL, "không phải báo cáo bắt buộc"),
    "monthly_report/not_linked.j2": ({"cooperative": "HTX Đồng Tâm"}, "mã mời"),
    "monthly_report/no_cooperative.j2": ({}, "mã mời"),
    "monthly_report/choose_cooperative.j2": ({}, "tổ chức nào"),
    "monthly_report/out_of_range.j2": ({"field": "workers", "value": -1, "min": 0, "max": 100_000}, "Số lao động -1"),
    "monthly_report/bad_choice.j2": ({"field": "status"}, "tình hình"),
    "monthly_report/too_long.j2": ({"field": "difficulties", "limit": 2000}, "2.000 ký tự"),
    "monthly_report/refused.j2": ({"problems": ["a", "b"]}, "• b"),
    "monthly_report/confirm_change.j2": ({"changes": [Change("workers", 10, 30)]}, "Số lao động: 10 → 30"),
    "monthly_report/code_linked.j2": ({"cooperative": "HTX Đồng Tâm", "role": "deputy"}, "người được ủy quyền"),
    "monthly_report/code_wrong.j2": ({"attempts_left": 2}, "còn 2 lần"),
    "monthly_report/code_used.j2": ({"mine": True}, "đã dùng rồi"),
    "monthly_report/code_expired.j2": ({}, "hết hạn"),
    "monthly_report/code_slowed_down.j2": ({"minutes": 7}, "7 phút"),
    "officials/code_linked.j2": (SCOPE, "Phường Cửa Nam, Thành phố Hà Nội"),
    "officials/not_official.j2": ({}, "cán bộ"),
    "officials/out_of_scope.j2": ({}, "phạm vi"),
    "officials/invite_created.j2": ({"code": "ABCD2345", "expires_at": dt.date(2026, 12, 6), **SCOPE},
                                    "06/12/2026"),
    "officials/reporter_invite_created.j2": ({"code": "ABCD2345", "expires_at": dt.date(2026, 12, 6),
                                             "cooperative": "HTX Đồng Tâm", "role": "head"}, "ABCD2345"),
    "officials/compliance.j2": ({"period": "10/2026", "expected": 0, "reported": 0, "missing": [], "missing_total": 0,
                                 **SCOPE},
                                "Chưa có tổ chức nào"),
    "officials/totals.j2": ({"period": "10/2026", "previous_period": "09/2026", "current": Sums("2026-10", 2, 40),
                             "previous": Sums("2026-09", 1, 20), "change": {"reporting": 1, "members": 20,
                                                                            "workers": 0, "revenue": 0},
                             **SCOPE}, "tăng 20"),
    "officials/needs.j2": ({"period": "10/2026", "needs": [], "statuses": [], "items": [], "items_total": 0, **SCOPE},
                           "Chưa có tổ chức nào"),
    "officials/export_caption.j2": ({"first": "09/2026", "last": "10/2026", "rows": 3, "level": "country",
                                     "province": "", "commune": ""}, "từ 09/2026 đến 10/2026 — toàn quốc"),
    "officials/import_report.j2": ({"filename": "ds.csv", "created": 1, "updated": 0, "unchanged": 2,
                                    "rejected": []}, "thêm mới 1"),
    "officials/import_reason.j2": ({"reason": "sector", "value": "bay", "province": ""}, "bay"),
    "officials/import_file_error.j2": ({"reason": "empty", "filename": "ds.csv"}, "không có dòng"),
    "reminders/first.j2": ({"cooperative": "HTX Đồng Tâm", "period": "10/2026", "until": "10/11/2026"},
                           "10/11/2026"),
    "reminders/second.j2": ({"cooperative": "HTX Đồng Tâm", "period": "10/2026"}, "lần nhắc cuối"),
    "reminders/annual.j2": ({"cooperative": "HTX Đồng Tâm", "form_noun": "hợp tác xã", "deadline": "15/12/2026",
                             "days_left": 14, "data_from": "15/12/2025", "data_until": "14/12/2026"},
                            "chậm nhất ngày 15/12/2026"),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_template_renders_with_its_documented_variables(name):
    context, phrase = SAMPLES[name]
    assert phrase in render(name, **context)


def test_every_template_of_these_folders_has_a_sample():
    files = {f"{p.parent.name}/{p.name}" for folder in ("monthly_report", "officials", "reminders")
             for p in (TEMPLATE_DIR / folder).glob("*.j2") if not p.name.startswith("_")}
    assert files == set(SAMPLES)
