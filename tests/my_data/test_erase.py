"""/xoadulieu: asked first; then everything about the person goes, the cooperative's reports stay without them."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from db.models.core import AuditLog, Conversation, User
from db.models.eligibility import EligibilityCheck
from db.models.founding import FoundingPlan
from db.models.privacy import Consent
from db.models.questions import Question
from db.models.registry import Cooperative, MonthlyReport, Official, Reporter
from db.models.web import LoginToken, WebSession
from flows.dashboard_login.flow import issue_login_token
from flows.join.accounts import add_official
from flows.join.scope import Scope
from tests.chat import Chat
from tests.my_data.world import busy_person, user_of


async def _count(sessionmaker, model, *where) -> int:
    async with sessionmaker() as s:
        return await s.scalar(select(func.count()).select_from(model).where(*where))


async def test_it_asks_first_and_keeping_changes_nothing(chat, sessionmaker):
    ids = await busy_person(chat, sessionmaker)
    await chat.send("/xoadulieu")
    question = chat.last_text
    assert "Xóa dữ liệu của bạn?" in question and "không hoàn tác được" in question
    assert "liên kết với HTX Rau Sạch Long Hiệp" in question
    assert "1 báo cáo tháng bạn đã gửi" in question and "không còn gắn với bạn" in question
    assert "_skip" not in [b.id.rpartition("|")[2] for b in chat.last.buttons]
    await chat.tap("keep")
    assert chat.said("giữ nguyên dữ liệu") and "Menu chính" in chat.last_text
    assert await _count(sessionmaker, Question, Question.user_id == ids["user"]) == 1
    assert (await user_of(sessionmaker, chat)).onboarded


async def test_erasing_deletes_the_person_and_keeps_the_report_without_them(chat, sessionmaker):
    ids = await busy_person(chat, sessionmaker)
    uid = ids["user"]
    await chat.send("/xoadulieu")
    await chat.tap("erase")
    assert chat.said("Đã xóa dữ liệu của bạn") and chat.said("1 báo cáo tháng của HTX vẫn được giữ")

    for model, column in ((Consent, Consent.user_id), (Reporter, Reporter.user_id), (Question, Question.user_id),
                          (FoundingPlan, FoundingPlan.user_id), (EligibilityCheck, EligibilityCheck.user_id),
                          (AuditLog, AuditLog.user_id), (MonthlyReport, MonthlyReport.user_id)):
        assert await _count(sessionmaker, model, column == uid) == 0, model.__name__
    async with sessionmaker() as s:
        report = await s.get(MonthlyReport, ids["report"])
        person = await s.get(User, uid)
        state = await s.get(Conversation, uid)
    assert (report.cooperative_id, report.user_id, report.difficulties) == (ids["coop"], None, "Thiếu vốn mua giống")
    assert await _count(sessionmaker, Cooperative) == 1
    assert await _count(sessionmaker, Question, Question.user_id == ids["neighbour"]) == 1  # others untouched
    assert (person.display_name, person.role, person.province_code, person.commune_code) == (None, None, None, None)
    assert (person.onboarded, person.announcements) == (False, False)
    assert (state.flow, state.answers, state.history, state.suspended) == (None, {}, [], None)
    assert await _count(sessionmaker, AuditLog, AuditLog.action == "my_data.erased", AuditLog.user_id.is_(None)) == 1


async def test_after_erasing_the_person_starts_fresh(chat, sessionmaker):
    await busy_person(chat, sessionmaker)
    await chat.send("/xoadulieu")
    await chat.send("xóa hết")
    await chat.send("/start")
    assert chat.said("Xin chào!") and "Bạn là ai" in chat.last_text  # the name is gone too
    await chat.send("/dulieu")
    assert chat.said("HTX liên kết:</b> không có", last=4)
    assert chat.said("Nhật ký sử dụng:</b> 1 mục", last=4)  # only the new start
    for _ in range(4):
        await chat.tap("_skip")
    await chat.tap("agree")
    assert await _count(sessionmaker, Consent) == 1  # consent asked and recorded again


async def test_an_official_loses_rights_and_sessions_but_the_access_log_stays(bot_engine, sessionmaker):
    chat = Chat(bot_engine, user="can-bo", channel="telegram")
    await busy_person(chat, sessionmaker)
    uid = (await user_of(sessionmaker, chat)).id
    async with sessionmaker() as s:
        await add_official(s, Scope("province", 86), user_id=uid)
        await issue_login_token(s, uid)
        s.add(AuditLog(user_id=uid, action="dashboard.signed_in", detail={}))
        s.add(AuditLog(user_id=uid, action="dashboard.exported", detail={"first": "2026-10"}))
        await s.commit()
    await chat.send("/xoadulieu")
    assert "quyền cán bộ" in chat.last_text and "được giữ lại để kiểm tra" in chat.last_text
    await chat.tap("erase")
    assert await _count(sessionmaker, Official, Official.user_id == uid) == 0
    assert await _count(sessionmaker, LoginToken, LoginToken.user_id == uid) == 0
    assert await _count(sessionmaker, WebSession, WebSession.user_id == uid) == 0
    async with sessionmaker() as s:
        kept = (await s.scalars(select(AuditLog.action).where(AuditLog.user_id == uid).order_by(AuditLog.id))).all()
    assert kept == ["dashboard.signed_in", "dashboard.exported"]
    await chat.send("/dangnhap")
    assert chat.said("chưa biết lệnh")  # no longer an official


async def test_cancel_at_the_question_erases_nothing(chat, sessionmaker):
    ids = await busy_person(chat, sessionmaker)
    await chat.send("/xoadulieu")
    await chat.send("/huy")
    assert await _count(sessionmaker, Reporter, or_(Reporter.user_id == ids["user"])) == 1
    assert (await user_of(sessionmaker, chat)).role == "chu_nhiem"
