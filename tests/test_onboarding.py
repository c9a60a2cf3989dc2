"""Onboarding, menu and profile, as conversations."""

from sqlalchemy import select

from db.models import AuditLog, User


async def _user(sessionmaker, external_id="u1"):
    async with sessionmaker() as s:
        return (await s.execute(select(User).where(User.external_id == external_id))).scalar_one()


async def test_a_farmer_from_tra_vinh_is_onboarded_by_typing(chat, sessionmaker):
    await chat.send("/start")
    assert chat.said("Xin chào Ba Tư")
    assert "Bạn là ai" in chat.last_text
    await chat.send("nong dan")
    assert "tỉnh/thành phố nào" in chat.last_text
    await chat.send("tra vinh")
    assert chat.said("Trà Vinh đã sáp nhập vào <b>Vĩnh Long</b>")
    await chat.send("long hiep")
    assert "thông báo" in chat.last_text
    await chat.send("co")
    assert "Trước khi lưu hồ sơ" in chat.last_text  # the privacy notice, then consent
    await chat.send("dong y")
    assert chat.said("Mình đã lưu hồ sơ")
    assert "Menu chính" in chat.last_text
    user = await _user(sessionmaker)
    assert (user.role, user.onboarded, user.announcements) == ("nong_dan", True, True)
    assert user.province_code == 86  # Vĩnh Long
    assert user.commune_code is not None


async def test_buttons_carry_ids_and_every_question_can_be_skipped(chat, sessionmaker):
    await chat.send("bắt đầu")
    assert [b.id for b in chat.last.buttons][:3] == [
        "onboarding.role|nong_dan", "onboarding.role|chu_nhiem", "onboarding.role|can_bo"]
    await chat.tap("can_bo")
    await chat.tap("_skip")  # province
    await chat.tap("_skip")  # commune
    assert "thông báo" in chat.last_text
    await chat.tap("no")
    await chat.tap("agree")
    assert chat.said("quyền của cán bộ")  # a self-declared official gets no rights
    user = await _user(sessionmaker)
    assert (user.role, user.province_code, user.announcements) == ("can_bo", None, False)


async def test_menu_entries_and_unbuilt_flows_say_so(chat):
    await chat.send("/start")
    for _ in range(4):
        await chat.tap("_skip")
    await chat.tap("agree")
    assert "Menu chính" in chat.last_text
    labels = chat.button_labels
    for entry in ("Thành lập HTX", "Kiểm tra điều kiện hỗ trợ", "Báo cáo tháng", "Thông báo", "Hỏi đáp", "Hồ sơ của tôi"):
        assert any(entry in label for label in labels)


async def test_wrong_answers_get_a_hint_then_help_after_three(chat):
    await chat.send("/start")
    await chat.tap("nong_dan")
    await chat.send("xyzxyzxyz")
    assert "chưa tìm thấy tỉnh" in chat.last_text
    await chat.send("qqqqqq")
    await chat.send("wwwwww")
    assert "chưa rõ" in chat.last_text
    assert {b.id for b in chat.last.buttons} >= {"nav:help", "nav:menu", "onboarding.province|_skip"}
    await chat.tap("nav:help")
    assert chat.said("Trợ giúp")
    await chat.send("ha noi")
    assert "xã/phường nào" in chat.last_text


async def test_back_cancel_and_help_in_every_state(chat):
    await chat.send("/start")
    await chat.tap("chu_nhiem")
    await chat.send("/quaylai")
    assert "Bạn là ai" in chat.last_text
    await chat.send("/trogiup")
    assert chat.said("/quaylai")
    assert "Bạn là ai" in chat.last_text
    await chat.send("/huy")
    assert chat.said("Đã hủy «Giới thiệu bản thân»")


async def test_a_returning_user_is_offered_to_continue(chat):
    await chat.send("/start")
    for _ in range(4):
        await chat.tap("_skip")
    await chat.tap("agree")
    await chat.send("/hoso")
    await chat.tap("edit_place")
    assert "tỉnh/thành phố nào" in chat.last_text
    await chat.send("/start")
    assert chat.last.buttons[0].label.startswith("▶️ Tiếp tục: Hồ sơ của tôi")
    await chat.send("1")
    assert "tỉnh/thành phố nào" in chat.last_text
    await chat.send("can tho")
    await chat.send("ninh kieu")
    assert chat.said("Đã lưu thay đổi")
    assert "Cần Thơ\n" in chat.last_text.split("Tỉnh/thành:")[1]


async def test_a_stale_button_gets_a_graceful_answer(chat):
    await chat.send("/start")
    old = chat.last.buttons[0].id
    await chat.tap("nong_dan")
    await chat.press_raw(old)
    assert chat.said("câu hỏi cũ")
    assert "tỉnh/thành phố nào" in chat.last_text
    await chat.press_raw("nonsense|x")
    assert chat.said("câu hỏi cũ")


async def test_a_huge_message_is_refused_politely(chat):
    await chat.send("/start")
    await chat.send("x" * 50_000)
    assert chat.said("dài quá")
    assert "Bạn là ai" in chat.last_text


async def test_a_commune_name_found_in_several_provinces_asks_which_one(chat, sessionmaker):
    await chat.send("/start")
    await chat.tap("nong_dan")
    await chat.tap("_skip")  # province unknown: the commune is searched nationwide
    await chat.send("tan tien")
    assert "nơi khớp" in chat.last_text
    assert len(chat.last.buttons) > 2 and all("_pick:" in b.id for b in chat.last.buttons)
    choice = chat.last.buttons[1]
    await chat.tap(choice.id.rpartition("|")[2])
    assert "thông báo" in chat.last_text
    await chat.send("ko")
    await chat.tap("agree")
    user = await _user(sessionmaker)
    assert user.commune_code is not None and user.province_code is not None  # province follows the commune


async def test_unknown_commands_and_empty_text(chat):
    await chat.send("/start")
    await chat.send("/abcxyz")
    assert chat.said("chưa biết lệnh")
    await chat.send("   ")
    assert chat.said("chỉ đọc được tin nhắn chữ")


async def test_announcement_opt_out_and_in(chat, sessionmaker):
    await chat.send("/start")
    await chat.send("/tatthongbao")
    assert chat.said("Đã tắt thông báo")
    assert (await _user(sessionmaker)).announcements is False
    await chat.send("/batthongbao")
    assert (await _user(sessionmaker)).announcements is True


async def test_funnel_events_are_recorded(chat, sessionmaker):
    await chat.send("/start")
    for _ in range(4):
        await chat.tap("_skip")
    await chat.tap("agree")
    async with sessionmaker() as s:
        actions = (await s.execute(select(AuditLog.action))).scalars().all()
    assert "onboarding.started" in actions and "onboarding.completed" in actions


async def test_typing_a_button_label_presses_it_as_on_text_only_channels(chat):
    await chat.send("/start")
    await chat.send("Bỏ qua")  # the role question's skip button, typed
    assert "tỉnh/thành phố nào" in chat.last_text
    await chat.send("⬅️ quay lai")
    assert "Bạn là ai" in chat.last_text
