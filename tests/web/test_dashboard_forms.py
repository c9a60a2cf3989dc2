"""The dashboard's forms that act (issue 18): answering a waiting question, scheduling and cancelling an
announcement. Each carries a one-time key, so the same form sent twice acts once."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.app import build_app, build_web
from bot.settings import Settings
from db.models import Announcement, Delivery, Question, User, WebMessage
from tests.chat import fixed_clock
from tests.registry.world import CUA_NAM, HANOI
from tests.web.dashboard_site import Site, csrf_of, once_of, seed

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
async def site(engine, database_url):
    """The dashboard with the web chat and the notify service (an answer reaches web visitors)."""
    settings = Settings(database_url=database_url, telegram_bot_token=None, web_base_url="http://127.0.0.1:8080")
    app = build_app(settings, clock=fixed_clock(), parts=["dashboard", "assistant", "webchat"])
    client = TestClient(TestServer(build_web(app)))
    await client.start_server()
    site = Site(app, client)
    site.ids = await seed(app.sessionmaker)
    yield site
    await client.close()
    await app.stop()


@pytest.fixture
async def visitor(site):
    """A web visitor of Cửa Nam (their own browser) who asked a question; yields (client, question id)."""
    client = TestClient(site.client.server)
    assert (await client.post("/api/chat", json={"text": "/start", "id": "v1"})).status == 200
    async with site.app.sessionmaker() as s:
        person = (await s.scalars(select(User).where(User.channel == "web"))).one()
        person.province_code, person.commune_code, person.onboarded = HANOI, CUA_NAM, True
        question = Question(user_id=person.id, province_code=HANOI, commune_code=CUA_NAM,
                            text="Hộ kinh doanh có vào HTX được không?")
        s.add(question)
        await s.commit()
    yield client, question.id
    await client.session.close()


async def _count(site: Site, model, *where) -> int:
    async with site.app.sessionmaker() as s:
        return await s.scalar(select(func.count()).select_from(model).where(*where))


async def _answer_form(site: Site, question_id: int) -> dict[str, str]:
    page = await (await site.client.get("/quan-ly/cau-hoi")).text()
    form = re.search(rf'action="/quan-ly/cau-hoi/{question_id}/tra-loi">(.*?)</form>', page, re.S).group(1)
    return {"csrf": csrf_of(form), "once": once_of(form)}


async def test_an_answer_from_the_page_reaches_the_web_visitor_once_and_says_what_became_of_it(site, visitor):
    client, question_id = visitor
    await site.as_official("hanoi")
    form = await _answer_form(site, question_id) | {"tra_loi": "Được, nếu hộ góp vốn và tham gia hoạt động."}
    first, again = await asyncio.gather(*(site.client.post(f"/quan-ly/cau-hoi/{question_id}/tra-loi", data=form,
                                                           allow_redirects=False) for _ in range(2)))
    assert first.status == again.status == 303  # a double click: the second lands where the first did, or on
    assert {first.headers["Location"], again.headers["Location"]} <= {  # the question while the answer travels
        f"/quan-ly/cau-hoi/{question_id}?ket_qua=da_gui", f"/quan-ly/cau-hoi/{question_id}"}
    first = first if first.headers["Location"].endswith("da_gui") else again
    assert await _count(site, WebMessage) == 1  # and one answer is sent

    [item] = (await (await client.get("/api/chat/mailbox")).json())["items"]
    assert "Hộ kinh doanh có vào HTX được không?" in item["html"] and "góp vốn" in item["html"] and item["unread"]
    result = await (await site.client.get(first.headers["Location"])).text()
    assert "Đã gửi câu trả lời tới người hỏi</b> qua trang trò chuyện web" in result
    assert "chưa mở lại trang trò chuyện" in result
    await client.post("/api/chat/mailbox/read", json={"upto": item["id"]})
    assert "Người hỏi đã xem câu trả lời lúc" in await (await site.client.get(first.headers["Location"])).text()
    async with site.app.sessionmaker() as s:
        question = await s.get(Question, question_id)
    assert (question.status, question.answered_by) == ("answered", site.ids["hanoi"])
    assert "Hộ kinh doanh" not in await (await site.client.get("/quan-ly/cau-hoi")).text()


async def test_an_answer_that_cannot_be_delivered_leaves_the_question_open(site):
    """The seeded farmer is on Telegram, which this process cannot send to."""
    await site.as_official("hanoi")
    async with site.app.sessionmaker() as s:
        question_id = await s.scalar(select(Question.id).where(Question.user_id == site.ids["farmer"]))
    form = await _answer_form(site, question_id) | {"tra_loi": "Có lớp vào tháng 12."}
    response = await site.client.post(f"/quan-ly/cau-hoi/{question_id}/tra-loi", data=form)
    text = await response.text()
    assert "Chưa gửi được câu trả lời" in text and "Câu hỏi vẫn để mở" in text
    async with site.app.sessionmaker() as s:
        assert (await s.get(Question, question_id)).status == "open"


async def test_an_empty_answer_is_refused_and_a_question_outside_the_scope_cannot_be_answered(site, visitor):
    _client, question_id = visitor
    await site.as_official("cua_nam_official")
    form = await _answer_form(site, question_id)
    response = await site.client.post(f"/quan-ly/cau-hoi/{question_id}/tra-loi", data=form | {"tra_loi": " "})
    assert response.status == 400 and "Vui lòng nhập câu trả lời" in await response.text()
    async with site.app.sessionmaker() as s:
        elsewhere = await s.scalar(select(Question.id).where(Question.province_code != HANOI))
    response = await site.client.post(f"/quan-ly/cau-hoi/{elsewhere}/tra-loi",
                                      data=form | {"tra_loi": "Trả lời ngoài phạm vi"})
    assert response.status == 403
    assert await _count(site, WebMessage) == 0


async def _preview(site: Site, csrf: str) -> str:
    response = await site.client.post("/quan-ly/thong-bao/xem-truoc", data={
        "csrf": csrf, "noi_dung": "Họp chi bộ HTX sáng thứ Hai.", "nhom": "everyone"})
    assert response.status == 200
    return await response.text()


def _form_of(page: str, action: str) -> dict[str, str]:
    form = re.search(rf'action="{action}"[^>]*>(.*?)</form>', page, re.S).group(1)
    return dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))


async def test_an_announcement_is_scheduled_then_cancelled_each_once(site):
    csrf = await site.as_official("hanoi")
    preview = await _preview(site, csrf)
    assert "Hẹn giờ gửi" in preview
    when = (dt.datetime.now(LOCAL) + dt.timedelta(days=1)).replace(second=0, microsecond=0)
    form = _form_of(preview, "/quan-ly/thong-bao/hen-gio") | {"hen_gio": when.strftime("%Y-%m-%dT%H:%M")}
    before = await _count(site, Announcement)
    first = await site.client.post("/quan-ly/thong-bao/hen-gio", data=form, allow_redirects=False)
    again = await site.client.post("/quan-ly/thong-bao/hen-gio", data=form, allow_redirects=False)
    assert first.status == again.status == 303 and first.headers["Location"] == again.headers["Location"]
    assert await _count(site, Announcement) == before + 1
    announcement_id = int(first.headers["Location"].rsplit("/", 1)[1])
    async with site.app.sessionmaker() as s:
        announcement = await s.get(Announcement, announcement_id)
    assert announcement.status == "scheduled"
    scheduled = announcement.scheduled_at if announcement.scheduled_at.tzinfo else \
        announcement.scheduled_at.replace(tzinfo=dt.UTC)
    assert scheduled == when

    page = await (await site.client.get(first.headers["Location"])).text()
    assert f"Hẹn gửi lúc <b>{when:%H:%M} ngày {when:%d/%m/%Y}</b>" in page
    cancel = _form_of(page, f"/quan-ly/thong-bao/{announcement_id}/huy")
    first = await site.client.post(f"/quan-ly/thong-bao/{announcement_id}/huy", data=cancel, allow_redirects=False)
    again = await site.client.post(f"/quan-ly/thong-bao/{announcement_id}/huy", data=cancel, allow_redirects=False)
    waiting = announcement.recipients
    assert waiting >= 2 and first.headers["Location"] == again.headers["Location"] == \
        f"/quan-ly/thong-bao/{announcement_id}?huy={waiting}"
    assert f"Đã hủy: {waiting} tin chưa gửi sẽ không được gửi." in \
        await (await site.client.get(first.headers["Location"])).text()
    async with site.app.sessionmaker() as s:
        assert (await s.get(Announcement, announcement_id)).status == "cancelled"
    assert await _count(site, Delivery, Delivery.announcement_id == announcement_id, Delivery.status != "cancelled") == 0


async def test_a_time_in_the_past_is_refused_and_nothing_is_scheduled(site):
    csrf = await site.as_official("hanoi")
    form = _form_of(await _preview(site, csrf), "/quan-ly/thong-bao/hen-gio")
    before = await _count(site, Announcement)
    for when in ("2020-01-01T08:00", "ngày mai", (dt.datetime.now(LOCAL) + dt.timedelta(days=120)).strftime("%Y-%m-%dT%H:%M")):
        response = await site.client.post("/quan-ly/thong-bao/hen-gio", data=form | {"hen_gio": when})
        assert response.status == 400 and "ít nhất 5 phút và trong vòng 90 ngày" in await response.text()
    assert await _count(site, Announcement) == before


async def test_another_provinces_announcement_cannot_be_cancelled(site):
    csrf = await site.as_official("hanoi")
    announcement_id = site.ids["can_tho_announcement"]
    response = await site.client.post(f"/quan-ly/thong-bao/{announcement_id}/huy",
                                      data={"csrf": csrf, "once": "k" * 30})
    assert response.status == 403
    async with site.app.sessionmaker() as s:
        assert (await s.get(Announcement, announcement_id)).status != "cancelled"


@pytest.mark.parametrize("path", ["/quan-ly/?thang=2026-12", "/quan-ly/xu-huong?thang=2031-05",
                                  "/quan-ly/kho-khan?thang=12/2026", "/quan-ly/hop-tac-xa?thang=2027-01"])
async def test_a_month_that_has_not_come_is_refused(site, path):
    await site.as_official("hanoi")
    response = await site.client.get(path)
    assert response.status == 400 and "Tháng chưa tới" in await response.text()
    assert (await site.client.get("/quan-ly/?thang=2026-11")).status == 200
