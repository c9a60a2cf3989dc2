"""The .docx drafts open in Word (python-docx), carry the draft marking and the founders' own names."""

import io
import unicodedata

import pytest
from docx import Document as open_docx

from flows.engine.messages import Document
from flows.founding import drafts

MARK = "BẢN NHÁP — cần đối chiếu với cơ quan đăng ký"
HTX = {
    "form": "hop_tac_xa",
    "members": 5,
    "sector": "nong_nghiep",
    "province_code": 1,
    "commune_code": 70,
    "charter_capital": 1_250_000_000,
    "name": "Hợp tác xã Nông nghiệp Đồng Tâm",
}
FOUNDERS = [
    {
        "name": "Nguyễn Thị Ánh Hồng",
        "id_number": "079123456789",
        "address": "Ấp Phước Hậu",
        "contribution": 300_000_000,
        "representative": True,
    },
    {"name": "Trần Văn Đức", "contribution": 250_000_000, "filer": True},
    {"name": "Lê Thị Ngọc Ẩn", "kind": "lien_ket_gop_von", "contribution": 200_000_000},
]


def text_of(document: Document) -> str:
    doc = open_docx(io.BytesIO(document.data))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    parts += [p.text for p in doc.sections[0].header.paragraphs]
    return unicodedata.normalize("NFC", "\n".join(parts))


def test_an_htx_gets_a_member_list_an_application_a_resolution_and_a_charter():
    docs = drafts(HTX, FOUNDERS)
    assert [d.filename for d in docs] == [
        "danh-sach-thanh-vien-hop-tac-xa-nong-nghiep-dong-tam.docx",
        "giay-de-nghi-dang-ky-hop-tac-xa-nong-nghiep-dong-tam.docx",
        "nghi-quyet-hoi-nghi-thanh-lap-hop-tac-xa-nong-nghiep-dong-tam.docx",
        "dieu-le-hop-tac-xa-nong-nghiep-dong-tam.docx",
    ]
    for doc in docs:
        text = text_of(doc)
        assert MARK in text
        assert "Hợp tác xã Nông nghiệp Đồng Tâm" in text
        assert doc.caption


def test_the_member_list_holds_each_founder_with_diacritics_and_shares():
    text = text_of(drafts(HTX, FOUNDERS)[0])
    for founder in FOUNDERS:
        assert founder["name"] in text
    assert "079123456789" in text and "Ấp Phước Hậu" in text
    assert "Thành viên liên kết góp vốn" in text
    assert "300.000.000" in text and "40%" in text  # 300 of 750 million
    assert "Tổng vốn góp: 750.000.000 đồng" in text


def test_the_application_is_a_marked_draft_with_the_group_s_answers():
    text = text_of(drafts(HTX, FOUNDERS)[1])
    assert MARK in text and "GIẤY ĐỀ NGHỊ ĐĂNG KÝ HỢP TÁC XÃ" in text
    assert "Tôi là Trần Văn Đức, đề nghị đăng ký hợp tác xã" in text
    assert "Tên tiếng Việt: Hợp tác xã Nông nghiệp Đồng Tâm." in text and "Tên viết tắt (nếu có)" in text
    assert "Phường Hoàn Kiếm, Thành phố Hà Nội" in text and "Vốn điều lệ: 1,25 tỷ đồng." in text
    assert "Số thành viên chính thức: 5." in text
    assert "Người đại diện theo pháp luật: Nguyễn Thị Ánh Hồng." in text
    assert "Căn cứ: Luật Hợp tác xã 2023, Điều 42 khoản 2" in text
    assert "không phải mẫu chính thức" in text and "Thông tư 09/2024/TT-BKHĐT" in text
    assert "NGƯỜI ĐỀ NGHỊ\n(ký, ghi rõ họ tên)" in text


def test_the_resolution_holds_what_the_official_members_decide():
    text = text_of(drafts(HTX, FOUNDERS)[2])
    assert "Căn cứ: Luật Hợp tác xã 2023, Điều 39 khoản 3–5" in text
    for decided in (
        "Điều 5. Phương án sản xuất, kinh doanh",
        "Quyết định phương án sản xuất, kinh doanh",
        "Bầu Hội đồng quản trị gồm",
        "Bầu Chủ tịch Hội đồng quản trị",
        "bầu Giám đốc",
        "Bầu Ban kiểm soát gồm",
        "kiểm soát viên",
        "Điều 8. Định giá tài sản góp vốn",
        "Mỗi thành viên chính thức có một phiếu biểu quyết",
    ):
        assert decided in text, decided
    assert "Người đại diện theo pháp luật: Nguyễn Thị Ánh Hồng." in text
    assert "Ủy quyền cho Trần Văn Đức thực hiện thủ tục đăng ký hợp tác xã" in text
    assert "Căn cứ: Luật Hợp tác xã 2023, Điều 39 khoản 3; Nghị định 295/2026/NĐ-CP, Điều 12 khoản 1" in text
    assert "Phường Hoàn Kiếm, Thành phố Hà Nội" in text
    assert "1,25 tỷ đồng" in text
    assert "92/2024" not in text


def test_the_charter_skeleton_has_the_sections_article_40_requires():
    text = text_of(drafts(HTX, FOUNDERS)[3])
    for heading in (
        "Tên, địa chỉ trụ sở chính, biểu tượng",
        "Ngành, nghề kinh doanh",
        "Điều kiện trở thành thành viên và thủ tục kết nạp",
        "Chấm dứt tư cách thành viên",
    ):
        assert heading in text
    assert "Căn cứ: Luật Hợp tác xã 2023, Điều 40" in text
    assert "19 nội dung tối thiểu" in text and "Mức góp vốn tối thiểu, tối đa của một thành viên" in text
    assert "không quá 6 tháng kể từ ngày được cấp giấy chứng nhận" in text


def test_a_to_hop_tac_gets_a_member_list_an_application_a_contract_and_an_authorisation():
    docs = drafts(
        {"form": "to_hop_tac", "members": 2, "name": "Tổ hợp tác Rau sạch Tân Phú"},
        [{"name": "Phạm Văn Mười", "filer": True}, {"name": "Đỗ Thị Hương"}],
    )
    assert [d.filename.split("-to-hop-tac")[0] for d in docs] == [
        "danh-sach-thanh-vien", "giay-de-nghi-dang-ky", "hop-dong-hop-tac", "van-ban-uy-quyen"]
    members, application, contract, authorisation = (text_of(d) for d in docs)
    assert "DANH SÁCH THÀNH VIÊN TỔ HỢP TÁC" in members and "Đỗ Thị Hương" in members
    assert "Căn cứ: Nghị định 295/2026/NĐ-CP, Điều 59 khoản 1" in members
    assert "GIẤY ĐỀ NGHỊ ĐĂNG KÝ TỔ HỢP TÁC" in application and "Vốn điều lệ" not in application
    assert "Thời hạn hợp đồng hợp tác" in application
    assert MARK in contract and "HỢP ĐỒNG HỢP TÁC" in contract
    assert "Nghị định 294/2026/NĐ-CP" in contract and "cần xác minh với cơ quan đăng ký" in contract
    assert "VĂN BẢN ỦY QUYỀN" in authorisation and "Ông/bà: Phạm Văn Mười." in authorisation
    assert "Căn cứ: Nghị định 295/2026/NĐ-CP, Điều 59 khoản 1" in authorisation


def test_drafts_print_the_name_as_written_properly_not_as_typed():
    typed = HTX | {"name": "htx nong nghiep long hiep", "province_code": 86, "commune_code": 29506}
    docs = drafts(typed, FOUNDERS)
    for doc in docs:
        text = text_of(doc)
        assert "Hợp tác xã Nông nghiệp Long Hiệp" in text and "nong nghiep" not in text
        assert doc.filename.endswith("-hop-tac-xa-nong-nghiep-long-hiep.docx")
    assert "Thông qua tên: Hợp tác xã Nông nghiệp Long Hiệp." in text_of(docs[2])


def test_without_founders_the_list_has_blank_rows_and_the_text_has_blanks_to_fill():
    docs = drafts({"form": "lien_hiep", "name": ""})
    table = open_docx(io.BytesIO(docs[0].data)).tables[0]
    assert len(table.rows) == 6  # header + 5 blank rows
    assert "…" in text_of(docs[1])
    assert docs[0].filename == "danh-sach-thanh-vien-nhap.docx"


def test_names_typed_in_decomposed_unicode_or_with_control_characters_come_out_clean():
    decomposed = unicodedata.normalize("NFD", "Hợp tác xã Đồng Tâm") + "\x00\x0b"
    docs = drafts(HTX | {"name": decomposed}, [{"name": unicodedata.normalize("NFD", "Võ Thị Sáu\x07")}])
    raw = open_docx(io.BytesIO(docs[0].data)).paragraphs
    assert any(p.text == "Hợp tác xã Đồng Tâm" for p in raw)  # stored composed (NFC), not only readable
    cells = [c.text for row in open_docx(io.BytesIO(docs[0].data)).tables[0].rows for c in row.cells]
    assert "Võ Thị Sáu" in cells


def test_drafts_need_a_form():
    with pytest.raises(ValueError):
        drafts({"form": "chua_ro"})
