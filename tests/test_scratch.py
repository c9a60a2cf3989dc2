"""A flow's working notes are declared and kept apart from the user's answers."""

import pytest

from flows.engine.context import Scratch
from flows.officials.flow import officials


def test_notes_saved_the_old_way_move_out_of_the_answers():
    answers = {"action": "invite_head", "_matches": [["7", "HTX Đồng Tâm", "Xã Long Hiệp"]], "_other": 1}
    scratch: dict = {}
    officials.adopt_scratch(answers, scratch)
    assert scratch == {"matches": [["7", "HTX Đồng Tâm", "Xã Long Hiệp"]]}
    assert answers == {"action": "invite_head", "_other": 1}  # what the flow does not declare is left alone


def test_an_undeclared_note_is_refused():
    notes = Scratch({}, officials.scratch)
    notes["own"] = ["province", 86, None]
    with pytest.raises(KeyError):
        notes["ownn"] = 1
    with pytest.raises(KeyError):
        notes.get("matchs")
