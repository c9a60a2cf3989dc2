"""Questions the issue found answered with the wrong entry, typed at the menu the way farmers type
them (the knowledge base and its retrieval are content/faq and flows/faq; issue 13)."""

from __future__ import annotations

import pytest

from tests.interpretation.conftest import answered_entries, state_of


@pytest.mark.parametrize("typed, entry, says", [
    ("nghi dinh 113 hieu luc khi nao", "nghi-dinh-113", "01/11/2024"),
    ("3 nguoi lap to hop tac dc ko", "to-hop-tac", "từ 2 thành viên trở lên"),
    ("nop ho so thanh lap htx o dau", "noi-nop-ho-so", "cấp xã"),
])
async def test_the_question_gets_its_own_entry(chat, sessionmaker, typed, entry, says):
    await chat.send(typed)
    assert await answered_entries(sessionmaker) == [entry]
    assert says in chat.last_text
    assert (await state_of(sessionmaker)).flow == "faq"


async def test_the_2023_law_is_not_given_for_the_2024_decree(chat):
    await chat.send("nghi dinh 113 hieu luc khi nao")
    assert "01/07/2024" not in chat.last_text.split("Nguồn:")[0]
