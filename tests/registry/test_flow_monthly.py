"""The monthly update as a cooperative head lives it: code, update, review, change, receipt, revisions."""

from sqlalchemy import delete, select

from db.models.core import User
from db.models.registry import Cooperative, MonthlyReport, Reporter
from flows.join import invites
from flows.monthly_report.reports import submit
from tests.registry import world

TODAY_PERIOD = "2026-11"  # the chat's clock says 22/11/2026: past the 10th, so the current month


async def _coop_with_code(sessionmaker, name="HTX Đồng Tâm"):
    async with sessionmaker() as session:
        coop = await world.coop(session, name, reg="0101234567")
        code = (await invites.create_code(session, "reporter", None, cooperative_id=coop.id)).code
        await session.commit()
        return coop.id, code


async def _reports(sessionmaker, coop_id):
    async with sessionmaker() as session:
        query = select(MonthlyReport).where(MonthlyReport.cooperative_id == coop_id)
        return list((await session.scalars(query.order_by(MonthlyReport.period, MonthlyReport.revision))).all())


async def _fill(chat, members="25", workers="12 người", revenue="1,5 tỷ", status="on_dinh"):
    """Answer every question from the period to the review screen."""
    await chat.tap(TODAY_PERIOD)
    await chat.send(members)
    await chat.send(workers)
    await chat.send(revenue)
    await chat.tap(status)
    if status == "kho_khan":
        await chat.send("Mưa bão làm hỏng 3 ha lúa")
    await chat.tap("_skip")  # khó khăn và kiến nghị
    await chat.tap("von")
    await chat.tap("tieu_thu")
    await chat.tap("_done")


async def _linked(chat, sessionmaker):
    coop_id, code = await _coop_with_code(sessionmaker)
    await chat.send(f"/thamgia {code}")
    return coop_id


async def test_a_head_links_with_a_code_sends_the_update_changes_a_field_and_gets_a_receipt(chat, sessionmaker):
    coop_id, code = await _coop_with_code(sessionmaker)
    await chat.send(f"/thamgia {code.lower()[:4]}-{code.lower()[4:]}")
    assert chat.said("Đã liên kết anh/chị với <b>HTX Đồng Tâm</b>", last=4)
    assert chat.said("không thay thế việc cập nhật thông tin hằng năm", last=3)
    assert "tháng <b>11/2026</b>" in chat.last_text
    await chat.tap(TODAY_PERIOD)
    assert "bao nhiêu <b>thành viên</b>" in chat.last_text
    await chat.send("25")
    await chat.send("12 người")
    await chat.send("1,5 tỷ")
    assert "Tình hình" in chat.last_text
    await chat.tap("kho_khan")
    assert "ghi thêm vài dòng" in chat.last_text
    await chat.send("Mưa bão làm hỏng 3 ha lúa")
    assert "kiến nghị" in chat.last_text
    await chat.tap("_skip")
    await chat.tap("von")
    assert "Đã chọn: Vốn" in chat.last_text
    await chat.tap("tieu_thu")
    await chat.tap("_done")
    review = chat.last_text
    for shown in ("Thành viên: 25", "Lao động: 12", "1,5 tỷ đồng", "Khó khăn — Mưa bão làm hỏng 3 ha lúa",
                  "Vốn, Tiêu thụ sản phẩm", "Khó khăn: không có"):
        assert shown in review

    await chat.tap("workers")
    assert "người lao động" in chat.last_text and "Lần trước" not in chat.last_text
    await chat.send("14")
    assert "Kiểm tra lại cập nhật tháng 11/2026" in chat.last_text and "Lao động: 14" in chat.last_text
    await chat.tap("needs")
    assert "Đã chọn: Vốn, Tiêu thụ sản phẩm" in chat.last_text  # the ticks start from the saved needs
    await chat.tap("tieu_thu")
    await chat.tap("_done")
    assert "Nhu cầu hỗ trợ: Vốn" in chat.last_text and "Tiêu thụ" not in chat.last_text
    assert await _reports(sessionmaker, coop_id) == []  # nothing is stored before "Gửi"

    await chat.tap("send")
    [report] = await _reports(sessionmaker, coop_id)
    assert chat.said(f"Số biên nhận: <code>{report.reference}</code>")
    assert report.reference == f"BC202611-{coop_id:05d}-1"
    assert (report.period, report.members, report.workers, report.revenue) == (TODAY_PERIOD, 25, 14, 1_500_000_000)
    assert (report.status, report.status_note, report.difficulties, report.needs) == (
        "kho_khan", "Mưa bão làm hỏng 3 ha lúa", None, ["von"])
    assert chat.said("Thông tư 09/2024/TT-BKHĐT")
    assert "Menu chính" in chat.last_text


async def test_sending_again_for_the_same_month_makes_revision_two_and_keeps_the_first(chat, sessionmaker):
    coop_id = await _linked(chat, sessionmaker)
    await _fill(chat, members="25")
    await chat.tap("send")
    await chat.send("/baocao")
    await chat.tap(TODAY_PERIOD)
    assert "Lần trước: 25" in chat.last_text
    await chat.send("26")
    await chat.send("12")
    await chat.send("800tr")
    await chat.tap("tot")
    await chat.send("Thiếu kho lạnh")
    await chat.tap("_done")
    assert "Tháng này đã có 1 lần gửi" in chat.last_text
    await chat.tap("send")
    assert chat.said("lần cập nhật thứ 2")
    first, second = await _reports(sessionmaker, coop_id)
    assert (first.revision, first.members, second.revision, second.members) == (1, 25, 2, 26)
    assert (second.revenue, second.difficulties, second.needs, second.status_note) == (
        800_000_000, "Thiếu kho lạnh", [], None)


async def test_a_big_change_is_confirmed_before_it_is_stored_and_dropped_when_refused(chat, sessionmaker):
    coop_id = await _linked(chat, sessionmaker)
    async with sessionmaker() as session:
        head = await session.scalar(select(User).where(User.external_id == chat.user))
        coop = await session.get(Cooperative, coop_id)
        await submit(session, head, coop, world.answers(period="2026-10", members=20, workers=10))
        await session.commit()
    await _fill(chat, members="45", workers="10")
    await chat.tap("send")
    assert "Số liệu thay đổi nhiều" in chat.last_text and "Số thành viên: 20 → 45" in chat.last_text
    await chat.tap("no")
    assert "Kiểm tra lại cập nhật" in chat.last_text
    assert [r.period for r in await _reports(sessionmaker, coop_id)] == ["2026-10"]

    await chat.tap("members")
    await chat.send("80")
    await chat.tap("send")
    assert "Số thành viên: 20 → 80" in chat.last_text
    await chat.tap("yes")
    assert chat.said("Số biên nhận")
    reports = await _reports(sessionmaker, coop_id)
    assert [(r.period, r.members) for r in reports] == [("2026-10", 20), (TODAY_PERIOD, 80)]


async def test_numbers_outside_sane_bounds_are_refused_with_the_reason_as_they_are_typed(chat, sessionmaker):
    await _linked(chat, sessionmaker)
    await chat.tap(TODAY_PERIOD)
    await chat.send("0")
    assert "nằm ngoài khoảng hợp lý: từ 1 đến 100.000 thành viên" in chat.last_text
    await chat.send("250000")
    assert "Số 250.000 nằm ngoài khoảng hợp lý" in chat.last_text
    await chat.send("25")
    await chat.send("hai mươi")
    assert "số nguyên" in chat.last_text
    await chat.send("100001")
    assert "từ 0 đến 100.000 người" in chat.last_text
    await chat.send("0")
    assert "Doanh thu" in chat.last_text
    await chat.send("20000 tỷ")
    assert "Số tiền 20.000 tỷ đồng nằm ngoài khoảng hợp lý" in chat.last_text
    await chat.send("0")
    assert "Tình hình" in chat.last_text


async def test_an_unlinked_user_is_refused_and_told_how_to_get_a_code(chat, sessionmaker):
    await chat.send("/baocao")
    assert "chưa được liên kết với hợp tác xã nào" in chat.last_text and "mã mời" in chat.last_text
    await chat.send("ABCDEFGH")
    assert chat.said("Mã này không đúng") and "chưa được liên kết" in chat.last_text
    async with sessionmaker() as session:
        assert (await session.scalars(select(MonthlyReport))).all() == []


async def test_a_reporter_unlinked_while_reviewing_cannot_send(chat, sessionmaker):
    coop_id = await _linked(chat, sessionmaker)
    await _fill(chat)
    async with sessionmaker() as session:
        await session.execute(delete(Reporter).where(Reporter.cooperative_id == coop_id))
        await session.commit()
    await chat.tap("send")
    assert chat.said("chưa được liên kết với <b>HTX Đồng Tâm</b>")
    assert await _reports(sessionmaker, coop_id) == []


async def test_a_head_of_two_cooperatives_picks_one_and_may_pick_another_month(chat, sessionmaker):
    first_id = await _linked(chat, sessionmaker)
    async with sessionmaker() as session:
        other = await world.coop(session, "HTX An Bình")
        code = (await invites.create_code(session, "reporter", None, cooperative_id=other.id, role="deputy")).code
        await session.commit()
    await chat.send("/huy")
    await chat.send(f"/thamgia {code}")
    assert chat.said("người được ủy quyền", last=4)
    assert "tổ chức nào" in chat.last_text
    assert {b.label for b in chat.last.buttons} >= {"HTX An Bình", "HTX Đồng Tâm"}
    await chat.tap("HTX An Bình")
    await chat.send("12/2026")
    assert "Tháng này chưa tới" in chat.last_text
    await chat.send("9/2026")
    await chat.send("30")
    assert "tháng 09/2026" in chat.last_text
    await chat.send("5")
    await chat.send("0")
    await chat.tap("tot")
    await chat.tap("_skip")
    await chat.tap("_done")
    assert "HTX An Bình" in chat.last_text
    await chat.tap("send")
    assert chat.said("Đã nhận cập nhật tháng <b>09/2026</b> của <b>HTX An Bình</b>")
    assert await _reports(sessionmaker, first_id) == []
    [report] = await _reports(sessionmaker, other.id)
    assert (report.period, report.members, report.needs) == ("2026-09", 30, [])


async def test_reminders_can_be_switched_off_and_on(chat, sessionmaker):
    await chat.send("/tatnhac")
    assert "Đã tắt nhắc" in chat.last_text and "/batnhac" in chat.last_text
    async with sessionmaker() as session:
        assert (await session.scalar(select(User).where(User.external_id == chat.user))).reminders is False
    await chat.send("/batnhac")
    assert "Đã bật nhắc" in chat.last_text
    async with sessionmaker() as session:
        assert (await session.scalar(select(User).where(User.external_id == chat.user))).reminders is True
