"""Properties of the engine: any sequence of texts and button ids never fails and leaves a valid state."""

from __future__ import annotations

import asyncio
import itertools

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

import db.models  # noqa: F401
from bot.catalog import all_flows
from db.base import Base, make_engine, make_sessionmaker
from db.models import Conversation
from flows.engine.content import render
from flows.engine.dsl import Ask
from flows.engine.engine import Engine
from flows.engine.messages import Incoming
from tests.chat import fixed_clock

WORDS = ["/start", "/huy", "/quaylai", "/trogiup", "/hoso", "/boqua", "menu", "bat dau", "1", "2", "7", "có", "ko",
         "ha noi", "tan tien", "nong dan", "hop tac xa", "1,5 tỷ", "", "   ", "x" * 5000, "/thamgia ABC", "bỏ qua"]
BUTTONS = ["onboarding.role|nong_dan", "onboarding.role|_skip", "onboarding.province|_skip", "menu.main|profile",
           "menu.main|_resume", "menu.main|founding", "profile.view|edit_place", "nav:menu", "nav:help",
           "onboarding.commune|_pick:1", "x|y", "", "|", "profile.province|_back"]
ERROR_TEXT = render("common/error.j2")
_users = itertools.count()

messages = st.lists(
    st.one_of(
        st.sampled_from(WORDS).map(lambda t: ("text", t)),
        st.text(max_size=40).map(lambda t: ("text", t)),
        st.sampled_from(BUTTONS).map(lambda b: ("button", b)),
        st.text(max_size=20).map(lambda b: ("button", b)),
    ),
    min_size=1, max_size=25,
)


async def _run(tmp_path, sequence) -> None:
    eng = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'prop.db'}")
    async with eng.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    engine = Engine(make_sessionmaker(eng), all_flows(), clock=fixed_clock())
    user = f"p{next(_users)}"
    try:
        for kind, value in sequence:
            incoming = Incoming("test", user, text=value) if kind == "text" else Incoming("test", user, button=value)
            replies = await engine.handle(incoming)
            assert all(r.text != ERROR_TEXT for r in replies), (kind, value)
            async with engine.sessionmaker() as s:
                conv = (await s.execute(select(Conversation))).scalar_one()
            if conv.flow is not None:
                flow = engine.flows[conv.flow]
                assert isinstance(flow.step(conv.step), Ask), (conv.flow, conv.step)
            else:
                assert conv.step is None
            assert isinstance(conv.answers, dict) and isinstance(conv.history, list)
    finally:
        await eng.dispose()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=messages)
@example(sequence=[("text", "/start"), ("text", "1"), ("button", "onboarding.province|_skip"),
                   ("button", "onboarding.commune|_pick:1"), ("text", "/boqua")])  # a forged pick
def test_any_sequence_never_fails_and_leaves_a_valid_state(tmp_path_factory, sequence):
    asyncio.run(_run(tmp_path_factory.mktemp("prop"), sequence))
