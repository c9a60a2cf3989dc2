"""The officials' dashboard over HTTP (aiohttp test client, real database): signing in, cookies, CSRF, scope."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook
from sqlalchemy import delete, select

from db.base import utcnow
from db.models.core import User
from db.models.outbox import Announcement
from db.models.registry import Official
from db.models.web import LoginToken
from tests.chat import Chat
from tests.registry.world import (
    CAN_THO,
    HANOI,
    HOAN_KIEM,
    NINH_KIEU,
)
from tests.web.dashboard_site import Site, once_key
from tests.web.dashboard_site import csrf_of as _csrf
from tests.web.dashboard_site import make_site as _site
from tests.web.dashboard_site import seed as _seed


@pytest.fixture
async def site(engine, database_url):
    """The dashboard on a seeded database, not signed in."""
    site = await _site(database_url)
    site.ids = await _seed(site.app.sessionmaker)
    yield site
    await site.client.close()
    await site.app.close()


@pytest.fixture
async def other_browser(site):
    """A second browser (its own cookies) on the same server."""
    client = TestClient(site.client.server)
    yield client
    await client.session.close()


# ---- the link ------------------------------------------------------------------------------------


async def test_an_official_asks_in_chat_and_the_link_signs_in_once(site, bot_engine):
    chat = Chat(bot_engine, user="u-official", channel="telegram")
    async with site.app.sessionmaker() as s:
        person = (await s.execute(select(User).where(User.id == site.ids["hanoi"]))).scalar_one()
        chat.user = person.external_id
    await chat.send("/dangnhap")
    assert "dùng được <b>một lần</b>" in chat.last_text
    raw = re.search(r"/quan-ly/dang-nhap\?t=([\w-]+)", chat.last_text).group(1)
    assert chat.last_text.count("http://127.0.0.1:8080/quan-ly/dang-nhap?t=") == 2  # href and shown text

    first_look = await site.client.get("/quan-ly/dang-nhap", params={"t": raw})
    again = await site.client.get("/quan-ly/dang-nhap", params={"t": raw})  # a link preview uses nothing
    assert first_look.status == again.status == 200
    assert "Đăng nhập" in await again.text()
    response = await site.client.post("/quan-ly/dang-nhap", data={"t": raw, "csrf": _csrf(await again.text())},
                                      allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/quan-ly/"
    home = await site.client.get("/quan-ly/", params={"thang": "2026-10"})
    assert home.status == 200
    assert "Báo cáo tháng 10/2026" in await home.text()

    reused = await _open_elsewhere(site, raw)
    assert reused == (410, True)
    async with site.app.sessionmaker() as s:
        stored = (await s.scalars(select(LoginToken))).all()
    assert len(stored) == 1 and stored[0].token_hash != raw and stored[0].used_at is not None


async def _open_elsewhere(site: Site, raw: str) -> tuple[int, bool]:
    """Someone else opens the same link in their own browser: the status and whether it says 'used'."""
    client = TestClient(site.client.server)
    try:
        opened = await client.get("/quan-ly/dang-nhap", params={"t": raw})
        return opened.status, "đã được dùng rồi" in await opened.text()
    finally:
        await client.session.close()


async def test_a_used_link_cannot_be_confirmed_twice(site):
    raw = await site.link_for(site.ids["hanoi"])
    assert (await site.sign_in(raw)).status == 303
    opened = await site.client.get("/quan-ly/dang-nhap", params={"t": raw})
    assert opened.status == 410
    assert "đã được dùng rồi" in await opened.text()
    fresh = await site.link_for(site.ids["hanoi"])  # a good link gives this browser a valid form token
    token = _csrf(await (await site.client.get("/quan-ly/dang-nhap", params={"t": fresh})).text())
    again = await site.client.post("/quan-ly/dang-nhap", data={"t": raw, "csrf": token}, allow_redirects=False)
    assert again.status == 410 and "Set-Cookie" not in again.headers


async def test_a_non_official_gets_the_unknown_command_reply_and_no_link(site, bot_engine):
    chat = Chat(bot_engine, user="u-farmer")
    await chat.send("/lenhkhongco")
    unknown = chat.last_text.replace("lenhkhongco", "dangnhap")
    await chat.send("/dangnhap")
    assert chat.last_text == unknown
    assert "quan-ly" not in chat.last_text
    assert await site.count(LoginToken) == 0


async def test_a_link_made_for_a_non_official_cannot_sign_in(site):
    raw = await site.link_for(site.ids["farmer"])
    opened = await site.client.get("/quan-ly/dang-nhap", params={"t": raw})
    assert opened.status == 403
    assert 'name="t"' not in await opened.text()
    forced = await site.client.post("/quan-ly/dang-nhap", data={"t": raw, "csrf": "x"}, allow_redirects=False)
    assert forced.status == 403 and "Set-Cookie" not in forced.headers
    assert (await site.client.get("/quan-ly/")).status == 401


async def test_an_expired_link_is_refused(site):
    raw = await site.link_for(site.ids["hanoi"], ttl=dt.timedelta(minutes=15), now=utcnow() - dt.timedelta(minutes=16))
    opened = await site.client.get("/quan-ly/dang-nhap", params={"t": raw})
    assert opened.status == 410
    assert "hết hạn" in await opened.text()
    fresh = await site.link_for(site.ids["hanoi"])  # a good link gives this browser a form token
    token = _csrf(await (await site.client.get("/quan-ly/dang-nhap", params={"t": fresh})).text())
    refused = await site.client.post("/quan-ly/dang-nhap", data={"t": raw, "csrf": token}, allow_redirects=False)
    assert refused.status == 410 and "Set-Cookie" not in refused.headers


async def test_an_unknown_link_says_so(site):
    opened = await site.client.get("/quan-ly/dang-nhap", params={"t": "khong-co-that"})
    assert opened.status == 404
    assert "/dangnhap" in await opened.text()


# ---- cookies and sessions -----------------------------------------------------------------------


def _cookie_flags(response, name: str) -> str:
    headers = [h for h in response.headers.getall("Set-Cookie") if h.startswith(f"{name}=")]
    assert headers, response.headers
    return headers[0].lower()


async def test_the_session_cookie_is_httponly_strict_and_expires(site):
    response = await site.sign_in(await site.link_for(site.ids["hanoi"]))
    flags = _cookie_flags(response, "htx_quanly")
    assert "httponly" in flags and "samesite=strict" in flags and "path=/quan-ly" in flags
    assert f"max-age={8 * 3600}" in flags
    assert "secure" not in flags.replace("samesite", "")  # plain http on 127.0.0.1


async def test_the_cookie_is_secure_when_the_public_address_is_https(engine, database_url):
    site = await _site(database_url, base_url="https://htx.example.vn")
    try:
        site.ids = await _seed(site.app.sessionmaker)
        raw = await site.link_for(site.ids["hanoi"])
        opened = await site.client.get("/quan-ly/dang-nhap", params={"t": raw})
        assert "secure" in _cookie_flags(opened, "htx_quanly_dn").split("; ")
        response = await site.client.post("/quan-ly/dang-nhap", allow_redirects=False,
                                          data={"t": raw, "csrf": _csrf(await opened.text())},
                                          cookies={"htx_quanly_dn": opened.cookies["htx_quanly_dn"].value})
        assert response.status == 303
        assert "secure" in _cookie_flags(response, "htx_quanly").split("; ")
    finally:
        await site.client.close()
        await site.app.close()


async def test_the_cookie_is_secure_behind_a_trusted_proxy_that_ends_tls(engine, database_url):
    site = await _site(database_url, trusted_proxies="127.0.0.1")  # the public address says http
    try:
        site.ids = await _seed(site.app.sessionmaker)
        for proto, secure in (("https", True), ("http", False)):
            raw = await site.link_for(site.ids["hanoi"])
            opened = await site.client.get("/quan-ly/dang-nhap", params={"t": raw},
                                           headers={"X-Forwarded-Proto": proto})
            assert ("secure" in _cookie_flags(opened, "htx_quanly_dn").split("; ")) is secure
            response = await site.client.post("/quan-ly/dang-nhap", allow_redirects=False,
                                              data={"t": raw, "csrf": _csrf(await opened.text())},
                                              headers={"X-Forwarded-Proto": proto},
                                              cookies={"htx_quanly_dn": opened.cookies["htx_quanly_dn"].value})
            assert response.status == 303
            assert ("secure" in _cookie_flags(response, "htx_quanly").split("; ")) is secure
    finally:
        await site.client.close()
        await site.app.close()


async def test_logout_ends_the_session_and_an_expired_session_is_refused(site):
    token = await site.as_official("hanoi")
    assert (await site.client.get("/quan-ly/")).status == 200
    out = await site.client.post("/quan-ly/dang-xuat", data={"csrf": token})
    assert out.status == 200 and "đã đăng xuất" in (await out.text()).lower()
    again = await site.client.get("/quan-ly/")
    assert again.status == 401
    assert "/dangnhap" in await again.text()

    await site.as_official("hanoi")
    async with site.app.sessionmaker() as s:
        from db.models.web import WebSession

        for row in (await s.scalars(select(WebSession).where(WebSession.revoked_at.is_(None)))).all():
            row.expires_at = utcnow() - dt.timedelta(seconds=1)
        await s.commit()
    assert (await site.client.get("/quan-ly/")).status == 401


async def test_an_official_whose_rights_are_withdrawn_is_signed_out_at_once(site):
    await site.as_official("hanoi")
    async with site.app.sessionmaker() as s:
        await s.execute(delete(Official).where(Official.user_id == site.ids["hanoi"]))
        await s.commit()
    assert (await site.client.get("/quan-ly/")).status == 401


# ---- CSRF ---------------------------------------------------------------------------------------


async def test_a_form_without_its_token_is_refused(site):
    token = await site.as_official("hanoi")
    form = {"noi_dung": "Họp ngày 25/11", "nhom": "everyone", "once": once_key()}
    missing = await site.client.post("/quan-ly/thong-bao/gui", data=form, allow_redirects=False)
    wrong = await site.client.post("/quan-ly/thong-bao/gui", data={**form, "csrf": "0" * 64}, allow_redirects=False)
    assert missing.status == wrong.status == 403
    assert "Biểu mẫu đã cũ" in await missing.text()
    assert await site.count(Announcement) == 1  # only the seeded one
    logout = await site.client.post("/quan-ly/dang-xuat", data={})
    assert logout.status == 403 and (await site.client.get("/quan-ly/")).status == 200
    sent = await site.client.post("/quan-ly/thong-bao/gui", data={**form, "csrf": token}, allow_redirects=False)
    assert sent.status == 303 and await site.count(Announcement) == 2


async def test_the_sign_in_form_must_come_from_the_browser_that_opened_it(site, other_browser):
    raw = await site.link_for(site.ids["hanoi"])
    opened = await site.client.get("/quan-ly/dang-nhap", params={"t": raw})
    token = _csrf(await opened.text())
    forged = await other_browser.post("/quan-ly/dang-nhap", data={"t": raw, "csrf": token}, allow_redirects=False)
    assert forged.status == 403 and "Set-Cookie" not in forged.headers
    assert (await site.client.post("/quan-ly/dang-nhap", data={"t": raw, "csrf": token},
                                   allow_redirects=False)).status == 303  # not used by the forgery


# ---- scope --------------------------------------------------------------------------------------


async def test_pages_of_another_scope_are_refused(site):
    await site.as_official("cua_nam_official")
    refused = [
        f"/quan-ly/hop-tac-xa/{site.ids['ninh_kieu']}",
        f"/quan-ly/?tinh={CAN_THO}",
        f"/quan-ly/xu-huong?tinh={HANOI}",  # the whole province is wider than one commune
        f"/quan-ly/kho-khan?xa={NINH_KIEU}",
        f"/quan-ly/thong-bao/{site.ids['can_tho_announcement']}",
        f"/quan-ly/thong-bao/{site.ids['can_tho_announcement']}/tien-do",
        f"/quan-ly/xuat/tep?tu=2026-10&den=2026-10&tinh={CAN_THO}",
        f"/quan-ly/hop-tac-xa?xa={HOAN_KIEM}",
    ]
    for path in refused:
        response = await site.client.get(path)
        assert response.status == 403, path
        assert "Ngoài phạm vi phụ trách" in await response.text()
    assert (await site.client.get(f"/quan-ly/hop-tac-xa/{site.ids['cua_nam']}")).status == 200


async def test_every_page_shows_only_the_scope(site):
    await site.as_official("hanoi")
    pages = {path: await (await site.client.get(path)).text() for path in (
        "/quan-ly/?thang=2026-10", "/quan-ly/hop-tac-xa?thang=2026-10", "/quan-ly/kho-khan?thang=2026-10",
        "/quan-ly/thong-bao", "/quan-ly/cau-hoi", "/quan-ly/thanh-lap")}
    for path, text in pages.items():
        assert "Ninh Kiều" not in text and "Cần Thơ" not in text, path
    assert "HTX Im Lặng" in pages["/quan-ly/?thang=2026-10"]
    assert "2/3" in pages["/quan-ly/?thang=2026-10"]
    assert "Giá phân bón tăng" in pages["/quan-ly/kho-khan?thang=2026-10"]
    assert "Xã tôi có lớp tập huấn không?" in pages["/quan-ly/cau-hoi"]
    funnel = pages["/quan-ly/thanh-lap"]
    assert re.search(r"Mở hướng dẫn thành lập</th><td class=\"num\">1<", funnel)


async def test_an_announcement_outside_the_scope_is_refused_and_nothing_is_queued(site):
    token = await site.as_official("cua_nam_official")
    form = {"noi_dung": "Tin cho Cần Thơ", "nhom": "province", "tinh": str(CAN_THO), "csrf": token, "once": once_key()}
    preview = await site.client.post("/quan-ly/thong-bao/xem-truoc", data=form)
    sent = await site.client.post("/quan-ly/thong-bao/gui", data=form, allow_redirects=False)
    assert preview.status == sent.status == 403
    assert "ngoài phạm vi" in await sent.text()
    assert await site.count(Announcement) == 1


# ---- pages and files ---------------------------------------------------------------------------


async def test_a_cooperative_shows_every_revision(site):
    await site.as_official("hanoi")
    text = await (await site.client.get(f"/quan-ly/hop-tac-xa/{site.ids['cua_nam']}")).text()
    assert "BC202610-" in text and "-2</code>" in text and "-1</code>" in text
    assert "gửi 2 lần, tính lần mới nhất" in text and "(lần 1, đã thay)" in text
    assert "Doanh thu (triệu đồng)" in text and ">350</td>" in text  # one unit for the column, named once
    assert text.count("<table") == 1  # one table for every month
    assert text.count("Chưa gửi</span> không có cập nhật tháng này") == 11  # a year back from 10/2026, one sent


async def test_trends_are_drawn_as_inline_svg(site):
    await site.as_official("hanoi")
    response = await site.client.get("/quan-ly/xu-huong?thang=2026-10")
    text = await response.text()
    assert response.status == 200 and text.count("<svg") == 3
    assert "<script" not in text  # no charting library
    assert not re.search(r'(src|href)="(https?:)?//', text)  # nothing from another host (a CDN)
    assert "11/2025" in text and "10/2026" in text


async def test_the_cooperatives_filter_by_reported_or_not(site):
    await site.as_official("hanoi")
    missing = await (await site.client.get("/quan-ly/hop-tac-xa?thang=2026-10&bao_cao=chua")).text()
    assert "HTX Im Lặng" in missing and "HTX Gốm Hoàn Kiếm" not in missing
    one_commune = await (await site.client.get(f"/quan-ly/hop-tac-xa?thang=2026-10&xa={HOAN_KIEM}")).text()
    assert "HTX Gốm Hoàn Kiếm" in one_commune and "HTX Im Lặng" not in one_commune


async def test_exports_in_csv_and_xlsx_hold_only_the_scope(site):
    await site.as_official("hanoi")
    csv_file = await site.client.get("/quan-ly/xuat/tep?tu=2026-09&den=2026-10&dinh_dang=csv")
    assert csv_file.status == 200 and csv_file.headers["Content-Type"].startswith("text/csv")
    text = (await csv_file.read()).decode("utf-8-sig")
    assert "HTX Rau Sạch Cửa Nam" in text and "Ninh Kiều" not in text
    xlsx = await site.client.get("/quan-ly/xuat/tep?tu=2026-10&den=2026-10&dinh_dang=xlsx")
    sheet = load_workbook(io.BytesIO(await xlsx.read())).active
    names = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["HTX Gốm Hoàn Kiếm", "HTX Rau Sạch Cửa Nam"]
    assert "attachment" in xlsx.headers["Content-Disposition"]


async def test_eligibility_checks_are_counted_by_outcome(site):
    await site.as_official("hanoi")
    text = await (await site.client.get("/quan-ly/ho-tro?thang=2026-11")).text()
    assert "Hỗ trợ phát triển nguồn nhân lực (đào tạo, bồi dưỡng)" in text
    cards = re.findall(r'<article class="card programme".*?</article>', text, re.S)
    [card] = [c for c in cards if "nguồn nhân lực (đào tạo" in c]
    assert "Có thể đủ, cần thêm thông tin</span> <b>1</b>" in card
    assert "lượt kiểm tra có kết quả" in text
    assert "Cần Thơ" not in text  # another province's programmes are not the official's business
    assert text.count('class="card programme"') >= 2  # one card per programme, checked or not


@pytest.mark.parametrize("path, status, words", [
    ("/quan-ly/?thang=13/2026", 400, "Tháng không hợp lệ"),
    ("/quan-ly/?tinh=999", 400, "Địa bàn không hợp lệ"),
    ("/quan-ly/hop-tac-xa/abc", 404, "Không tìm thấy"),
    ("/quan-ly/hop-tac-xa/999999", 404, "Không tìm thấy"),
    ("/quan-ly/hop-tac-xa?loai=cong_ty", 400, "Bộ lọc không hợp lệ"),
    ("/quan-ly/xuat/tep?tu=2026-10&den=2020-01", 400, "Khoảng thời gian không hợp lệ"),
    ("/quan-ly/xuat/tep?tu=2020-01&den=2026-10", 400, "Khoảng thời gian không hợp lệ"),
])
async def test_bad_parameters_get_a_clear_page(site, path, status, words):
    await site.as_official("hanoi")
    response = await site.client.get(path)
    assert response.status == status
    text = await response.text()
    assert words in text and "Traceback" not in text


async def test_a_too_long_or_empty_announcement_is_explained(site):
    token = await site.as_official("hanoi")
    long = await site.client.post("/quan-ly/thong-bao/xem-truoc",
                                  data={"noi_dung": "a" * 5000, "nhom": "everyone", "csrf": token})
    assert long.status == 400 and "tối đa 3.000 ký tự" in await long.text()
    empty = await site.client.post("/quan-ly/thong-bao/gui",
                                   data={"noi_dung": "  ", "nhom": "everyone", "csrf": token, "once": once_key()})
    assert empty.status == 400 and "nhập nội dung" in await empty.text()
    assert await site.count(Announcement) == 1


async def test_pages_carry_strict_security_headers(site):
    await site.as_official("hanoi")
    response = await site.client.get("/quan-ly/")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
