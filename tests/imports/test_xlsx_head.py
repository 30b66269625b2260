"""The head of a big .xlsx, read from a copy whose big sheets are cut after their first rows: the
same rows, merged cells and row count as reading the whole file."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
import xlsxwriter

from nhandao.imports import xlsx_head
from nhandao.imports.readers import ImportFileError, read_table

ROWS = 3000


def _book(*, constant_memory: bool) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": constant_memory})
    for name in ("Ghi chú", "Danh sách"):
        sheet = book.add_worksheet(name)
        bold = book.add_format({"bold": True})
        day = book.add_format({"num_format": "dd/mm/yyyy"})
        sheet.merge_range(0, 0, 0, 4, f"DANH SÁCH HỘ NGHÈO — {name.upper()}", bold)
        sheet.write_row(2, 0, ["STT", "Họ và tên", "Ngày sinh", "Địa chỉ", "Ghi chú"], bold)
        for i in range(ROWS):
            sheet.write_number(3 + i, 0, i + 1)
            sheet.write_string(3 + i, 1, f"Nguyễn Văn Số {i}")
            sheet.write_datetime(3 + i, 2, datetime.date(1950 + i % 50, 1 + i % 12, 1), day)
            sheet.write_string(3 + i, 3, f"Thôn {i % 9}, xã Vĩnh Thủy")
        sheet.merge_range(ROWS + 4, 0, ROWS + 4, 4, "Người lập biểu", bold)
    book.close()
    return buffer.getvalue()


@pytest.mark.parametrize("constant_memory", [False, True], ids=["shared strings", "inline"])
def test_a_cut_head_reads_as_the_whole_file_does(monkeypatch, constant_memory):
    data = _book(constant_memory=constant_memory)
    whole = {
        sheet: read_table(data, "ds.xlsx", sheet=sheet, head_rows=50)
        for sheet in ("Ghi chú", "Danh sách", None)
    }
    monkeypatch.setattr(xlsx_head, "BIG_PART", 10_000)  # both sheets are "big" now
    head = xlsx_head.cut(data, 50)
    assert head is not None

    def sheets_size(book: bytes) -> int:
        infos = zipfile.ZipFile(io.BytesIO(book)).infolist()
        return sum(i.file_size for i in infos if i.filename.startswith("xl/worksheets/"))

    assert sheets_size(head.data) < sheets_size(data) / 20
    assert head.heights == {"Ghi chú": ROWS + 5, "Danh sách": ROWS + 5}
    for sheet, expected in whole.items():
        got = read_table(data, "ds.xlsx", sheet=sheet, head_rows=50)
        assert got.sheet_name == expected.sheet_name and got.sheet_names == expected.sheet_names
        assert got.rows == expected.rows and len(got.rows) == 50
        assert got.rows[3][2] == datetime.date(1950, 1, 1)  # the date style survived the cut
        assert got.merged == expected.merged  # the title and the footer (after the data)
        assert any(m.first_row == ROWS + 4 for m in got.merged)
    # The row limit is still checked at upload, on the real number of rows.
    with pytest.raises(ImportFileError, match=r"3\.005 dòng"):
        read_table(data, "ds.xlsx", head_rows=50, max_rows=2000)


def test_a_sheet_shorter_than_its_head_or_a_small_one_is_not_cut(monkeypatch):
    data = _book(constant_memory=True)
    assert xlsx_head.cut(data, 50) is None  # under BIG_PART: nothing to cut
    monkeypatch.setattr(xlsx_head, "BIG_PART", 10_000)
    assert xlsx_head.cut(data, ROWS + 100) is None  # fewer rows than the head


def test_prefixed_elements_are_cut_too(monkeypatch):
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    rows = "".join(
        f'<x:row r="{r}"><x:c r="A{r}"><x:v>{r}</x:v></x:c></x:row>' for r in range(1, 401)
    )
    sheet = (
        f'<x:worksheet xmlns:x="{main}"><x:sheetData>{rows}<x:row r="900"/></x:sheetData>'
        '<x:mergeCells count="1"><x:mergeCell ref="A1:B1"/></x:mergeCells></x:worksheet>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" '
            f'Type="{rel}/worksheet" Target="/xl/worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<x:workbook xmlns:x="{main}" xmlns:r="{rel}"><x:sheets>'
            '<x:sheet name="DS" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>',
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    monkeypatch.setattr(xlsx_head, "BIG_PART", 1_000)
    head = xlsx_head.cut(buffer.getvalue(), 10)
    assert head is not None and head.heights == {"DS": 900}
    xml = zipfile.ZipFile(io.BytesIO(head.data)).read("xl/worksheets/sheet1.xml").decode()
    assert xml.count("<x:row ") == 10 and '<x:row r="10">' in xml and '<x:row r="11">' not in xml
    assert xml.endswith(
        '</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="A1:B1"/></x:mergeCells>'
        "</x:worksheet>"
    )
