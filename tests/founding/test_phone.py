"""The founding plan fits a phone: no reply of the guide is over about 1,200 characters.

A group in Vĩnh Long and one in Hà Nội, of each form, go from the first question through the plan,
every detail behind "Xem chi tiết", the drafts and the progress view; the longest reply is printed
(run with -s to see it) and must stay under the limit.
"""

import pytest

from tests.chat import Chat
from tests.chat import onboard as onboard_as

LIMIT = 1200

PLACES = {
    "vinh_long": ("vinh long", "long hiep", "Xã Long Hiệp, Vĩnh Long"),
    "ha_noi": ("ha noi", "cua nam", "Phường Cửa Nam, Thành phố Hà Nội"),
}
# Answers typed for each form after the form itself, with warnings on purpose (an abbreviated name,
# a member above the cap, foreign investors): the longest path through the guide.
ANSWERS = {
    "hop_tac_xa": ["7", "ca nhan, ho gia dinh, to chuc, nha dau tu nuoc ngoai", "nuoi tom", "1 ty", "350 trieu",
                   "htx nong nghiep & dich vu tong hop {place} @ 2026"],
    "lien_hiep": ["3", "co", "van tai", "3 ty", "1,3 ty", "lhhtx thuy san {place}"],
    "to_hop_tac": ["3", "ca nhan, ho gia dinh", "thuy san", "tht rau sach {place}"],
}


async def founding_conversation(chat: Chat, form: str, place: str, skip: tuple[str, ...] = ()) -> list[str]:
    """The whole guide for one group (details in `skip` not asked for); every reply it gave, in order."""
    province, commune, shown = PLACES[place]
    await onboard_as(chat, role="nong dan", province=province, commune=commune, announcements="co")
    start = len(chat.replies)
    await chat.tap("founding")
    await chat.tap(form)
    for answer in ANSWERS[form]:
        await chat.send(answer.format(place=commune))
    assert "Tiến độ thành lập" in chat.last_text
    assert chat.said(shown, last=4)
    await chat.tap("plan")
    options = [b.id.rpartition("|")[2] for b in chat.last.buttons if not b.id.endswith("_back")]
    assert "where" in options and "time" in options and any(o.startswith("step:") for o in options)
    for option in options:
        if option not in skip:
            await chat.tap(option)
    await chat.tap("_back")
    await chat.tap("drafts")
    await chat.tap("tick:prepare")
    return [r.text for r in chat.replies[start:]]


@pytest.mark.parametrize("form", ["hop_tac_xa", "lien_hiep", "to_hop_tac"])
@pytest.mark.parametrize("place", sorted(PLACES))
async def test_the_longest_reply_of_the_founding_guide_fits_a_phone(chat, form, place):
    replies = await founding_conversation(chat, form, place)
    longest = max(replies, key=len)
    print(f"\n{place} {form}: {len(replies)} replies, the longest {len(longest)} characters:\n{longest}\n")
    assert len(longest) < LIMIT


async def test_the_name_warnings_appear_once_unless_asked_for(chat):
    replies = await founding_conversation(chat, "hop_tac_xa", "vinh_long", skip=("warnings",))
    for said_once in ("không viết tắt", "Mình không tra được tên", "được dùng ký hiệu"):
        assert sum(said_once in r for r in replies) == 1, said_once
    assert sum("Hợp tác xã Nông nghiệp & Dịch vụ tổng hợp Long Hiệp @ 2026" in r for r in replies) >= 2
