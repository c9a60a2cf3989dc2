"""/canbo as officials use it: views and exports of their scope only, invite codes; others learn nothing."""

import csv
import datetime as dt
import io

from openpyxl import load_workbook
from sqlalchemy import select

from bot.catalog import all_flows
from db.models.registry import InviteCode
from flows.engine.engine import Engine
from flows.join.accounts import add_official
from flows.join.scope import Scope
from flows.monthly_report.exports import columns
from flows.monthly_report.reports import latest_reports_between, submit
from tests.chat import Chat, fixed_clock
from tests.registry import world
from tests.registry.world import CAN_THO, CUA_NAM, HANOI, HOAN_KIEM, NINH_KIEU


async def _world(sessionmaker):
    """Hà Nội: two cooperatives, one reported twice (two months); Cần Thơ: one that reported."""
    async with sessionmaker() as session:
        dong_tam = await world.coop(session, "HTX Đồng Tâm", HANOI, HOAN_KIEM, reg="0101234567")
        head = await world.head_of(session, dong_tam)
        await submit(session, head, dong_tam, world.answers(period="2026-09", members=20, revenue=300_000_000))
        await submit(session, head, dong_tam, world.answers(period="2026-10", members=22, revenue=350_000_000,
                                                            status="kho_khan", needs=["von"],
                                                            difficulties="Giá phân bón tăng"))
        await world.coop(session, "HTX Im Lặng", HANOI, CUA_NAM)
        ninh_kieu = await world.coop(session, "HTX Ninh Kiều", CAN_THO, NINH_KIEU)
        await submit(session, await world.head_of(session, ninh_kieu), ninh_kieu,
                     world.answers(period="2026-10", members=40, revenue=900_000_000))
        await session.commit()


async def _official(sessionmaker, chat, scope):
    async with sessionmaker() as session:
        await add_official(session, scope, channel=chat.channel, external_id=chat.user)
        await session.commit()


async def test_a_province_official_sees_compliance_totals_and_needs_of_the_province_only(chat, sessionmaker):
    await _world(sessionmaker)
    await _official(sessionmaker, chat, Scope("province", HANOI))
    await chat.send("/canbo")
    assert "Theo dõi cập nhật hằng tháng</b> — Thành phố Hà Nội" in chat.last_text
    await chat.tap("compliance")
    await chat.send("10/2026")
    compliance = chat.replies[-2].text
    assert "Đã gửi: <b>1/2</b>" in compliance and "HTX Im Lặng" in compliance
    assert "Ninh Kiều" not in compliance and "Cần Thơ" not in compliance
    await chat.tap("totals")
    await chat.send("10/2026")
    totals = chat.replies[-2].text
    assert "Thành viên: 22 (tăng 2)" in totals and "350 triệu đồng (tăng 50 triệu đồng)" in totals
    await chat.tap("needs")
    await chat.send("10/2026")
    needs = chat.replies[-2].text
    assert "HTX Đồng Tâm" in needs and "Giá phân bón tăng" in needs and "Vốn 1" in needs
    assert "Ninh Kiều" not in needs


async def test_an_official_of_another_province_sees_nothing_of_this_one(chat, sessionmaker):
    await _world(sessionmaker)
    await _official(sessionmaker, chat, Scope("province", CAN_THO))
    await chat.send("/canbo")
    await chat.tap("compliance")
    await chat.tap("2026-11")  # the suggested month: 11/2026 on 22/11/2026
    assert "Đã gửi: <b>0/1</b>" in chat.replies[-2].text and "HTX Ninh Kiều" in chat.replies[-2].text
    await chat.tap("compliance")
    await chat.send("10/2026")
    text = chat.replies[-2].text
    assert "Đã gửi: <b>1/1</b>" in text and "Hà Nội" not in text and "Đồng Tâm" not in text
    await chat.tap("export")
    await chat.send("9/2026")
    await chat.send("10/2026")
    files = [r.document for r in chat.replies if r.document]
    assert [f.filename for f in files] == ["cap-nhat-htx-202609-202610.xlsx", "cap-nhat-htx-202609-202610.csv"]
    for document in files:
        assert b"\xc4\x90\xe1\xbb\x93ng T\xc3\xa2m" not in document.data  # "Đồng Tâm" in UTF-8
    sheet = load_workbook(io.BytesIO(files[0].data)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert [r[2] for r in rows[1:]] == ["HTX Ninh Kiều"]
    await chat.tap("invite_head")
    await chat.send("Đồng Tâm")
    assert chat.said("Không tìm thấy tổ chức nào khớp «Đồng Tâm»")


async def test_an_export_read_back_with_openpyxl_and_csv_matches_the_database(chat, sessionmaker):
    await _world(sessionmaker)
    await _official(sessionmaker, chat, Scope("country"))
    await chat.send("/canbo")
    await chat.tap("export")
    await chat.send("09/2026")
    assert "Chỉ tháng 09/2026" in chat.button_labels
    await chat.send("8/2026")
    assert chat.said("Tháng cuối (08/2026) đang ở trước tháng đầu (09/2026)")
    await chat.send("10/2026")
    xlsx, csv_file = [r.document for r in chat.replies if r.document]
    assert "từ 09/2026 đến 10/2026 — toàn quốc: 3 dòng" in xlsx.caption
    async with sessionmaker() as session:
        expected = await latest_reports_between(session, Scope("country"), "2026-09", "2026-10")
    keys = [c["key"] for c in columns()]
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    table = [dict(zip(keys, row, strict=True)) for row in list(sheet.iter_rows(values_only=True))[1:]]
    assert [(r["name"], r["period"], r["members"], r["revenue"], r["reference"]) for r in table] == [
        (c.name, dt.datetime(int(r.period[:4]), int(r.period[5:]), 1), r.members, r.revenue, r.reference)
        for c, r in expected]
    lines = list(csv.reader(io.StringIO(csv_file.data.decode("utf-8-sig"))))
    assert lines[0] == [c["header"] for c in columns()]
    assert [(line[2], int(line[7]), int(line[9])) for line in lines[1:]] == [
        (c.name, r.members, r.revenue) for c, r in expected]
    await chat.tap("export")
    await chat.send("1/2024")
    await chat.send("10/2026")
    assert chat.said("mỗi lần xuất được tối đa 24 tháng")


async def test_a_non_official_typing_canbo_gets_the_unknown_command_answer_word_for_word(bot_engine, sessionmaker):
    await _world(sessionmaker)
    without = Engine(sessionmaker, [f for f in all_flows() if f.name != "officials"], clock=fixed_clock())
    answers = []
    for engine in (bot_engine, without):
        chat = Chat(engine, f"u{len(answers) + 1}")
        await chat.send("/start")
        await chat.tap("chu_nhiem")
        answer = await chat.send("/canbo")
        assert "chưa biết lệnh «/canbo»" in answer[0].text and "tỉnh/thành phố nào" in answer[1].text
        answers.append([(r.text, [(b.id, b.label) for b in r.buttons]) for r in answer])
    assert answers[0] == answers[1]  # the bot with /canbo answers like a bot that has never heard of it
    self_declared = Chat(bot_engine, "u3")
    await self_declared.send("/start")
    await self_declared.tap("can_bo")
    await self_declared.send("/canbo")
    assert "chưa biết lệnh «/canbo»" in self_declared.replies[-2].text
    assert "cán bộ" not in self_declared.replies[-2].text.lower()


async def test_an_official_gives_a_code_to_a_head_who_then_links_with_it(bot_engine, sessionmaker):
    await _world(sessionmaker)
    official = Chat(bot_engine, "official")
    await _official(sessionmaker, official, Scope("province", HANOI))
    await official.send("/canbo")
    await official.tap("invite_head")
    await official.send("htx")
    assert "Có 2 tổ chức khớp" in official.last_text
    await official.tap("HTX Im Lặng")
    await official.tap("head")
    async with sessionmaker() as session:
        code = (await session.scalars(select(InviteCode.code))).one()
    assert official.said(f"/thamgia {code}")
    head = Chat(bot_engine, "head")
    await head.send(f"/thamgia {code}")
    assert head.said("Đã liên kết anh/chị với <b>HTX Im Lặng</b>", last=4)


async def test_officials_invite_officials_only_within_their_own_scope(bot_engine, sessionmaker):
    await _world(sessionmaker)
    official = Chat(bot_engine, "official")
    await _official(sessionmaker, official, Scope("province", HANOI))
    await official.send("/canbo")
    await official.tap("invite_official")
    assert {b.id.rpartition("|")[2] for b in official.last.buttons} == {"province", "commune", "_back"}
    await official.tap("commune")
    await official.send("Cửa Nam")
    assert official.said("Mã mời cán bộ cho <b>Phường Cửa Nam, Thành phố Hà Nội</b>")
    async with sessionmaker() as session:
        invite = (await session.scalars(select(InviteCode))).one()
    assert (invite.scope_level, invite.province_code, invite.commune_code) == ("commune", HANOI, CUA_NAM)

    commune_official = Chat(bot_engine, "commune_official")
    await commune_official.send(f"/thamgia {invite.code}")
    await commune_official.tap("compliance")
    await commune_official.send("10/2026")
    assert "Đã gửi: <b>0/1</b>" in commune_official.replies[-2].text
    assert "HTX Im Lặng" in commune_official.replies[-2].text and "Đồng Tâm" not in commune_official.replies[-2].text
    await commune_official.tap("invite_head")
    await commune_official.send("Đồng Tâm")
    assert commune_official.said("Không tìm thấy")

    can_tho = Chat(bot_engine, "outsider")
    await _official(sessionmaker, can_tho, Scope("province", CAN_THO))
    await can_tho.send("/canbo")
    await can_tho.tap("invite_official")
    await can_tho.tap("province")
    assert chat_has_no_province_question(can_tho)
    assert can_tho.said("Mã mời cán bộ cho <b>Thành phố Cần Thơ</b>")


def chat_has_no_province_question(chat):
    """A province official inviting at province level is not asked which province: it is theirs."""
    return not any("tỉnh/thành phố</b> nào" in r.text for r in chat.replies)
