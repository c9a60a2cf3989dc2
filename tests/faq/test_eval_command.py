"""`htxbot faq eval`: the figures per split and state, and the misroute check in the real engine."""

from __future__ import annotations

import datetime as dt

from bot.cli import main
from bot.commands.faq_eval import Outcome, figures, misroutes

DAY = dt.date(2026, 11, 27)


def test_the_eval_prints_each_state_of_the_split_with_its_figures(capsys):
    main(["faq", "eval", "--split", "dev", "--no-engine"])
    out = capsys.readouterr().out
    assert "Phần «dev»" in out and "top-1" in out and "rẽ nhầm" in out
    for state in ("idle", "menu", "founding.progress"):
        assert f"\n{state} " in out


def _outcome(text: str, state: str, expect) -> Outcome:
    return Outcome({"text": text, "state": state, "expect": expect}, None, None, [])


async def test_a_reply_that_moves_the_flow_is_a_misroute_and_a_request_is_not_measured(tmp_path):
    outcomes = [
        _outcome("hop tac xa", "founding.form", {"entry": "htx-la-gi"}),  # taken as the form: the step moves on
        _outcome("tôi muốn lập htx", "idle", {"flow": "founding"}),  # a request may start its flow
        _outcome("htx la gi", "founding.nowhere", {"entry": "htx-la-gi"}),  # a state no script reaches
    ]
    await misroutes(outcomes, DAY, tmp_path)
    assert [o.misroute for o in outcomes] == [True, None, None]
    assert figures(outcomes)["measured"] == 1 and figures(outcomes)["misroutes"] == 1


async def test_small_talk_at_the_menu_starts_no_flow(tmp_path):
    outcomes = [_outcome("chao ad", "menu", "smalltalk")]
    await misroutes(outcomes, DAY, tmp_path)
    assert outcomes[0].misroute is False
