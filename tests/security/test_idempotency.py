"""Dashboard actions happen once: a double click on "send" sends one announcement and shows the first result."""

from __future__ import annotations

import asyncio

from db.models.outbox import Announcement
from tests.web.dashboard_site import once_key, once_of

TEXT = "Họp toàn thể hợp tác xã ngày 25/11"


async def _preview(site) -> dict[str, str]:
    """An official fills the compose form and previews it: the send form, as the page gives it."""
    token = await site.as_official("hanoi")
    preview = await site.client.post("/quan-ly/thong-bao/xem-truoc",
                                     data={"noi_dung": TEXT, "nhom": "everyone", "csrf": token})
    assert preview.status == 200
    return {"noi_dung": TEXT, "nhom": "everyone", "csrf": token, "once": once_of(await preview.text())}


async def _send(site, form):
    return await site.client.post("/quan-ly/thong-bao/gui", data=form, allow_redirects=False)


async def test_a_double_click_on_send_sends_one_announcement_and_both_show_it(site):
    form = await _preview(site)
    first, second = await asyncio.gather(_send(site, form), _send(site, form))
    assert first.status == second.status == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert await site.count(Announcement) == 2  # the seeded one and this one
    again = await _send(site, form)  # the browser's back button and send once more
    assert again.status == 303 and again.headers["Location"] == first.headers["Location"]
    assert await site.count(Announcement) == 2
    shown = await site.client.get(first.headers["Location"])
    assert shown.status == 200 and TEXT in await shown.text()


async def test_a_new_preview_gives_a_new_key_and_a_new_announcement(site):
    await _send(site, await _preview(site))
    form = await _preview(site)
    assert (await _send(site, form)).status == 303
    assert await site.count(Announcement) == 3


async def test_a_refused_send_does_not_use_its_key(site):
    form = await _preview(site)
    empty = await _send(site, {**form, "noi_dung": " "})
    assert empty.status == 400 and "nhập nội dung" in await empty.text()
    assert (await _send(site, form)).status == 303
    assert await site.count(Announcement) == 2


async def test_a_send_without_a_key_or_with_another_officials_key_does_nothing(site, other_browser):
    form = await _preview(site)
    missing = await _send(site, {k: v for k, v in form.items() if k != "once"})
    assert missing.status == 400 and "Biểu mẫu đã cũ" in await missing.text()
    assert (await _send(site, form)).status == 303
    token = await site.as_official("cua_nam_official", other_browser)
    stolen = await other_browser.post("/quan-ly/thong-bao/gui", allow_redirects=False,
                                      data={**form, "csrf": token})
    assert stolen.status == 409 and "Đã gửi rồi" in await stolen.text()
    fresh = await other_browser.post("/quan-ly/thong-bao/gui", allow_redirects=False,
                                     data={**form, "csrf": token, "once": once_key()})
    assert fresh.status == 303
    assert await site.count(Announcement) == 3
