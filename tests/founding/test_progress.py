"""The saved founding plan as conversations: restarts, /tiendo, ticking steps, changing answers, drafts."""

import io

import docx
from sqlalchemy import select

from bot.catalog import all_flows
from db.models import AuditLog, FoundingPlan
from flows.engine.engine import Engine
from tests.chat import Chat, fixed_clock
from tests.founding.test_flow import assert_current_law, onboard, saved_plan

NAME = "Hợp tác xã Rau An Toàn Đồng Tâm"


def restarted(sessionmaker, user: str = "u1", channel: str = "test") -> Chat:
    """The same user talking to a fresh engine on the same database, as after a bot restart."""
    return Chat(Engine(sessionmaker, all_flows(), clock=fixed_clock()), user=user, channel=channel)


async def htx_plan(chat: Chat) -> None:
    """An HTX of 6 in Long Hiệp (from the profile) with a name, up to the saved plan."""
    await onboard(chat, place=True)
    await chat.tap("founding")
    await chat.send("htx")
    await chat.send("6")
    await chat.send("ca nhan")
    await chat.send("nong nghiep")
    await chat.send("2 ty")
    await chat.send("400 trieu")
    await chat.send(NAME)
    assert "Tiến độ thành lập" in chat.last_text


async def test_a_restart_in_the_middle_continues_at_the_same_question(chat, sessionmaker):
    await onboard(chat)
    await chat.tap("founding")
    await chat.send("hop tac xa")
    await chat.send("5 nguoi")
    await chat.send("ho gia dinh")
    await chat.send("nong nghiep")
    await chat.send("can tho")
    assert "xã, phường nào của Thành phố Cần Thơ" in chat.last_text
    await chat.engine.close()

    again = restarted(sessionmaker)
    await again.send("ninh kieu")  # looked up in Cần Thơ: the answers survived the restart
    assert "Vốn điều lệ" in again.last_text
    await again.send("800tr")
    await again.send("150 trieu")
    await again.send("Hợp tác xã Ninh Kiều Xanh")
    assert again.said("Kế hoạch thành lập hợp tác xã: Hợp tác xã Ninh Kiều Xanh", last=4)
    assert again.said("Phường Ninh Kiều, Thành phố Cần Thơ", last=4)
    assert (await saved_plan(sessionmaker)).answers["charter_capital"] == 800_000_000


async def test_tiendo_after_a_restart_shows_the_plan_and_ticks_persist(chat, sessionmaker):
    await htx_plan(chat)
    await chat.engine.close()

    later = restarted(sessionmaker)
    await later.send("/tiendo")
    assert f"Tiến độ thành lập {NAME}: 0/8 bước" in later.last_text
    await later.tap("tick:draft_charter")
    assert later.said("Đã đánh dấu xong: <b>Dự thảo điều lệ và phương án sản xuất, kinh doanh</b>")
    assert f"{NAME}: 1/8 bước" in later.last_text
    assert "Bước tiếp theo: <b>Thống nhất nhu cầu chung" in later.last_text
    await later.tap("tick:prepare")
    assert "2/8 bước" in later.last_text
    await later.engine.close()

    weeks_later = restarted(sessionmaker)
    await weeks_later.send("/start")
    await weeks_later.tap("founding")  # the menu path leads to the same saved plan
    assert "2/8 bước" in weeks_later.last_text
    labels = weeks_later.button_labels
    assert "✅ Dự thảo điều lệ và phương án sản xuất, kinh doanh" in labels
    assert "⬜ Tổ chức hội nghị thành lập" in labels
    await weeks_later.tap("tick:prepare")  # a second tap takes the mark off
    assert weeks_later.said("Đã bỏ đánh dấu") and "1/8 bước" in weeks_later.last_text
    plan = await saved_plan(sessionmaker)
    assert plan.progress == {"draft_charter": True, "prepare": False}
    async with sessionmaker() as s:
        ticks = (await s.execute(select(AuditLog).where(AuditLog.action == "founding.step_ticked"))).scalars().all()
    assert [(t.detail["step"], t.detail["done"]) for t in ticks] == [
        ("draft_charter", True), ("prepare", True), ("prepare", False)]


async def test_tiendo_without_a_plan_says_so_and_keeps_the_question(chat):
    await onboard(chat)
    await chat.send("/tiendo")
    assert chat.said("chưa có kế hoạch thành lập")
    assert "hình thức nào" in chat.last_text
    await chat.tap("hop_tac_xa")
    await chat.send("/tiendo")
    assert chat.said("chưa có kế hoạch thành lập")
    assert "bao nhiêu thành viên chính thức" in chat.last_text  # the same question, answers kept


async def test_a_changed_answer_recomputes_and_saves_the_plan(chat, sessionmaker):
    await htx_plan(chat)
    await chat.tap("tick:draft_charter")
    await chat.tap("edit")
    assert "sửa câu trả lời nào" in chat.last_text
    assert "Số thành viên: 6" in chat.button_labels[1]
    await chat.tap("members")
    await chat.send("4")
    assert "cần ít nhất <b>5 thành viên chính thức</b>" in chat.last_text
    await chat.tap("form:to_hop_tac")
    # a tổ hợp tác has no capital questions and its own steps; the name follows the new form
    assert chat.said("mình đổi tên dự kiến thành: <b>Tổ hợp tác Rau An Toàn Đồng Tâm</b>", last=6)
    assert chat.said("Kế hoạch thành lập tổ hợp tác: Tổ hợp tác Rau An Toàn Đồng Tâm", last=5)
    assert not any("nhưng bạn đang lập" in r.text for r in chat.replies)
    assert "Lập hợp đồng hợp tác" in chat.last_text
    plan = await saved_plan(sessionmaker)
    assert (plan.answers["form"], plan.answers["members"]) == ("to_hop_tac", 4)
    assert plan.answers["name"] == "Tổ hợp tác Rau An Toàn Đồng Tâm"
    assert plan.progress == {"draft_charter": True}  # kept, though this plan has no such step

    await chat.tap("edit")
    await chat.tap("name")
    await chat.send("Tổ hợp tác Rau Sạch Đồng Tâm")
    assert chat.said("Kế hoạch thành lập tổ hợp tác: Tổ hợp tác Rau Sạch Đồng Tâm", last=4)
    assert (await saved_plan(sessionmaker)).answers["name"] == "Tổ hợp tác Rau Sạch Đồng Tâm"


async def test_changing_the_form_renames_the_proposed_name_and_checks_it_again(chat, sessionmaker):
    await htx_plan(chat)
    await chat.tap("edit")
    await chat.tap("form")
    await chat.tap("lien_hiep")
    assert chat.said("mình đổi tên dự kiến thành: <b>Liên hiệp hợp tác xã Rau An Toàn Đồng Tâm</b>", last=3)
    assert "Có bao nhiêu hợp tác xã" in chat.last_text  # people then, cooperatives now: asked again
    await chat.send("3")  # whether a foreign investor joins was answered among the kinds: not asked again
    assert chat.said("Kế hoạch thành lập liên hiệp hợp tác xã: Liên hiệp hợp tác xã Rau An Toàn Đồng Tâm", last=4)
    assert not any("nhưng bạn đang lập" in r.text for r in chat.replies)
    assert (await saved_plan(sessionmaker)).answers["name"] == "Liên hiệp hợp tác xã Rau An Toàn Đồng Tâm"


async def test_a_new_province_asks_for_the_commune_again(chat, sessionmaker):
    await htx_plan(chat)
    await chat.tap("edit")
    await chat.tap("province")
    await chat.send("ha noi")
    assert "xã, phường nào của Thành phố Hà Nội" in chat.last_text
    await chat.send("cua nam")
    assert chat.said("Phường Cửa Nam, Thành phố Hà Nội", last=4)
    assert (await saved_plan(sessionmaker)).answers["province_name"] == "Thành phố Hà Nội"


async def test_drafts_arrive_as_word_files_with_the_name_written_properly(chat, sessionmaker):
    await htx_plan(chat)
    await chat.tap("drafts")
    files = [r.document for r in chat.replies[-7:] if r.document is not None]
    assert len(files) == 4  # member list, application, founding resolution, charter skeleton
    for doc in files:
        assert doc.filename.endswith(".docx")
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(doc.data)).paragraphs)
        assert NAME in text and "BẢN NHÁP" in text
        assert NAME in doc.caption and "bản nháp" in doc.caption
    assert chat.said("không phải mẫu chính thức")
    assert "Tiến độ thành lập" in chat.last_text
    plan = await saved_plan(sessionmaker)
    assert plan.drafts_downloads == 1 and plan.drafts_at is not None
    async with sessionmaker() as s:
        row = (await s.execute(select(AuditLog).where(AuditLog.action == "founding.drafts_downloaded"))).scalar_one()
    assert row.detail == {"form": "hop_tac_xa", "files": 4}


async def test_on_a_channel_without_files_the_reply_still_names_each_draft(sessionmaker):
    zalo = restarted(sessionmaker, user="z1", channel="zalo")
    await htx_plan(zalo)
    await zalo.tap("drafts")
    files = [r for r in zalo.replies[-7:] if r.document is not None]
    assert [r.text.split(" — ")[0] for r in files] == [
        "Bản nháp danh sách thành viên", "Bản nháp giấy đề nghị đăng ký", "Bản nháp nghị quyết hội nghị thành lập",
        "Bản nháp khung điều lệ"]
    assert all(NAME in r.text for r in files)


async def test_old_and_forged_buttons_get_a_clear_answer(chat):
    await htx_plan(chat)
    await chat.press_raw("founding.form|hop_tac_xa")
    assert chat.said("nút này đã cũ") or chat.said("cũ")
    await chat.press_raw("founding.progress|tick:no_such_step")
    assert "Tiến độ thành lập" in chat.last_text
    async with chat.engine.sessionmaker() as s:
        plan = (await s.execute(select(FoundingPlan))).scalar_one()
    assert plan.progress == {}


async def test_a_new_plan_starts_afresh(chat, sessionmaker):
    await htx_plan(chat)
    await chat.tap("tick:prepare")
    await chat.tap("new")
    assert "hình thức nào" in chat.last_text
    await chat.tap("to_hop_tac")
    for _ in range(4):
        await chat.tap("_skip")
    assert "Tiến độ thành lập" in chat.last_text and "0/6 bước" in chat.last_text
    plan = await saved_plan(sessionmaker)
    assert plan.answers["form"] == "to_hop_tac" and plan.progress == {}


async def test_the_whole_conversation_states_only_current_law(chat):
    await htx_plan(chat)
    await chat.tap("plan")
    await chat.tap("step:dossier")
    await chat.tap("where")
    await chat.tap("_back")
    await chat.tap("drafts")
    await chat.tap("edit")
    await chat.tap("form")
    await chat.tap("chua_ro")
    await chat.tap("lien_hiep")
    assert "Có bao nhiêu hợp tác xã" in chat.last_text
    await chat.send("2")
    assert "cần ít nhất <b>3 hợp tác xã" in chat.last_text
    text = "\n".join(r.text for r in chat.replies)
    assert "cấp xã" in text and "Nghị định 295/2026/NĐ-CP" in text
    assert "Giấy đề nghị đăng ký" in text or "giấy đề nghị đăng ký" in text
    assert_current_law(chat)
