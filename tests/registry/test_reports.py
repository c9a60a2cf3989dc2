"""Submitting monthly updates: linked reporters get a receipt, revisions are kept, odd numbers are questioned."""

from flows.join.scope import Scope
from flows.monthly_report.reports import Outcome, latest_reports, revisions, submit
from tests.registry import world
from tests.registry.world import HANOI


async def test_a_linked_head_gets_a_receipt_that_says_it_is_not_the_legal_annual_update(session):
    htx = await world.coop(session, "HTX Đồng Tâm")
    head = await world.head_of(session, htx)
    result = await submit(session, head, htx, world.answers(needs=["von", "tieu_thu"], difficulties="Thiếu vốn"))
    await session.commit()

    assert result.outcome is Outcome.ACCEPTED
    assert result.report.reference == f"BC202610-{htx.id:05d}-1"
    assert result.report.reference in result.text and "10/2026" in result.text
    assert "không thay thế" in result.text and "15/12" in result.text and "09/2024/TT-BKHĐT" in result.text
    assert result.report.needs == ["von", "tieu_thu"]


async def test_a_correction_is_a_new_revision_and_the_latest_counts(session):
    htx = await world.coop(session, "HTX Đồng Tâm")
    head = await world.head_of(session, htx)
    await submit(session, head, htx, world.answers(members=20, revenue=100_000_000))
    second = await submit(session, head, htx, world.answers(members=22, revenue=120_000_000))
    await session.commit()

    assert second.report.revision == 2 and "lần cập nhật thứ 2" in second.text
    assert [r.members for r in await revisions(session, htx.id, "2026-10")] == [20, 22]
    [(_, latest)] = await latest_reports(session, Scope("province", HANOI), "2026-10")
    assert (latest.revision, latest.members, latest.revenue) == (2, 22, 120_000_000)


async def test_a_user_who_is_not_linked_is_refused(session):
    htx = await world.coop(session, "HTX Đồng Tâm")
    stranger = await world.user(session)
    other = await world.coop(session, "HTX Khác")
    head_of_other = await world.head_of(session, other)
    for person in (stranger, head_of_other):
        result = await submit(session, person, htx, world.answers())
        assert result.outcome is Outcome.NOT_LINKED and result.report is None
        assert "chưa được liên kết" in result.text and "HTX Đồng Tâm" in result.text
    assert await revisions(session, htx.id, "2026-10") == []


async def test_impossible_numbers_are_refused_with_the_reason(session):
    htx = await world.coop(session, "HTX Đồng Tâm")
    head = await world.head_of(session, htx)
    result = await submit(session, head, htx, world.answers(members=0, revenue=-5, status="rat_tot"))
    assert result.outcome is Outcome.OUT_OF_BOUNDS and len(result.problems) == 3
    assert "Số thành viên 0" in result.text and "1 đến 100.000" in result.text
    assert "Doanh thu trong tháng -5" in result.text
    assert await revisions(session, htx.id, "2026-10") == []


async def test_a_big_change_in_members_asks_for_confirmation_then_is_stored(session):
    htx = await world.coop(session, "HTX Đồng Tâm")
    head = await world.head_of(session, htx)
    await submit(session, head, htx, world.answers(period="2026-09", members=20, workers=10))

    jump = world.answers(period="2026-10", members=200, workers=14)
    asked = await submit(session, head, htx, jump)
    assert asked.outcome is Outcome.NEEDS_CONFIRMATION
    assert [(c.field, c.before, c.after) for c in asked.changes] == [("members", 20, 200)]
    assert "20 → 200" in asked.text
    assert await revisions(session, htx.id, "2026-10") == []

    confirmed = await submit(session, head, htx, jump, confirmed=True)
    assert confirmed.outcome is Outcome.ACCEPTED and confirmed.report.members == 200


async def test_exactly_half_is_not_a_big_change(session):
    htx = await world.coop(session, "HTX Đồng Tâm")
    head = await world.head_of(session, htx)
    await submit(session, head, htx, world.answers(period="2026-09", members=20, workers=10))
    result = await submit(session, head, htx, world.answers(period="2026-10", members=30, workers=5))
    assert result.outcome is Outcome.ACCEPTED
