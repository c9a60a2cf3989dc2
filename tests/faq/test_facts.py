"""Every verified fact of htx-facts.md is answered in chat: a question about it finds the entry whose
answer states the fact plainly and whose source names the article (issue 13 item 4, issue 14)."""

from __future__ import annotations

import pytest

from flows.engine.law import format_article, has_hedge
from flows.faq import render_answer

LAW, ND295, TT09 = "luat-htx-2023", "nd-295-2026", "tt-09-2024"

# (question as typed, entry, phrases the answer states, (text, article) it cites)
FACTS = [
    ("to hop tac can it nhat may nguoi", "to-hop-tac",
     ["từ 2 thành viên", "hợp đồng hợp tác", "không có tư cách pháp nhân"], [(LAW, "Điều 4 kh.21")]),
    ("hop tac xa la to chuc gi vay", "htx-la-gi", ["tư cách pháp nhân", "ít nhất 5 thành viên chính thức"],
     [(LAW, "Điều 4 kh.7")]),
    ("lap lien hiep htx can bao nhieu hop tac xa", "lien-hiep", ["ít nhất 3 hợp tác xã"], [(LAW, "Điều 4 kh.8")]),
    ("liên đoàn hợp tác xã có phải một loại hình theo luật không", "cac-hinh-thuc",
     ["3 hình thức", "không phải"], [(LAW, "Điều 1"), (LAW, "Điều 2"), (LAW, "Điều 4")]),
    ("thanh vien chinh thuc phai lam gi", "loai-thanh-vien",
     ["góp vốn và sử dụng dịch vụ", "góp vốn và góp sức lao động"], [(LAW, "Điều 4 kh.17")]),
    ("thành viên liên kết góp vốn với không góp vốn khác gì", "loai-thanh-vien",
     ["chỉ góp vốn", "không góp vốn"], [(LAW, "Điều 4 kh.18"), (LAW, "Điều 4 kh.19")]),
    ("nhung ai duoc lam thanh vien chinh thuc cua htx", "ai-duoc-lam-thanh-vien",
     ["từ đủ 18 tuổi", "giấy chứng nhận đăng ký đầu tư", "người đại diện", "Pháp nhân Việt Nam"],
     [(LAW, "Điều 30 kh.1")]),
    ("em 15 tuoi co lam thanh vien lien ket khong gop von duoc khong", "tuoi-thanh-vien",
     ["từ đủ 15 tuổi", "từ đủ 18 tuổi"], [(LAW, "Điều 30 kh.2")]),
    ("toi dang o htx lua co vao them htx ca duoc khong", "nhieu-htx", ["nhiều hợp tác xã", "điều lệ"],
     [(LAW, "Điều 30 kh.4")]),
    ("thanh vien chinh thuc la nguoi nuoc ngoai duoc bao nhieu phan tram", "nguoi-nuoc-ngoai",
     ["dưới 35% số thành viên chính thức", "không quá 30% vốn điều lệ"],
     [(LAW, "Điều 30 kh.7"), (LAW, "Điều 34 kh.6"), (LAW, "Điều 74 kh.3")]),
    ("mot xa vien duoc gop toi da may phan tram von", "von-toi-da", ["không quá 30% vốn điều lệ", "40%"],
     [(LAW, "Điều 74 kh.1")]),
    ("tong von cac thanh vien lien ket gop von duoc bao nhieu", "von-thanh-vien-lien-ket",
     ["không quá 30% vốn điều lệ", "không quá 40%"], [(LAW, "Điều 74 kh.2")]),
    ("gop von phai xong trong may thang", "thoi-han-gop-von", ["6 tháng"], [(LAW, "Điều 74 kh.4")]),
    ("luat quy dinh von dieu le toi thieu cua htx la bao nhieu", "von-toi-thieu",
     ["không quy định vốn điều lệ tối thiểu", "điều lệ"],
     [(LAW, "Điều 4 kh.25"), (LAW, "Điều 4 kh.26"), (LAW, "Điều 40 kh.8")]),
    ("ra khoi hop tac xa thi tien gop co duoc tra lai khong", "gia-nhap-ra-khoi",
     ["trả lại vốn góp sau khi hoàn thành nghĩa vụ"], [(LAW, "Điều 31 kh.1 đ.k–l"), (LAW, "Điều 33"), (LAW, "Điều 90")]),
    ("quy mo htx tinh theo so thanh vien nao", "quy-mo-htx", ["thành viên chính thức", "tổng nguồn vốn"],
     [(LAW, "Điều 16 kh.1–2")]),
    ("htx phai trich vao quy chung khong chia it nhat bao nhieu", "quy-chung-khong-chia", ["5%", "10%", "tỷ lệ trích"],
     [(LAW, "Điều 84 kh.2")]),
    ("htx con duoc lam tin dung noi bo khong", "tin-dung-noi-bo",
     ["chấm dứt từ 01/09/2023", "cho vay nội bộ", "không phải một ngành nghề"],
     [(LAW, "Điều 115 kh.3"), (LAW, "Điều 83")]),
    ("luat moi khong can phuong an san xuat kinh doanh nua phai khong", "phuong-an-kinh-doanh",
     ["Sáng lập viên soạn", "quyết định", "nghị quyết hội nghị thành lập"],
     [(LAW, "Điều 38 kh.2"), (LAW, "Điều 39 kh.3 đ.a")]),
    ("hoi nghi thanh lap htx phai quyet nhung viec gi", "nghi-quyet-thanh-lap",
     ["thông qua điều lệ", "Hội đồng quản trị", "Ban kiểm soát", "mỗi người một phiếu", "giao người đi đăng ký"],
     [(LAW, "Điều 39 kh.1–5")]),
    ("dieu le htx can bao nhieu noi dung", "dieu-le", ["19 nhóm nội dung"], [(LAW, "Điều 40 kh.1–19")]),
    ("dang ky htx phai nop nhung giay to nao", "ho-so-dang-ky",
     ["Giấy đề nghị đăng ký", "Điều lệ", "Nghị quyết hội nghị thành lập",
      "Danh sách thành viên chính thức và thành viên liên kết góp vốn", "số định danh cá nhân",
      "giấy chứng nhận đăng ký đầu tư"], [(LAW, "Điều 42 kh.2"), (ND295, "Điều 33 kh.1")]),
    ("dang ky to hop tac can nhung giay gi va bao lau co giay", "ho-so-to-hop-tac",
     ["danh sách thành viên", "văn bản ủy quyền", "5 ngày làm việc", "2 ngày làm việc"],
     [(ND295, "Điều 59 kh.1"), (ND295, "Điều 59 kh.2")]),
    ("to hop tac nao thi bat buoc phai dang ky", "dang-ky-to-hop-tac", ["từ 12 tháng", "hỗ trợ của Nhà nước"],
     [(LAW, "Điều 107 kh.2")]),
    ("ai la nguoi duoc di nop ho so dang ky htx", "nguoi-nop-ho-so", ["nghị quyết hội nghị thành lập"],
     [(ND295, "Điều 12 kh.1"), (LAW, "Điều 39 kh.3 đ.d")]),
    ("nop ho so thanh lap hop tac xa o co quan nao", "noi-nop-ho-so",
     ["cơ quan đăng ký kinh doanh cấp xã", "UBND xã", "Bộ phận một cửa"], [(ND295, "Điều 5"), (ND295, "Điều 19 kh.1")]),
    ("nop ho so o xa khac trong tinh co duoc khong", "nop-xa-khac", ["bất kỳ", "trong tỉnh"], [(ND295, "Điều 4 kh.7")]),
    ("nop ho so htx qua mang hay buu dien duoc khong", "cach-nop",
     ["trực tiếp", "bưu chính", "trực tuyến", "VNeID", "Hệ thống thông tin về đăng ký hợp tác xã"],
     [(LAW, "Điều 41 kh.2"), (ND295, "Điều 3 kh.3")]),
    ("nop ho so htx bao nhieu ngay thi co giay", "thoi-gian-xu-ly", ["3 ngày làm việc", "2 ngày làm việc"],
     [(LAW, "Điều 42 kh.4"), (ND295, "Điều 59 kh.2")]),
    ("ho so thieu thi bao lau duoc bao va co bao nhieu ngay de sua", "ho-so-chua-hop-le",
     ["3 ngày làm việc", "60 ngày"], [(ND295, "Điều 21 kh.1"), (ND295, "Điều 19 kh.6")]),
    ("le phi dang ky hop tac xa do ai quy dinh", "le-phi",
     ["HĐND tỉnh", "không hoàn lại", "tổ hợp tác không mất lệ phí", "miễn lệ phí"],
     [(ND295, "Điều 22 kh.1"), (LAW, "Điều 22 kh.2"), (LAW, "Điều 109")]),
    ("to hop tac muon chuyen len hop tac xa can dieu kien gi", "chuyen-tht-thanh-htx",
     ["đã có giấy chứng nhận đăng ký", "từ 12 tháng", "tất cả thành viên đồng ý", "miễn thuế môn bài 3 năm"],
     [(LAW, "Điều 108 kh.1"), (LAW, "Điều 109")]),
    ("giay chung nhan htx cap truoc day con gia tri khong", "giay-chung-nhan-cu",
     ["Vẫn còn giá trị", "đăng ký thay đổi"], [(ND295, "Điều 68 kh.1")]),
    ("sap nhap xa lam doi dia chi htx co phai dang ky thay doi khong", "doi-dia-chi-sap-nhap",
     ["Không phải đăng ký thay đổi"], [(ND295, "Điều 47 kh.2")]),
    ("ten hop tac xa phai dat the nao", "dat-ten", ["Hợp tác xã", "không được trùng", "gây nhầm lẫn"],
     [(LAW, "Điều 50"), (ND295, "Điều 15"), (ND295, "Điều 17")]),
    ("ten htx co duoc dung ky hieu khong", "ten-ky-tu", ["ký hiệu", "F, J, Z, W", "không phải quy định"],
     [(LAW, "Điều 50 kh.1 đ.b")]),
    ("ten viet tat cua htx co bat buoc khong", "ten-viet-tat", ["không bắt buộc", "Hợp tác xã"],
     [(LAW, "Điều 50 kh.3")]),
    ("htx doi ten thi may ngay phai dang ky thay doi", "thay-doi-dang-ky", ["10 ngày", "5%", "1 tỷ đồng"],
     [(LAW, "Điều 47 kh.1")]),
    ("xem thong tin dang ky cua htx tren trang nao", "tra-cuu-htx", ["dangkykinhdoanh.gov.vn"], [(ND295, "Điều 29")]),
    ("nghi dinh 92/2024 ve dang ky htx con ap dung khong", "nghi-dinh-295",
     ["Nghị định 295/2026/NĐ-CP", "23/07/2026", "thay thế Nghị định 92/2024/NĐ-CP"], [(ND295, "Điều 69 kh.1")]),
    ("htx dang bi xu phat hanh chinh thi co duoc nha nuoc ho tro khong", "dieu-kien-ho-tro",
     ["Không đang bị xử phạt hành chính", "không đang chấp hành án hình sự", "báo cáo kiểm toán"],
     [(LAW, "Điều 18 kh.1")]),
    ("to hop tac chi can giay chung nhan la duoc ho tro dung khong", "ho-tro-to-hop-tac",
     ["giấy chứng nhận đăng ký", "Chỉ có giấy chứng nhận thì chưa đủ"], [(LAW, "Điều 18 kh.2")]),
    ("luat htx co nhung chinh sach ho tro gi", "chinh-sach-ho-tro",
     ["đất đai", "thuế, phí, lệ phí", "tín dụng, bảo hiểm", "chuyển đổi số", "xúc tiến thương mại",
      "hạ tầng, trang thiết bị", "nông nghiệp", "Quỹ hỗ trợ phát triển HTX"], [(LAW, "Điều 20–29")]),
    ("han cuoi cap nhat thong tin htx hang nam la ngay nao", "cap-nhat-hang-nam",
     ["chậm nhất ngày 15/12", "VII-1", "VII-2", "VII-3", "Hệ thống thông tin quốc gia về hợp tác xã"],
     [(TT09, "Điều 6 kh.1"), (LAW, "Điều 13")]),
    ("phap luat co bat htx bao cao hang thang khong", "bao-cao-thang-co-bat-buoc",
     ["không bắt", "chậm nhất ngày 15/12", "tự nguyện"], [(LAW, "Điều 10 kh.13"), (ND295, "Điều 7 kh.6")]),
]


@pytest.mark.parametrize(("question", "entry_id", "phrases", "articles"), FACTS, ids=[f[1] for f in FACTS])
def test_a_question_about_a_verified_fact_gets_it_plainly_with_its_article(knowledge, question, entry_id, phrases,
                                                                            articles):
    match = knowledge.match(question)
    assert match.entry is not None and match.entry.id == entry_id, (question, match.entry and match.entry.id)
    answer = match.entry.answer
    for phrase in phrases:
        assert phrase in answer, phrase
    cited = {(c.text, c.article): c.status for c in match.entry.citations}
    for text, article in articles:
        assert cited.get((text, article)) == "verified", (text, article)
    if set(cited.values()) == {"verified"}:
        assert not has_hedge(answer)  # a verified fact is stated plainly
    shown = render_answer(match)
    for _, article in articles:
        assert format_article(article) in shown, article


def test_every_entry_id_named_here_and_in_the_question_set_exists(knowledge):
    assert {f[1] for f in FACTS} <= set(knowledge.by_id)
