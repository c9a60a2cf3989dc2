"""Foreign investors in the founding guide: asked once, and what they bring (Luật Hợp tác xã 2023, Điều 30
khoản 7, Điều 42 khoản 2, Điều 74 khoản 3)."""

from tests.founding.test_flow import onboard, saved_plan


async def test_foreign_members_bring_an_extra_paper_and_are_not_asked_twice(chat, sessionmaker):
    await onboard(chat, place=True)
    await chat.tap("founding")
    await chat.tap("hop_tac_xa")
    await chat.send("5")
    await chat.send("ca nhan, nha dau tu nuoc ngoai")
    assert chat.said("giấy chứng nhận đăng ký đầu tư") and chat.said("Nguồn: Luật Hợp tác xã 2023, Điều 42")
    assert chat.said("Tổng vốn góp của các nhà đầu tư nước ngoài") and chat.said("Điều 74 khoản 3")
    assert chat.said("tối đa <b>1</b> nhà đầu tư nước ngoài") and chat.said("Điều 30 khoản 7")  # < 35 % of 5
    assert "Lĩnh vực" in chat.last_text  # the foreign-investor question follows from the kinds
    for _ in range(3):
        await chat.tap("_skip")
    await chat.send("Hợp tác xã Đồng Tâm")
    await chat.tap("plan")
    await chat.tap("step:dossier")
    assert chat.said("giấy chứng nhận đăng ký đầu tư", last=2)  # in the dossier of the plan
    assert (await saved_plan(sessionmaker)).answers["has_foreign"] is True
    assert not any("Có thành viên nào là nhà đầu tư nước ngoài" in r.text for r in chat.replies)


async def test_an_htx_without_foreign_investors_among_its_kinds_is_not_asked_again(chat, sessionmaker):
    await onboard(chat, place=True)
    await chat.tap("founding")
    await chat.tap("hop_tac_xa")
    await chat.send("7")
    await chat.send("ca nhan")
    assert "Lĩnh vực" in chat.last_text
    for _ in range(4):
        await chat.tap("_skip")
    assert "Tiến độ thành lập" in chat.last_text
    assert not any("Có thành viên nào là nhà đầu tư nước ngoài" in r.text for r in chat.replies)
    assert (await saved_plan(sessionmaker)).answers["has_foreign"] is False
