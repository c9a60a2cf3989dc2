"""The bot with its knowledge base, as `htxbot run` wires it, talked to by typing: a farmer of Long
Hiệp (Vĩnh Long) who introduced themselves earlier, on the terminal (a text-only channel)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import db.models.registry  # noqa: F401  (registers the registry tables before the schema is created)
from bot.catalog import all_flows
from db.models import AuditLog, Conversation, User
from flows.engine import geo
from flows.engine.engine import Engine
from flows.engine.services import Services
from flows.faq import Knowledge
from flows.faq.assistant import Assistant
from tests.chat import Chat, fixed_clock

VINH_LONG = 86


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return Knowledge.load()


@pytest.fixture
async def bot(sessionmaker, knowledge):
    """The conversation engine with every flow and the free-text assistant on the knowledge base."""
    engine = Engine(sessionmaker, all_flows(), clock=fixed_clock(),
                    services=Services(knowledge=knowledge, assistant=Assistant(knowledge)))
    yield engine
    await engine.close()


async def returning_user(sessionmaker, channel: str, external_id: str = "u1") -> None:
    """A farmer who finished onboarding earlier (Long Hiệp, Vĩnh Long) and has no flow running."""
    commune = geo.find_commune("long hiep", VINH_LONG).places[0].code
    async with sessionmaker() as s:
        s.add(User(channel=channel, external_id=external_id, display_name="Ba Tư", role="nong_dan",
                   province_code=VINH_LONG, commune_code=commune, onboarded=True))
        await s.commit()


@pytest.fixture
async def chat(bot, sessionmaker) -> Chat:
    """That farmer at the main menu of the terminal."""
    person = Chat(bot, channel="terminal")
    await returning_user(sessionmaker, "terminal")
    await person.send("/start")
    assert "Menu chính" in person.last_text
    return person


async def state_of(sessionmaker, channel: str = "terminal", external_id: str = "u1") -> Conversation:
    async with sessionmaker() as s:
        return (await s.execute(select(Conversation).join(User, User.id == Conversation.user_id)
                                .where(User.channel == channel, User.external_id == external_id))).scalar_one()


async def events(sessionmaker, prefix: str = "") -> list[tuple[str, dict]]:
    """The audit/funnel events recorded so far, oldest first: (action, detail)."""
    async with sessionmaker() as s:
        rows = (await s.execute(select(AuditLog).order_by(AuditLog.id))).scalars().all()
    return [(r.action, r.detail) for r in rows if r.action.startswith(prefix)]


async def answered_entries(sessionmaker) -> list[str]:
    """The knowledge-base entries answered so far, oldest first."""
    return [detail["entry"] for action, detail in await events(sessionmaker, "faq.answered")]
