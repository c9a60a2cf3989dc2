"""Importing the cooperative list: bad rows are all reported and nothing is imported; re-import changes nothing."""

import io

from openpyxl import Workbook
from sqlalchemy import func, select

from db.models.registry import Cooperative
from flows.officials.importer import import_cooperatives
from tests.registry.world import CAN_THO, HANOI, HOAN_KIEM, NINH_KIEU

GOOD_ROWS = [
    ["HTX Nông nghiệp Hoàn Kiếm", "Hợp tác xã", "0101234567", "Thành phố Hà Nội", "Phường Hoàn Kiếm", "Nông nghiệp"],
    ["Tổ hợp tác Rau sạch", "tổ hợp tác", "", "ha noi", "hoan kiem", "nong nghiep"],
    ["Liên hiệp HTX Cần Thơ", "LH HTX", "1800000001", "92", "31135", "Thương mại"],
]
HEADER = ["Tên HTX", "LOẠI HÌNH", "Mã số", "Tỉnh/Thành phố", "Xã/Phường", "Lĩnh vực"]


def _xlsx(rows) -> bytes:
    book = Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv(rows, sep=",") -> bytes:
    lines = [sep.join(HEADER)] + [sep.join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


async def _count(session) -> int:
    return await session.scalar(select(func.count()).select_from(Cooperative))


async def test_a_file_with_bad_rows_is_refused_whole_and_every_bad_row_is_named(session):
    rows = GOOD_ROWS + [
        ["HTX Không loại", "công ty", "", "Hà Nội", "Hoàn Kiếm", ""],
        ["HTX Sai tỉnh", "HTX", "", "Tỉnh Hà Tây", "Hoàn Kiếm", ""],
        ["HTX Sai xã", "HTX", "", "Hà Nội", "Phường Ninh Kiều", ""],
        ["", "HTX", "", "Hà Nội", "Hoàn Kiếm", ""],
        ["HTX Trùng số", "HTX", "0101234567", "Hà Nội", "Hoàn Kiếm", ""],
    ]
    report = await import_cooperatives(session, _csv(rows), "ds.csv")
    await session.commit()

    assert not report.ok
    assert [r.row for r in report.rejected] == [5, 6, 7, 8, 9]
    reasons = [r.reason for r in report.rejected]
    assert "loại hình" in reasons[0] and "công ty" in reasons[0]
    assert "Hà Tây" in reasons[1]
    assert "Ninh Kiều" in reasons[2] and "Hà Nội" in reasons[2]
    assert "thiếu" in reasons[3]
    assert "trùng với dòng 2" in reasons[4]
    assert "Dòng 7" in report.text and "chưa nhập dòng nào" in report.text
    assert await _count(session) == 0


async def test_a_clean_file_imports_and_the_same_file_again_changes_nothing(session):
    first = await import_cooperatives(session, _xlsx(GOOD_ROWS), "ds.xlsx")
    await session.commit()
    assert first.ok and (first.created, first.updated, first.unchanged) == (3, 0, 0)
    rows = (await session.scalars(select(Cooperative).order_by(Cooperative.id))).all()
    assert [(c.form, c.province_code, c.commune_code, c.sector) for c in rows] == [
        ("hop_tac_xa", HANOI, HOAN_KIEM, "nong_nghiep"),
        ("to_hop_tac", HANOI, HOAN_KIEM, "nong_nghiep"),
        ("lien_hiep", CAN_THO, NINH_KIEU, "thuong_mai"),
    ]
    assert rows[1].registration_no is None

    again = await import_cooperatives(session, _csv(GOOD_ROWS, sep=";"), "ds.csv")
    await session.commit()
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert await _count(session) == 3
    assert "không đổi 3" in again.text


async def test_a_renamed_cooperative_is_updated_by_its_registration_number(session):
    await import_cooperatives(session, _xlsx(GOOD_ROWS), "ds.xlsx")
    await session.commit()
    renamed = [["HTX Dịch vụ Hoàn Kiếm", *GOOD_ROWS[0][1:]]]
    report = await import_cooperatives(session, _xlsx(renamed), "ds.xlsx")
    await session.commit()
    assert (report.created, report.updated) == (0, 1)
    found = await session.scalar(select(Cooperative).where(Cooperative.registration_no == "0101234567"))
    assert found.name == "HTX Dịch vụ Hoàn Kiếm"
    assert await _count(session) == 3


async def test_communes_differing_only_in_diacritics_need_them(session):
    header_row = [["HTX Văn Lăng", "HTX", "", "Thái Nguyên", "xa van lang", ""]]
    report = await import_cooperatives(session, _csv(header_row), "ds.csv")
    assert not report.ok and "trùng nhiều nơi" in report.rejected[0].reason
    exact = [["HTX Văn Lăng", "HTX", "", "Thái Nguyên", "Xã Văn Lăng", ""]]
    report = await import_cooperatives(session, _csv(exact), "ds.csv")
    assert report.ok and report.created == 1


async def test_a_file_without_the_needed_columns_or_unreadable_is_refused(session):
    report = await import_cooperatives(session, "Tên,Tỉnh\nHTX A,Hà Nội\n".encode(), "ds.csv")
    assert not report.ok and "loại hình" in report.text and "xã" in report.text
    broken = await import_cooperatives(session, b"not a zip", "ds.xlsx")
    assert not broken.ok and "Không đọc được" in broken.text
    assert await _count(session) == 0


async def test_every_sector_label_of_the_founding_guide_is_accepted(session):
    from flows.engine.content import load_yaml

    labels = [s["label"] for s in load_yaml("founding/sectors.yaml")["sectors"]]
    rows = [[f"HTX Lĩnh Vực {n}", "Hợp tác xã", "", "Thành phố Hà Nội", "Phường Hoàn Kiếm", label]
            for n, label in enumerate(labels)]
    report = await import_cooperatives(session, _xlsx(rows), "ds.xlsx")
    assert report.ok, report.text
    await session.commit()
    craft = await session.scalar(select(Cooperative.sector).where(Cooperative.name == f"HTX Lĩnh Vực {labels.index('Tiểu thủ công nghiệp, làng nghề')}"))
    assert craft == "cong_nghiep" and await _count(session) == len(labels)
