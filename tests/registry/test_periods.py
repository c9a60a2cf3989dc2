"""The default period turns over after the 10th; periods read and print as MM/YYYY."""

import datetime as dt

from flows.monthly_report import periods


def test_until_the_tenth_the_update_is_for_last_month():
    assert periods.default_period(dt.date(2026, 11, 10)) == "2026-10"
    assert periods.default_period(dt.date(2026, 11, 1)) == "2026-10"


def test_from_the_eleventh_the_update_is_for_this_month():
    assert periods.default_period(dt.date(2026, 11, 11)) == "2026-11"
    assert periods.default_period(dt.date(2026, 11, 22)) == "2026-11"


def test_early_january_reports_december_of_last_year():
    assert periods.default_period(dt.date(2027, 1, 3)) == "2026-12"


def test_typed_months_are_understood_and_nonsense_is_not():
    assert periods.parse("10/2026") == "2026-10"
    assert periods.parse(" 3-2026 ") == "2026-03"
    assert periods.parse("2026-03") == "2026-03"
    assert periods.parse("13/2026") is None
    assert periods.parse("tháng mười") is None
    assert periods.display("2026-03") == "03/2026"


def test_ranges_cross_the_year():
    assert periods.between("2026-11", "2027-02") == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert periods.between("2026-11", "2026-10") == []
    assert periods.previous("2026-01") == "2025-12"
