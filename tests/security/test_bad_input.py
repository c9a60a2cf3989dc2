"""Input that cannot crash a handler: digits that are not ASCII digits, NUL and other control characters."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import build_app
from bot.settings import Settings
from db.models import Question, User
from flows.engine import geo
from flows.join.accounts import add_official
from flows.join.scope import Scope
from tests.chat import Chat, fixed_clock, onboard

ODD_DIGITS = ("²", "٣", "３", "1²")
GET_ROUTES = ("/quan-ly/", "/quan-ly/xu-huong", "/quan-ly/kho-khan", "/quan-ly/thanh-lap", "/quan-ly/ho-tro",
              "/quan-ly/cau-hoi", "/quan-ly/hop-tac-xa", "/quan-ly/xuat/tep")


@pytest.mark.parametrize("odd", ODD_DIGITS)
async def test_odd_digits_in_a_dashboard_place_or_id_are_a_clear_400_or_404(site, odd):
    form_token = await site.as_official("hanoi")
    for route in GET_ROUTES:
        for name in ("tinh", "xa"):
            response = await site.client.get(route, params={name: odd, "tu": "2026-10", "den": "2026-10"})
            assert response.status == 400, (route, name, response.status)
            assert "Địa bàn không hợp lệ" in await response.text()
    for path in (f"/quan-ly/hop-tac-xa/{odd}", f"/quan-ly/thong-bao/{odd}", f"/quan-ly/thong-bao/{odd}/tien-do"):
        response = await site.client.get(path)
        assert response.status == 404 and "Không tìm thấy" in await response.text(), path
    for action in ("xem-truoc", "gui"):
        response = await site.client.post(f"/quan-ly/thong-bao/{action}", data={
            "csrf": form_token, "noi_dung": "Họp chi bộ", "nhom": "everyone", "tinh": odd, "once": "k" * 22})
        assert response.status == 400 and "Địa bàn không hợp lệ" in await response.text(), action


@pytest.fixture
async def app(engine, database_url):
    """The bot as `htxbot run` builds it, with the free-text assistant (questions for officials)."""
    built = build_app(Settings(database_url=database_url), clock=fixed_clock(), parts=["assistant"])
    yield built
    await built.close()


async def test_an_official_cancelling_announcement_two_squared_is_told_how(app, sessionmaker):
    async with sessionmaker() as s:
        await add_official(s, Scope("province", 1), channel="test", external_id="o1")
        await s.commit()
    official = Chat(app.engine, "o1")
    for odd in ODD_DIGITS:
        await official.send(f"/huythongbao {odd}")
        assert "Gõ /huythongbao kèm số thông báo" in official.last_text
        assert not official.said("trục trặc")


async def test_a_forged_place_button_with_odd_digits_is_a_stale_button(chat):
    await chat.send("/start")
    await chat.tap("nong_dan")
    assert "tỉnh/thành phố nào" in chat.last_text
    step = chat.last.buttons[0].id.rsplit("|", 1)[0]
    for odd in ODD_DIGITS:
        await chat.press_raw(f"{step}|{odd}")
        assert not chat.said("trục trặc")
    await chat.send("vinh long")
    assert not chat.said("trục trặc")


async def test_a_nul_and_control_characters_in_a_question_are_removed_before_it_is_stored(app, sessionmaker):
    farmer = Chat(app.engine, "u1")
    await onboard(farmer, role="nông dân", province="vinh long", commune="long hiep")
    await farmer.send("con trâu\x00 nhà tôi\x1b bị ốm\x7f thì làm sao?")
    assert "gửi câu hỏi này cho cán bộ" in farmer.last_text
    await farmer.tap("handoff")
    assert farmer.said("Đã gửi câu hỏi của bạn cho cán bộ phụ trách ở <b>Vĩnh Long</b>")
    async with sessionmaker() as s:
        [question] = (await s.scalars(select(Question))).all()
        person = await s.scalar(select(User).where(User.external_id == "u1"))
    assert question.text == "con trâu nhà tôi bị ốm thì làm sao?"
    assert person.province_code == geo.find_province("vinh long").places[0].code


async def test_a_nul_in_an_announcement_typed_on_the_dashboard_is_removed_before_it_is_stored(site):
    from db.models.outbox import Announcement
    from tests.web.dashboard_site import once_key

    token = await site.as_official("hanoi")
    sent = await site.client.post("/quan-ly/thong-bao/gui", allow_redirects=False, data={
        "csrf": token, "noi_dung": "Họp\x00 chi bộ\r\nlúc 8\x1bh", "nhom": "everyone", "once": once_key()})
    assert sent.status == 303
    async with site.app.sessionmaker() as s:
        texts = set(await s.scalars(select(Announcement.text)))
    assert "Họp chi bộ\nlúc 8h" in texts
