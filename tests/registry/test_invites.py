"""Typing an invite code: linked once, then used; expired codes and guessing are refused."""

import datetime as dt

from db.base import utcnow
from flows.join import invites
from flows.join.accounts import invite_official, invite_reporter, scope_of
from flows.join.coops import linked_cooperatives
from flows.join.invites import Outcome, redeem
from flows.join.scope import Scope
from tests.registry import world
from tests.registry.world import CAN_THO, CUA_NAM, HANOI, HOAN_KIEM


async def test_codes_avoid_look_alike_characters():
    for _ in range(50):
        code = invites.new_code()
        assert len(code) == 8 and not set(code) & set("0O1I")


async def test_a_head_links_with_a_code_once_and_a_second_person_is_told_it_is_used(session):
    htx = await world.coop(session, "HTX Đồng Tâm")
    officer = await world.official(session, Scope("province", HANOI))
    given = await invite_reporter(session, officer.id, htx.id)
    head, other = await world.user(session), await world.user(session)

    typed = given.invite.code.lower()[:4] + " " + given.invite.code.lower()[4:]
    result = await redeem(session, head, typed)
    assert result.outcome is Outcome.LINKED and "HTX Đồng Tâm" in result.text
    assert [(c.name, role) for c, role in await linked_cooperatives(session, head.id)] == [("HTX Đồng Tâm", "head")]

    again = await redeem(session, other, given.invite.code)
    assert again.outcome is Outcome.USED and "đã được dùng" in again.text
    assert await linked_cooperatives(session, other.id) == []


async def test_an_expired_code_links_nobody(session):
    htx = await world.coop(session, "HTX Đồng Tâm")
    invite = await invites.create_code(session, "reporter", None, cooperative_id=htx.id,
                                       now=utcnow() - dt.timedelta(days=15))
    head = await world.user(session)
    result = await redeem(session, head, invite.code)
    assert result.outcome is Outcome.EXPIRED and "hết hạn" in result.text
    assert await linked_cooperatives(session, head.id) == []


async def test_five_wrong_codes_in_fifteen_minutes_slow_the_guesser_down(session):
    htx = await world.coop(session, "HTX Đồng Tâm")
    invite = await invites.create_code(session, "reporter", None, cooperative_id=htx.id)
    guesser = await world.user(session)
    start = utcnow()
    for n in range(5):
        wrong = await redeem(session, guesser, "AAAAAAAA", now=start + dt.timedelta(minutes=n))
        assert wrong.outcome is Outcome.WRONG
    assert "còn" not in wrong.text and "đợi 15 phút" in wrong.text
    await session.commit()

    blocked = await redeem(session, guesser, invite.code, now=start + dt.timedelta(minutes=6))
    assert blocked.outcome is Outcome.SLOWED_DOWN and "10 phút" in blocked.text
    assert await linked_cooperatives(session, guesser.id) == []

    later = await redeem(session, guesser, invite.code, now=start + dt.timedelta(minutes=15, seconds=1))
    assert later.outcome is Outcome.LINKED


async def test_a_wrong_code_says_how_many_tries_are_left(session):
    guesser = await world.user(session)
    first = await redeem(session, guesser, "ZZZZ-ZZZZ")
    assert first.outcome is Outcome.WRONG and "còn 4 lần" in first.text


async def test_a_province_official_invites_commune_officials_but_not_another_province(session):
    officer = await world.official(session, Scope("province", HANOI))
    outside = await invite_official(session, officer.id, Scope("province", CAN_THO))
    assert not outside.ok and "phạm vi" in outside.text
    wider = await invite_official(session, officer.id, Scope("country"))
    assert not wider.ok

    given = await invite_official(session, officer.id, Scope("commune", HANOI, CUA_NAM))
    assert given.ok and given.invite.code in given.text and "Phường Cửa Nam" in given.text
    newcomer = await world.user(session)
    result = await redeem(session, newcomer, given.invite.code)
    assert result.outcome is Outcome.LINKED and result.kind == "official"
    assert await scope_of(session, newcomer.id) == Scope("commune", HANOI, CUA_NAM)


async def test_a_commune_official_cannot_invite_for_a_cooperative_of_another_commune(session):
    officer = await world.official(session, Scope("commune", HANOI, CUA_NAM))
    elsewhere = await world.coop(session, "HTX Hoàn Kiếm", HANOI, HOAN_KIEM)
    refused = await invite_reporter(session, officer.id, elsewhere.id)
    assert not refused.ok and refused.invite is None
    nobody = await world.user(session)
    assert not (await invite_reporter(session, nobody.id, elsewhere.id)).ok
