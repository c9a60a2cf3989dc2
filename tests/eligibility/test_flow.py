"""The support-eligibility conversation (/hotro and the menu), typed without diacritics, on a fixed date."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.catalog import all_flows
from bot.channels.render import split_html
from db.models import AuditLog, Cooperative, EligibilityCheck, MonthlyReport, User
from flows.engine.engine import Engine
from flows.join.coops import link_reporter
from tests.chat import Chat, fixed_clock, onboard

PROVINCE_Q = "tỉnh, thành phố nào"
FORM_Q = "thuộc loại hình nào"


async def _onboard(chat: Chat, province: str | None = "vinh long") -> None:
    await onboard(chat, role="chu nhiem", province=province, announcements="khong")


def _asked(chat: Chat) -> str:
    """Every question and message the bot sent, as one text."""
    return "\n".join(r.text for r in chat.replies)


async def _checks(sessionmaker) -> list[EligibilityCheck]:
    async with sessionmaker() as s:
        return list((await s.scalars(select(EligibilityCheck).order_by(EligibilityCheck.id))).all())


async def _user_id(sessionmaker, external_id: str = "u1") -> int:
    async with sessionmaker() as s:
        return (await s.scalars(select(User.id).where(User.external_id == external_id))).one()


def _result(chat: Chat) -> str:
    """The short result: the message before «Bạn muốn xem thêm gì?»."""
    index = max(i for i, r in enumerate(chat.replies) if r.text.startswith("<b>Kết quả xét hỗ trợ</b>"))
    return chat.replies[index].text


async def test_a_vinh_long_htx_whose_members_grew_two_years_is_eligible_and_tra_vinh_shows_ended(chat, sessionmaker):
    await _onboard(chat)
    start = len(chat.replies)
    await chat.send("/hotro")
    assert chat.said("Vĩnh Long")  # known from the profile, said so
    assert chat.said("hồ sơ của bạn")
    assert FORM_Q in chat.last_text
    assert [b.id for b in chat.last.buttons][:3] == [
        "eligibility.ask_form|to_hop_tac", "eligibility.ask_form|hop_tac_xa", "eligibility.ask_form|lien_hiep"]
    await chat.send("hop tac xa")
    assert "xử phạt vi phạm hành chính" in chat.last_text  # Luật Điều 18 kh.1 đ.a, asked once
    await chat.send("ko")
    assert "bản án hình sự" in chat.last_text
    await chat.send("khong")
    assert "Hiện nay tổ chức của bạn có bao nhiêu thành viên" in chat.last_text
    await chat.send("30 nguoi")
    assert "Cách đây 1 năm" in chat.last_text
    await chat.send("20")
    assert "Cách đây 2 năm" in chat.last_text
    await chat.send("12")
    result = _result(chat)
    assert "Hỗ trợ phát triển nguồn nhân lực (đào tạo, bồi dưỡng)</b>: đủ điều kiện" in result
    assert "Nghị định 113/2024/NĐ-CP, Điều 7 khoản 3" in result
    assert "Trà Vinh" not in result and "2 chương trình đã kết thúc" in result  # collapsed
    assert "tính đến ngày 22/11/2026; Vĩnh Long và cả nước" in result
    assert "Mình đã lưu kết quả ngày 22/11/2026" in chat.last_text
    assert [b.label for b in chat.last.buttons] == [
        "🔎 Xem chi tiết", "📁 Đã kết thúc (2)", "📏 Xác định quy mô", "🏠 Menu chính"]
    await chat.tap("details")
    assert chat.said("Hỗ trợ tối đa 100% học phí", last=4)
    await chat.tap("ended")
    assert chat.said("tỉnh Trà Vinh: kết thúc ngày 31/12/2025", last=2)
    assert PROVINCE_Q not in _asked(chat)[sum(len(r.text) for r in chat.replies[:start]):]
    (check,) = await _checks(sessionmaker)
    assert check.checked_on == dt.date(2026, 11, 22)
    assert check.facts == {"province_code": 86, "form": "hop_tac_xa", "criminal_sentence": False,
                           "prohibited_act_penalty": False, "members_now": 30, "members_1y_ago": 20,
                           "members_2y_ago": 12}
    assert check.outcomes["nd113-dao-tao"] == "eligible"
    assert check.outcomes["tra-vinh-qd298"] == "ended"
    assert "Nghị định 113/2024/NĐ-CP, Điều 7 khoản 3" in check.references["nd113-dao-tao"]
    assert check.references["tra-vinh-qd298"] == ["Quyết định 298/QĐ-UBND ngày 09/02/2021 của UBND tỉnh Trà Vinh"]
    async with sessionmaker() as s:
        actions = set((await s.scalars(select(AuditLog.action))).all())
    assert {"eligibility.started", "eligibility.checked"} <= actions


async def test_the_size_class_is_asked_on_request_on_official_members(chat, sessionmaker):
    await _onboard(chat)
    await chat.send("/hotro")
    for text in ("hop tac xa", "khong", "khong", "400", "300", "200"):
        await chat.send(text)
    await chat.tap("size")
    assert "Lĩnh vực hoạt động chính" in chat.last_text
    await chat.tap("nong_nghiep")
    assert "thành viên chính thức" in chat.last_text  # not all 400 members
    await chat.send("120")
    assert "doanh thu" in chat.last_text
    await chat.send("12 ty")
    assert chat.said("Quy mô hợp tác xã (lĩnh vực nông nghiệp, lâm nghiệp, thủy sản, diêm nghiệp): <b>Nhỏ</b>", last=2)
    assert "Nghị định 113/2024/NĐ-CP, Điều 5" in chat.replies[-2].text
    assert "📏 Xác định quy mô" not in [b.label for b in chat.last.buttons]  # decided
    await chat.tap("menu")
    assert "Menu chính" in chat.last_text
    (check,) = await _checks(sessionmaker)
    assert check.facts["official_members"] == 120 and check.facts["sector"] == "nong_nghiep"


async def test_an_unregistered_to_hop_tac_is_told_why_it_is_not_eligible_and_how_to_register(chat, sessionmaker):
    await chat.send("/hotro")
    await chat.send("to hop tac")
    assert "giấy chứng nhận đăng ký" in chat.last_text
    await chat.send("chua")
    result = _result(chat)
    assert "chưa đủ điều kiện" in result and "đủ điều kiện." not in result.replace("chưa đủ điều kiện", "")
    assert "Chưa đáp ứng: có giấy chứng nhận đăng ký tổ hợp tác" in result
    assert "Luật Hợp tác xã 2023, Điều 18 khoản 2" in result
    assert "Đăng ký tổ hợp tác tại cơ quan đăng ký kinh doanh cấp xã" in result  # the nearest way
    assert "📏 Xác định quy mô" not in [b.label for b in chat.last.buttons]  # no size class for a THT
    (check,) = await _checks(sessionmaker)
    assert check.outcomes["nd113-tieu-chi-ho-tro"] == "not_eligible"


async def test_a_registered_to_hop_tac_is_also_asked_the_growth_criteria(chat, sessionmaker):
    await chat.send("/hotro")
    await chat.send("to hop tac")
    await chat.send("co")
    assert "xử phạt" in chat.last_text  # a certificate alone is not enough (Luật Điều 18 kh.2)
    await chat.send("khong")
    assert "bản án hình sự" not in chat.last_text  # asked of HTX and liên hiệp only
    assert "Hiện nay tổ chức của bạn có bao nhiêu thành viên" in chat.last_text
    for text in ("5", "5", "2", "co", "01/01/2015"):
        await chat.send(text)
    assert "Chưa đạt tiêu chí nào trong 3 tiêu chí" in _result(chat)
    assert "(hiện: 2%)" in _result(chat)  # the nearest: ≥ 5 % trained


async def test_skipped_questions_leave_programmes_possibly_eligible_with_what_would_settle_them(chat, sessionmaker):
    await chat.send("/hotro")
    await chat.send("htx")
    await chat.tap("unsure")  # "chưa rõ" on the penalty
    assert "bản án hình sự" in chat.last_text
    for _ in range(20):
        if not chat.last.buttons or not any(b.id.endswith("|_skip") for b in chat.last.buttons):
            break
        await chat.send("bo qua")
    result = _result(chat)
    assert "có thể đủ điều kiện; còn thiếu:" in result
    assert "đủ điều kiện." not in result
    await chat.tap("details")
    assert chat.said("Để biết chắc, cần trả lời:", last=3)
    assert chat.said("xử phạt vi phạm hành chính", last=3)  # the question that would settle it
    (check,) = await _checks(sessionmaker)
    assert check.facts == {"form": "hop_tac_xa"}
    assert check.outcomes["nd113-dao-tao"] == "possibly"


async def test_the_province_from_the_profile_is_not_asked_again_while_a_provincial_programme_runs(sessionmaker):
    day = fixed_clock("2025-10-01")  # Trà Vinh QĐ 298 still runs: the province matters
    without = Chat(Engine(sessionmaker, all_flows(), clock=day), user="no-province")
    await _onboard(without, province=None)
    await without.send("/hotro")
    await without.send("hop tac xa")
    assert PROVINCE_Q in without.last_text  # unknown, so asked

    chat = Chat(Engine(sessionmaker, all_flows(), clock=day), user="vinh-long")
    await _onboard(chat, province="tra vinh")  # a former province: the profile keeps Vĩnh Long
    await chat.send("/hotro")
    answers = {"loại hình": "hop tac xa", "bản án": "khong", "xử phạt": "khong", "Hiện nay": "30",
               "1 năm": "20", "2 năm": "10", "Trà Vinh cũ": "co", "hoạt động đúng quy định": "co",
               "đúng tỷ lệ": "co", "thí điểm": "khong"}
    for _ in range(15):
        question = chat.last_text
        assert PROVINCE_Q not in question
        key = next((k for k in answers if k in question), None)
        if key is None:
            break
        await chat.send(answers.pop(key))
    result = _result(chat)
    assert "tỉnh Trà Vinh</b>: đủ điều kiện" in result  # in force on 01/10/2025, in the former Trà Vinh area
    assert "Trà Vinh cũ (trước 01/07/2025): chưa xác minh được còn áp dụng cho địa bàn cũ" in result
    assert "Đề án lựa chọn, hoàn thiện, nhân rộng mô hình hợp tác xã kiểu mới hiệu quả</b>: đủ điều kiện" not in result


async def test_rerun_with_saved_facts_after_the_programme_ended_and_start_over(sessionmaker):
    before = Chat(Engine(sessionmaker, all_flows(), clock=fixed_clock("2025-10-01")))
    await before.send("/hotro")
    for text in ("hop tac xa", "vinh long", "khong", "khong", "30", "20", "10", "co"):
        await before.send(text)
    for _ in range(5):  # the QĐ 167 questions: not needed here
        if not any(b.id.endswith("|_skip") for b in before.last.buttons):
            break
        await before.tap("_skip")
    assert "tỉnh Trà Vinh</b>: đủ điều kiện" in _result(before)

    later = Chat(Engine(sessionmaker, all_flows(), clock=fixed_clock("2026-11-22")))
    await later.send("/hotro")
    assert "Bạn đã kiểm tra điều kiện hỗ trợ ngày 01/10/2025" in later.last_text
    assert "3 chương trình đủ điều kiện" in later.last_text
    await later.tap("rerun")
    assert later.said("lần kiểm tra trước")
    result = _result(later)
    assert "tính đến ngày 22/11/2026" in result
    assert "Hỗ trợ phát triển nguồn nhân lực (đào tạo, bồi dưỡng)</b>: đủ điều kiện" in result
    await later.tap("ended")
    assert later.said("tỉnh Trà Vinh: kết thúc ngày 31/12/2025", last=2)
    checks = await _checks(sessionmaker)
    assert [c.checked_on for c in checks] == [dt.date(2025, 10, 1), dt.date(2026, 11, 22)]
    assert checks[1].outcomes["tra-vinh-qd298"] == "ended"
    assert checks[0].outcomes["tra-vinh-qd298"] == "eligible"
    assert checks[1].facts["members_now"] == 30

    await later.send("/hotro")
    await later.send("lam lai")
    assert FORM_Q in later.last_text  # from scratch: the saved answers are not used


async def test_facts_of_the_linked_cooperative_and_its_reports_are_not_asked(chat, sessionmaker):
    await _onboard(chat, province="ha noi")
    user_id = await _user_id(sessionmaker)
    async with sessionmaker() as s:
        coop = Cooperative(name="HTX Rau sạch Đông Anh", form="hop_tac_xa", registration_no="0101-HTX",
                           province_code=86, commune_code=29242, sector="nong_nghiep")
        s.add(coop)
        await s.flush()
        await link_reporter(s, user_id, coop.id, "head")
        for period, members in (("2024-10", 20), ("2025-10", 26), ("2026-10", 31)):
            s.add(MonthlyReport(cooperative_id=coop.id, period=period, members=members, workers=5,
                                revenue=100_000_000, status="on_dinh", reference=f"BC-{period}"))
        await s.commit()
    await chat.send("/hotro")
    intro = chat.replies[-2].text
    assert "HTX Rau sạch Đông Anh" in intro
    assert "Số thành viên hiện nay: 31" in intro and "báo cáo tháng" in intro
    assert "Loại hình tổ chức: Hợp tác xã" in intro
    assert "trụ sở: Vĩnh Long" in intro  # the cooperative's seat wins over the user's province
    await chat.send("khong")
    await chat.send("khong")
    assert "Hỗ trợ phát triển nguồn nhân lực (đào tạo, bồi dưỡng)</b>: đủ điều kiện" in _result(chat)
    asked = _asked(chat)
    assert FORM_Q not in asked and "bao nhiêu thành viên" not in asked
    (check,) = await _checks(sessionmaker)
    assert check.facts["members_2y_ago"] == 20 and check.facts["province_code"] == 86
    assert "revenue_year" not in check.facts  # twelve months are not all reported


async def test_the_founding_plan_tells_the_form(chat, sessionmaker):
    founding = pytest.importorskip("db.models.founding")
    await chat.send("/hotro")  # creates the user
    await chat.send("/huy")
    async with sessionmaker() as s:
        s.add(founding.FoundingPlan(user_id=await _user_id(sessionmaker), answers={"form": "to_hop_tac", "members": 4}))
        await s.commit()
    await chat.send("/hotro")
    assert chat.said("kế hoạch thành lập đã lưu")
    assert "giấy chứng nhận đăng ký" in chat.last_text  # the form is known: straight to registration
    assert FORM_Q not in chat.last_text


async def test_a_founding_year_split_by_the_36_month_cutoff_asks_for_the_day(chat):
    await chat.send("/hotro")
    for text in ("hop tac xa", "khong", "khong", "10", "10", "khong", "khong", "khong"):
        await chat.send(text)
    assert "phần trăm" in chat.last_text
    await chat.send("150")
    assert chat.said("nằm ngoài khoảng hợp lý")
    await chat.send("4,5%")
    assert "cấp giấy chứng nhận đăng ký lần đầu" in chat.last_text
    await chat.send("2023")
    assert chat.said("Mốc xét của quy định là ngày 22/11/2023")
    assert "cấp giấy chứng nhận đăng ký lần đầu" in chat.last_text
    await chat.send("15/12/2023")
    assert "khó khăn" in chat.last_text
    await chat.send("co")
    assert "Hỗ trợ phát triển nguồn nhân lực (đào tạo, bồi dưỡng)</b>: đủ điều kiện" in _result(chat)


async def test_back_stale_buttons_and_wrong_numbers_get_clear_replies(chat):
    await chat.send("/hotro")
    await chat.send("htx")
    old_question = chat.last
    await chat.tap("_back")
    assert FORM_Q in chat.last_text
    await chat.send("lien hiep htx")
    assert "xử phạt" in chat.last_text
    await chat.send("khong")
    await chat.press_raw(old_question.buttons[0].id)  # a button of a question already answered
    assert chat.said("không còn dùng được", last=2)
    assert "bản án hình sự" in chat.last_text
    await chat.send("khong")
    await chat.send("muoi")
    assert chat.said("số nguyên")
    await chat.send("x" * 5000)
    assert chat.said("5.000")
    assert "bao nhiêu thành viên" in chat.last_text


async def test_every_reply_of_a_check_with_everything_skipped_fits_a_phone(chat):
    await chat.send("/hotro")
    await chat.send("htx")
    for _ in range(20):
        if not any(b.id.endswith("|_skip") for b in chat.last.buttons):
            break
        await chat.tap("_skip")
    await chat.tap("details")
    await chat.tap("ended")
    texts = [r.text for r in chat.replies]
    assert max(len(t) for t in texts) < 1200
    for text in texts:
        for piece in split_html(text, 4096):
            assert piece.count("<b>") == piece.count("</b>") and piece.count("<i>") == piece.count("</i>")


async def test_a_head_of_two_cooperatives_picks_which_one_is_checked(chat, sessionmaker):
    await _onboard(chat)
    user_id = await _user_id(sessionmaker)
    async with sessionmaker() as s:
        for name, form in (("HTX Dừa Bến Tre", "hop_tac_xa"), ("Tổ hợp tác Lúa sạch", "to_hop_tac")):
            coop = Cooperative(name=name, form=form, province_code=86, commune_code=29242, sector=None)
            s.add(coop)
            await s.flush()
            await link_reporter(s, user_id, coop.id, "head")
        await s.commit()
    await chat.send("/hotro")
    assert "tổ chức nào" in chat.last_text
    assert {b.label for b in chat.last.buttons} >= {"HTX Dừa Bến Tre", "Tổ hợp tác Lúa sạch"}
    await chat.send("to hop tac lua sach")
    assert chat.said("Tổ hợp tác Lúa sạch")
    assert chat.said("Loại hình tổ chức: Tổ hợp tác")
    assert "giấy chứng nhận đăng ký" in chat.last_text  # not registered in the list: asked


@pytest.mark.parametrize("province", ["vinh long", "ha noi"])
async def test_the_longest_eligibility_reply_for_a_vinh_long_and_a_ha_noi_cooperative_fits_a_phone(
        province, sessionmaker):
    chat = Chat(Engine(sessionmaker, all_flows(), clock=fixed_clock()), user=f"longest-{province}")
    await _onboard(chat, province=province)
    await chat.send("/hotro")
    # an HTX that meets no growth criterion: the result names the nearest way for each programme
    for text in ("hop tac xa", "khong", "khong", "30", "31", "khong", "khong", "khong", "3", "co", "2015", "khong"):
        if not any(b.id.endswith("|_skip") for b in chat.last.buttons):
            break
        await chat.send(text)
    await chat.tap("details")
    await chat.tap("ended")
    await chat.tap("size")
    for text in ("nong nghiep", "25", "1 ty", "500 trieu"):
        if "Bạn muốn xem thêm gì" in chat.last_text:
            break
        await chat.send(text)
    longest = max(chat.replies, key=lambda r: len(r.text))
    print(f"\n--- longest eligibility reply, {province} ({len(longest.text)} characters) ---\n{longest.text}")
    assert "Kết quả xét hỗ trợ" in _asked(chat) and "Quy mô hợp tác xã" in _asked(chat)
    assert len(longest.text) < 1200
