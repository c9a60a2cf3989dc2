"""The store: a user who writes again is no longer 'blocked'; last_seen is refreshed."""

from sqlalchemy import select, update

from db.models import User
from flows.engine.messages import Incoming


async def test_a_user_marked_blocked_who_writes_again_is_unblocked(bot_engine, sessionmaker):
    await bot_engine.handle(Incoming("test", "b1", text="/start"))
    async with sessionmaker() as s:
        await s.execute(update(User).where(User.external_id == "b1").values(blocked=True))
        await s.commit()
    bot_engine.store._touched.clear()  # as after the touch interval has passed
    await bot_engine.handle(Incoming("test", "b1", text="nong dan"))
    async with sessionmaker() as s:
        assert (await s.execute(select(User.blocked).where(User.external_id == "b1"))).scalar_one() is False
