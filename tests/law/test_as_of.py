"""AS_OF_DATE runs the conversations as of a day; the content check keeps the real day unless --as-of."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.app import build_app
from bot.cli import cmd_content_check, parser
from bot.settings import Settings
from tests.chat import Chat


@pytest.fixture
async def as_of_app(engine, database_url, monkeypatch):
    """The bot built from settings with AS_OF_DATE=2024-10-31 (no channels), on the test database."""
    monkeypatch.setenv("AS_OF_DATE", "2024-10-31")
    app = build_app(Settings(database_url=database_url, telegram_bot_token=None, _env_file=None), parts=[])
    try:
        yield app
    finally:
        await app.close()


async def test_with_as_of_date_2024_10_31_the_support_check_says_nd_113_is_not_yet_in_force(as_of_app):
    chat = Chat(as_of_app.engine)
    await chat.send("/hotro")
    await chat.send("hop tac xa")
    for _ in range(15):  # whatever else runs that day (QĐ 167, local plans): not known
        if not any(b.id.endswith("|_skip") for b in chat.last.buttons):
            break
        await chat.tap("_skip")
    result = next(r.text for r in reversed(chat.replies) if r.text.startswith("<b>Kết quả xét hỗ trợ</b>"))
    assert "tính đến ngày 31/10/2024" in result
    assert "Nghị định 113/2024/NĐ-CP chưa có hiệu lực, có hiệu lực từ ngày 01/11/2024" in result
    assert "Đề án lựa chọn, hoàn thiện, nhân rộng mô hình hợp tác xã kiểu mới hiệu quả</b>: có thể đủ điều kiện" in result
    assert max(len(r.text) for r in chat.replies) < 1200


def test_an_as_of_date_that_is_not_a_day_stops_start_up(monkeypatch):
    monkeypatch.setenv("AS_OF_DATE", "31/10/2024")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        Settings(_env_file=None)
    monkeypatch.setenv("AS_OF_DATE", "")
    assert Settings(_env_file=None).as_of_date is None


def test_the_content_check_uses_the_real_day_even_under_as_of_date(monkeypatch, capsys):
    monkeypatch.setenv("AS_OF_DATE", "2024-10-31")
    args = parser().parse_args(["content", "check"])
    try:
        cmd_content_check(Settings(_env_file=None), args)
    except SystemExit:
        pass  # whether the content passes is another test's business: here only the day counts
    assert f"theo ngày {dt.date.today():%d/%m/%Y}" in capsys.readouterr().out.splitlines()[0]


def test_content_check_as_of_takes_a_day_and_refuses_anything_else(capsys):
    assert parser().parse_args(["content", "check", "--as-of", "2024-10-31"]).as_of == dt.date(2024, 10, 31)
    assert parser().parse_args(["rules", "explain", "nd113-dao-tao", "--as-of", "2027-01-01"]).as_of == dt.date(2027, 1, 1)
    with pytest.raises(SystemExit):
        parser().parse_args(["content", "check", "--as-of", "hôm qua"])
    assert "«hôm qua» không phải một ngày dạng YYYY-MM-DD" in capsys.readouterr().err
