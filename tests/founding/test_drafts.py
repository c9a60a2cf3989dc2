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


def test_an_htx_gets_a_member_list_a_resolution_and_a_charter():
    docs = drafts(HTX, FOUNDERS)
    assert [d.filename for d in docs] == [
        "danh-sach-thanh-vien-hop-tac-xa-nong-nghiep-dong-tam.docx",
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


def test_the_resolution_names_the_representative_and_the_filer():
    text = text_of(drafts(HTX, FOUNDERS)[1])
    assert "Người đại diện theo pháp luật: Nguyễn Thị Ánh Hồng." in text
    assert "Ủy quyền cho Trần Văn Đức nộp hồ sơ" in text
    assert "Nghị định 92/2024/NĐ-CP, Điều 11" in text
    assert "Phường Hoàn Kiếm, Thành phố Hà Nội" in text
    assert "1,25 tỷ đồng" in text


def test_the_charter_skeleton_has_the_sections_article_40_requires():
    text = text_of(drafts(HTX, FOUNDERS)[2])
    for heading in (
        "Tên, địa chỉ trụ sở chính, biểu tượng",
        "Ngành, nghề kinh doanh",
        "Điều kiện trở thành thành viên và thủ tục kết nạp",
        "Chấm dứt tư cách thành viên",
    ):
        assert heading in text
    assert "Luật Hợp tác xã 2023, Điều 40" in text
    assert "cần xác minh" in text


def test_a_to_hop_tac_gets_a_member_list_and_a_cooperation_contract():
    docs = drafts(
        {"form": "to_hop_tac", "members": 2, "name": "Tổ hợp tác Rau sạch Tân Phú"},
        [{"name": "Phạm Văn Mười"}, {"name": "Đỗ Thị Hương"}],
    )
    assert [d.filename.split("-to-hop-tac")[0] for d in docs] == ["danh-sach-thanh-vien", "hop-dong-hop-tac"]
    assert "DANH SÁCH THÀNH VIÊN TỔ HỢP TÁC" in text_of(docs[0])
    assert "Đỗ Thị Hương" in text_of(docs[0])
    assert MARK in text_of(docs[1]) and "HỢP ĐỒNG HỢP TÁC" in text_of(docs[1])


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
