"""`htxbot chat` with a script on stdin: the examples as a farmer types them in a terminal, where
options are numbered and every answer is typed (issue 13)."""

from __future__ import annotations

import io

from bot.channels import terminal
from tests.interpretation.conftest import answered_entries, events, returning_user, state_of

SCRIPT = """/start
bao cao thang gom nhung chi tieu gi
/start
cam on ad nhieu
bao cao nam
2
/thanhlap
htx can von toi thieu bao nhieu
hop tac xa
"""


async def test_a_scripted_terminal_session(bot, sessionmaker):
    await returning_user(sessionmaker, "terminal", "ba-tu")
    out = io.StringIO()
    await terminal.chat(bot, "ba-tu", stdin=io.StringIO(SCRIPT), stdout=out)
    shown = out.getvalue()
    assert "chưa được liên kết" not in shown
    assert "Không có gì" in shown and "gửi câu hỏi này cho cán bộ" not in shown
    assert "Ý bạn là «📊 Báo cáo tháng»?" in shown and "1. 📊 Báo cáo tháng\n2. ❌ Không phải" in shown
    assert "không quy định vốn điều lệ tối thiểu" in shown
    assert shown.split("> hop tac xa")[1].count("bao nhiêu thành viên chính thức") == 1  # the next question
    state = await state_of(sessionmaker, "terminal", "ba-tu")
    assert (state.flow, state.step, state.answers["form"]) == ("founding", "members", "hop_tac_xa")
    assert not await events(sessionmaker, "monthly_report.")
    entries = await answered_entries(sessionmaker)
    assert entries[0] in {"chi-tieu-theo-doi", "bao-cao-thang"} and entries[-1] == "von-toi-thieu"
