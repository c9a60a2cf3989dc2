"""/dulieu: a person gets everything stored about them, as a message and as a JSON file, and nobody else's."""

from __future__ import annotations

import html
import json

from db.models.zalo import OAContact
from tests.chat import Chat
from tests.my_data.world import busy_person


def _file(chat: Chat) -> dict:
    [document] = [r.document for r in chat.replies[-4:] if r.document is not None]
    assert document.filename == "du-lieu-htx-bot-2026-11-22.json"
    return json.loads(document.data.decode("utf-8"))


async def test_a_cooperative_head_gets_everything_in_words_and_in_a_file(chat, sessionmaker):
    ids = await busy_person(chat, sessionmaker)
    await chat.send("/dulieu")
    message = next(r.text for r in chat.replies[-4:] if "Dữ liệu HTX Bot lưu về bạn" in r.text)
    for fragment in ("mã u1, tên «Ba Tư»", "vai trò: Chủ nhiệm hoặc cán bộ HTX", "tỉnh/thành: Vĩnh Long",
                     "thông báo bản ngày 27/11/2026", "HTX Rau Sạch Long Hiệp (chủ nhiệm)",
                     "tháng 10/2026, HTX Rau Sạch Long Hiệp", "«Xã tôi có lớp tập huấn &lt;kế toán&gt; không?»",
                     "đang chờ trả lời", "Hợp tác xã, đã đánh dấu 0 bước", "ngày 20/11/2026 (1 chương trình)",
                     "Nhật ký sử dụng:</b> "):
        assert fragment in message, fragment
    assert "Câu hỏi của người khác" not in message
    data = _file(chat)
    assert data["users"]["id"] == ids["user"] and data["users"]["role"] == "chu_nhiem"
    assert [r["cooperative_id"] for r in data["reporters"]] == [ids["coop"]]
    assert [(r["id"], r["difficulties"]) for r in data["monthly_reports"]] == [(ids["report"], "Thiếu vốn mua giống")]
    assert [q["text"] for q in data["questions"]] == ["Xã tôi có lớp tập huấn <kế toán> không?"]
    assert data["founding_plans"][0]["answers"]["form"] == "hop_tac_xa"
    assert data["eligibility_checks"][0]["outcomes"] == {"nd113-dao-tao": "possibly"}
    assert data["consents"][0]["notice_version"] == "2026-11-27"
    assert {"onboarding.started", "onboarding.completed"} <= {e["action"] for e in data["audit_log"]}
    assert data["conversations"]["flow"] == "menu"
    text = json.dumps(data, ensure_ascii=False)
    assert "Câu hỏi của người khác" not in text and "token_hash" not in text


async def test_asked_in_the_middle_of_a_question_it_asks_the_question_again(chat, sessionmaker):
    await busy_person(chat, sessionmaker)
    await chat.send("/hoso")
    await chat.tap("edit_place")
    await chat.send("/dulieu")
    assert "tỉnh/thành phố nào" in chat.last_text
    data = _file(chat)
    assert (data["conversations"]["flow"], data["conversations"]["step"]) == ("profile", "province")
    assert chat.said("Việc đang làm dở:</b> «Hồ sơ của tôi»", last=4)


async def test_someone_new_gets_what_little_there_is(chat):
    await chat.send("/dulieu")
    assert chat.said("Hồ sơ:</b> vai trò: chưa cho biết", last=3)
    assert chat.said("Đồng ý lưu dữ liệu:</b> chưa có", last=3)
    assert _file(chat)["consents"] == []


async def test_on_zalo_the_file_is_offered_as_text_to_copy(bot_engine, sessionmaker):
    chat = Chat(bot_engine, user="z-1", channel="zalo")
    await busy_person(chat, sessionmaker)
    await chat.send("/dulieu")
    assert all(r.document is None for r in chat.replies)
    assert chat.said("chưa cho phép bot gửi tệp") and chat.said("/dulieu json")
    sent = await chat.send("/dulieu json")
    intro, body = sent[:2]
    assert "du-lieu-htx-bot-2026-11-22.json" in intro.text and "Menu chính" in sent[-1].text
    data = json.loads(html.unescape(body.text))  # Zalo shows it as plain text, entities unescaped
    assert data["users"]["channel"] == "zalo"
    assert data["questions"][0]["text"] == "Xã tôi có lớp tập huấn <kế toán> không?"


async def test_json_on_a_channel_that_sends_files_is_just_the_file(chat, sessionmaker):
    await busy_person(chat, sessionmaker)
    before = len(chat.replies)
    await chat.send("/dulieu json")
    new = chat.replies[before:]
    assert [r.document is not None for r in new][:1] == [True]
    assert not any("Dữ liệu HTX Bot lưu về bạn" in r.text for r in new)


async def test_the_help_names_both_commands(chat):
    await chat.send("/trogiup")
    assert chat.said("/dulieu — xem mọi dữ liệu mình lưu về bạn; /xoadulieu — xóa dữ liệu đó")


async def test_an_official_account_follower_also_gets_the_reply_window_kept_for_them(bot_engine, sessionmaker):
    chat = Chat(bot_engine, user="oa-9", channel="zalo_oa")
    await chat.send("/start")
    async with sessionmaker() as s:
        s.add(OAContact(app_id="4321", user_id="oa-9", sent_since=3))
        s.add(OAContact(app_id="4321", user_id="oa-other", sent_since=1))
        await s.commit()
    sent = await chat.send("/dulieu json")
    data = json.loads(html.unescape(sent[1].text))
    assert [c["sent_since"] for c in data["zalo_oa_contacts"]] == [3]
    assert "Bạn là ai" in sent[-1].text  # the onboarding question again
