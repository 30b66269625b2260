"""read_table: real workbooks and CSV files in, a plain table of cells out; bad files refused with
a Vietnamese message naming the file."""

from __future__ import annotations

import datetime
import time

import pytest
from xlsxwriter.workbook import Workbook

from nhandao.imports import legacy_encoding
from nhandao.imports.readers import (
    CellProblem,
    ImportFileError,
    MergedRange,
    column_letter,
    nfc_lines,
    read_table,
)
from tests.imports.workbooks import (
    csv_text,
    docx_like,
    encrypted_ooxml,
    ods,
    simple_xlsx,
    to_cp1258,
    write_rows,
    xlsx,
    zip_bomb,
)

HEADER = ["STT", "Họ và tên", "Năm sinh", "Giới tính", "Địa chỉ"]
PEOPLE = [
    [1, "Nguyễn Văn An", 1950, "Nam", "Thôn 3, xã Vĩnh Thủy, huyện Vĩnh Linh, tỉnh Quảng Trị"],
    [2, "Trần Thị Bích", 1962, "Nữ", "Thôn Hiền Lương, xã Vĩnh Thủy, Quảng Trị"],
]


def expect_error(code: str, data: bytes, filename: str, **kwargs: object) -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        read_table(data, filename, **kwargs)  # type: ignore[arg-type]
    error = caught.value
    assert error.code == code, error.message
    assert f"«{filename}»" in error.message
    assert error.extra["filename"] == filename
    return error


# --- column letters --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "letter"),
    [(0, "A"), (1, "B"), (25, "Z"), (26, "AA"), (27, "AB"), (51, "AZ"), (701, "ZZ"), (702, "AAA")],
)
def test_column_letter(index: int, letter: str) -> None:
    assert column_letter(index) == letter


def test_column_letter_refuses_negative() -> None:
    with pytest.raises(ValueError):
        column_letter(-1)


# --- workbooks -------------------------------------------------------------------------------


def titled_list(workbook: Workbook) -> None:
    """Titles in merged cells, an empty row, the header on row 5, two people, a footer."""
    sheet = workbook.add_worksheet("DS")
    sheet.merge_range("A1:B1", "HỘI CHỮ THẬP ĐỎ XÃ HÒA AN")
    sheet.merge_range("D1:E1", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    sheet.merge_range("A3:E3", "DANH SÁCH NHẬN QUÀ TẾT NĂM 2025")
    write_rows(sheet, [HEADER, *PEOPLE], first_row=4)
    sheet.write_string("B9", "Người lập biểu")


def test_xlsx_with_titles_and_merged_cells() -> None:
    table = read_table(xlsx(titled_list), "danh_sach.xlsx")
    assert table.file_format == "xlsx"
    assert table.sheet_name == "DS"
    assert table.sheet_names == ["DS"]
    assert table.merge_info is True
    assert MergedRange(0, 0, 0, 1) in table.merged
    # Row numbers are Excel's: rows[4] is row 5, the header.
    assert table.rows[4] == HEADER
    assert table.rows[5] == [1.0, *PEOPLE[0][1:2], 1950.0, "Nam", PEOPLE[0][4]]
    # The merged title reads the same in every column it spans; row 2 is empty.
    assert table.rows[0] == [
        "HỘI CHỮ THẬP ĐỎ XÃ HÒA AN",
        "HỘI CHỮ THẬP ĐỎ XÃ HÒA AN",
        None,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    ]
    assert table.rows[1] == [None] * 5
    assert table.rows[2] == ["DANH SÁCH NHẬN QUÀ TẾT NĂM 2025"] * 5
    assert table.merged_origin(2, 3) == (2, 0)
    assert table.merged_origin(2, 0) is None
    assert table.rows[-1] == [None, "Người lập biểu", None, None, None]
    assert all(len(row) == 5 for row in table.rows)
    assert table.source_encoding is None
    assert table.cell_problems == []


# Spreadsheets hold naive wall-clock date-times.
STAMP = datetime.datetime(2025, 1, 2, 8, 30)  # noqa: DTZ001


def test_value_merged_down_over_data_rows_is_copied_and_traceable() -> None:
    def build(workbook: Workbook) -> None:
        sheet = workbook.add_worksheet("DS")
        write_rows(sheet, [["Họ và tên", "Địa chỉ", "Số tiền"], ["Nguyễn Văn An"], ["Lê Thị Ba"]])
        sheet.merge_range("B2:B3", "Thôn 3, xã Vĩnh Thủy")  # one household, two members
        sheet.merge_range("C2:C3", 500000)

    table = read_table(xlsx(build), "ho.xlsx")
    assert table.rows[1] == ["Nguyễn Văn An", "Thôn 3, xã Vĩnh Thủy", 500000.0]
    assert table.rows[2] == ["Lê Thị Ba", "Thôn 3, xã Vĩnh Thủy", 500000.0]
    assert table.merged_origin(2, 2) == (1, 2)  # a copy: not a second 500.000 đ
    assert table.merged_origin(1, 2) is None


def test_cell_values_keep_their_types() -> None:
    def build(workbook: Workbook) -> None:
        sheet = workbook.add_worksheet()
        date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
        time_format = workbook.add_format({"num_format": "hh:mm"})
        stamp_format = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
        sheet.write_number("A1", 1)
        sheet.write_number("B1", 2.5)
        sheet.write_datetime("C1", datetime.date(1960, 3, 5), date_format)
        sheet.write_datetime("D1", STAMP, stamp_format)
        sheet.write_boolean("E1", True)
        sheet.write_formula("F1", "=A1*2", None, 2)
        sheet.write_string("G1", "=SUM(A1:A2)")
        sheet.write_string("H1", "  Nguye\u0302\u0303n   Văn\u200b An \n")
        sheet.write_string("I1", "   ")
        sheet.write_datetime("J1", datetime.time(10, 30), time_format)
        sheet.write_string("K1", "093048000321")

    row = read_table(xlsx(build), "kieu.xlsx").rows[0]
    assert row[0] == 1.0 and isinstance(row[0], float)  # whole numbers stay floats
    assert row[1] == 2.5
    assert row[2] == datetime.date(1960, 3, 5)
    assert row[3] == STAMP
    assert row[4] is True
    assert row[5] == 2.0  # the cached value of the formula
    assert row[6] == "=SUM(A1:A2)"  # text that looks like a formula stays text
    assert row[7] == "Nguyễn Văn An"  # NFC, trimmed, one space, zero-width removed
    assert row[8] is None
    assert row[9] == "10:30"
    assert row[10] == "093048000321"  # leading zero kept: it is text


def test_sheet_selection() -> None:
    def build(workbook: Workbook) -> None:
        workbook.add_worksheet("Trống")
        hidden = workbook.add_worksheet("Ẩn")
        write_rows(hidden, [["ẩn"]])
        hidden.hide()
        write_rows(workbook.add_worksheet("Danh sách"), [HEADER, *PEOPLE])
        write_rows(workbook.add_worksheet("Tổng hợp"), [["Tổng", 2]])

    data = xlsx(build)
    assert read_table(data, "f.xlsx").sheet_name == "Danh sách"  # first visible with data
    assert read_table(data, "f.xlsx", sheet="Tổng hợp").rows == [["Tổng", 2.0]]
    assert read_table(data, "f.xlsx", sheet="TONG HOP").sheet_name == "Tổng hợp"
    assert read_table(data, "f.xlsx", sheet=3).sheet_name == "Tổng hợp"
    assert read_table(data, "f.xlsx").sheet_names == ["Trống", "Ẩn", "Danh sách", "Tổng hợp"]
    error = expect_error("sheet_not_found", data, "f.xlsx", sheet="Quà Tết")
    assert "«Quà Tết»" in error.message and "«Danh sách»" in error.message
    error = expect_error("sheet_not_found", data, "f.xlsx", sheet=7)
    assert "trang thứ 8" in error.message
    error = expect_error("no_rows", data, "f.xlsx", sheet="Trống")
    assert "«Trống»" in error.message


def test_xlsm_extension() -> None:
    table = read_table(simple_xlsx([HEADER, *PEOPLE]), "macro.xlsm")
    assert table.file_format == "xlsm"
    assert table.rows[0] == HEADER


def test_ods_is_read_without_merge_information() -> None:
    data = ods(
        [
            [("HỘI CHỮ THẬP ĐỎ XÃ HÒA AN", 3)],
            [None],
            ["STT", "Họ và tên", "Năm sinh"],
            [1, "Nguyễn Văn An", 1950],
        ],
        sheet_name="Quà Tết",
    )
    table = read_table(data, "danh_sach.ods")
    assert table.file_format == "ods"
    assert table.sheet_name == "Quà Tết"
    assert table.merge_info is False
    assert table.rows[2] == ["STT", "Họ và tên", "Năm sinh"]
    assert table.rows[3] == [1.0, "Nguyễn Văn An", 1950.0]


def test_tcvn3_column_in_a_workbook_is_converted() -> None:
    names = ["Nguyễn Văn An", "Đặng Văn Lâm", "Trần Thị Ngọc Ánh", "Lê Quảng Trị"]
    rows: list[list[str | None]] = [["Họ và tên", "Ghi chú"]]
    rows += [[legacy_encoding.encode(n, "tcvn3"), "Café"] for n in names]
    table = read_table(simple_xlsx(rows), "abc.xlsx")
    assert [r[0] for r in table.rows[1:]] == names
    assert [r[1] for r in table.rows[1:]] == ["Café"] * 4  # French stays French
    assert table.legacy_encoding == "tcvn3"
    assert table.source_encoding == "tcvn3"


def test_long_cell_is_cut_and_noted_not_refused() -> None:
    # Excel keeps at most 32,767 characters in a cell (xlsxwriter cuts there too).
    rows: list[list[str | int | None]] = [HEADER, [1, "Nguyễn Văn An", "x" * 32_767, "Nam", ""]]
    table = read_table(simple_xlsx(rows, sheet_name="DS"), "dai.xlsx")
    value = table.rows[1][2]
    assert isinstance(value, str) and len(value) == 10_000
    assert len(table.cell_problems) == 1
    problem = table.cell_problems[0]
    assert isinstance(problem, CellProblem)
    assert (problem.row, problem.col, problem.excel_row, problem.column) == (1, 2, 2, "C")
    for part in ("Ô C2", "dòng 2", "cột C", "trang «DS»", "tệp «dai.xlsx»", "32.767", "10.000"):
        assert part in problem.message


def test_100_000_character_cell_in_a_csv() -> None:
    text = csv_text([["STT", "Họ và tên", "Ghi chú"], ["1", "Nguyễn Văn An", "ư" * 100_000]])
    table = read_table(text.encode("utf-8"), "dai.csv")
    assert table.rows[1][2] == "ư" * 10_000
    [problem] = table.cell_problems
    assert (problem.excel_row, problem.column) == (2, "C")
    assert "dài 100.000 ký tự" in problem.message and "tệp «dai.csv»" in problem.message
    assert "trang" not in problem.message  # a CSV file has no sheets


def test_100_000_character_cell_in_an_ods() -> None:
    table = read_table(ods([["Họ và tên"], ["a" * 100_000]], sheet_name="DS"), "dai.ods")
    assert table.rows[1][0] == "a" * 10_000
    [problem] = table.cell_problems
    assert "Ô A2" in problem.message and "trang «DS»" in problem.message


def test_where_describes_a_cell_for_messages() -> None:
    table = read_table(xlsx(titled_list), "danh_sach.xlsx")
    assert table.where(7, 2) == "dòng 8, cột C, trang «DS», tệp «danh_sach.xlsx»"
    assert table.where(7) == "dòng 8, trang «DS», tệp «danh_sach.xlsx»"
    csv_table = read_table(b"a,b\n1,2\n", "ds.csv")
    assert csv_table.where(1, 1) == "dòng 2, cột B, tệp «ds.csv»"


# --- CSV -------------------------------------------------------------------------------------


CSV_ROWS = [
    ["STT", "Họ và tên", "Địa chỉ"],
    ["1", "Nguyễn Văn An", "Thôn 3, xã Vĩnh Thủy, huyện Vĩnh Linh, Quảng Trị"],
    ["2", "Đặng Thị Lâm", "Ấp Hòa Lợi, xã Hòa An, huyện Phụng Hiệp, tỉnh Hậu Giang"],
]


def test_csv_utf8_with_bom_and_commas() -> None:
    data = b"\xef\xbb\xbf" + csv_text(CSV_ROWS).encode("utf-8")
    table = read_table(data, "ds.csv")
    assert table.rows == CSV_ROWS
    assert (table.file_format, table.charset, table.delimiter) == ("csv", "utf-8-sig", ",")
    assert table.sheet_name == ""


def test_csv_utf8_semicolon_with_unquoted_commas() -> None:
    # Excel in Vietnamese regional settings writes ";" and leaves the commas of addresses alone.
    text = "\r\n".join(";".join(row) for row in CSV_ROWS)
    table = read_table(text.encode("utf-8"), "ds.csv")
    assert table.delimiter == ";"
    assert table.charset == "utf-8"
    assert table.rows == CSV_ROWS


def test_txt_utf16_tab_delimited() -> None:
    # Excel's "Unicode Text" export: UTF-16 with BOM, tab-delimited, .txt.
    data = csv_text(CSV_ROWS, delimiter="\t").encode("utf-16")
    table = read_table(data, "ds.txt")
    assert (table.charset, table.delimiter) == ("utf-16", "\t")
    assert table.rows == CSV_ROWS


def test_csv_windows_1258() -> None:
    data = to_cp1258(csv_text(CSV_ROWS))
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    table = read_table(data, "ds.csv")
    assert table.charset == "cp1258"
    assert table.rows == CSV_ROWS


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_csv_in_a_legacy_font_encoding(encoding: str) -> None:
    legacy = [[legacy_encoding.encode(v, encoding) for v in row] for row in CSV_ROWS]
    data = csv_text(legacy, delimiter=";").encode("cp1252")
    table = read_table(data, "cu.csv")
    assert table.charset == "cp1252"
    assert table.legacy_encoding == encoding
    assert table.source_encoding == encoding
    assert table.rows == CSV_ROWS


def test_csv_latin1_fallback_and_ragged_rows() -> None:
    data = "a;b;c\r\n1;2\r\n\x81x;y;z;w\r\n".encode("latin-1")
    table = read_table(data, "x.csv")
    assert table.charset in ("latin-1", "cp1258")
    assert [len(r) for r in table.rows] == [4, 4, 4]
    assert table.rows[1] == ["1", "2", None, None]


# --- bad files -------------------------------------------------------------------------------


def test_empty_file() -> None:
    error = expect_error("empty", b"", "rong.xlsx")
    assert "rỗng" in error.message


@pytest.mark.parametrize("filename", ["ds.docx", "ds.pdf", "ds", "ds.numbers"])
def test_unsupported_extension(filename: str) -> None:
    error = expect_error("unsupported_type", b"data", filename)
    assert ".xlsx" in error.message and ".csv" in error.message


def test_pdf_renamed_to_xlsx() -> None:
    error = expect_error("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "danh_sach.xlsx")
    assert "PDF" in error.message


@pytest.mark.parametrize(
    "content",
    [
        b"<html><body><table><tr><td>H\xe1\xbb\x8d t\xc3\xaan</td></tr></table></body></html>",
        b"\xef\xbb\xbf<!DOCTYPE html>\n<html><table></table></html>",
        b"  <table border=1><tr><td>STT</td></tr></table>",
        "<html><table><tr><td>STT</td></tr></table></html>".encode("utf-16"),
        b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=x\r\n",
    ],
)
def test_html_saved_as_xls(content: bytes) -> None:
    error = expect_error("html", content, "bao_cao.xls")
    assert "HTML" in error.message and ".xls" in error.message
    assert "Save As" in error.message


def test_xml_spreadsheet_2003_saved_as_xls() -> None:
    content = (
        b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>'
    )
    error = expect_error("xml_spreadsheet", content, "xuat.xls")
    assert "XML" in error.message


def test_other_xml_saved_as_xlsx() -> None:
    expect_error("not_a_spreadsheet", b'<?xml version="1.0"?><root/>', "du_lieu.xlsx")


def test_stray_value_far_to_the_right() -> None:
    def build(workbook: Workbook) -> None:
        sheet = workbook.add_worksheet("DS")
        write_rows(sheet, [HEADER, *PEOPLE])
        sheet.write_string("XFD3", "x")

    error = expect_error("too_many_cells", xlsx(build), "rong.xlsx", max_rows=100)
    assert "cột XFD" in error.message and "«DS»" in error.message


def test_csv_renamed_to_xlsx() -> None:
    error = expect_error("text_not_workbook", csv_text(CSV_ROWS).encode(), "ds.xlsx")
    assert "CSV" in error.message and ".csv" in error.message


def test_password_protected_xlsx() -> None:
    error = expect_error("encrypted", encrypted_ooxml(), "bi_mat.xlsx")
    assert "mật khẩu" in error.message


def test_truncated_xlsx_is_corrupt() -> None:
    data = simple_xlsx([HEADER, *PEOPLE])
    error = expect_error("corrupt", data[: len(data) // 2], "hong.xlsx")
    assert "bị hỏng" in error.message


def test_garbage_with_ole_signature_is_corrupt() -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8
    expect_error("corrupt", data, "cu.xls")


def test_zip_that_is_not_a_spreadsheet() -> None:
    error = expect_error("not_a_spreadsheet", docx_like(), "thu.xlsx")
    assert "Word" in error.message


def test_binary_garbage_as_csv() -> None:
    expect_error("not_a_spreadsheet", bytes(range(256)) * 4, "anh.csv")


def test_zip_bomb_is_refused_before_parsing() -> None:
    data = zip_bomb(200)
    assert len(data) < 1024 * 1024
    started = time.monotonic()
    error = expect_error("zip_bomb", data, "bom.xlsx")
    assert time.monotonic() - started < 2
    assert "giải nén" in error.message and "200 MB" in error.message


def test_zip_bomb_over_the_total_limit() -> None:
    # 30 MB inflated from a 30 KB file, with a 1 MB upload limit: over 20 × the limit.
    expect_error("zip_bomb", zip_bomb(30), "bom.xlsx", max_bytes=1024 * 1024)


def test_file_over_the_size_limit() -> None:
    data = simple_xlsx([HEADER, *PEOPLE])
    error = expect_error("too_large", data, "lon.xlsx", max_bytes=1000)
    assert "vượt giới hạn" in error.message


def test_too_many_rows_in_a_workbook() -> None:
    rows = [HEADER] + [[i, f"Người {i}", 1950, "Nam", ""] for i in range(1, 30)]
    error = expect_error("too_many_rows", simple_xlsx(rows, "DS"), "dai.xlsx", max_rows=10)
    assert "«DS»" in error.message and "30 dòng" in error.message and "10 dòng" in error.message


def test_too_many_rows_in_a_csv() -> None:
    text = "\n".join(f"{i},Người {i}" for i in range(25))
    error = expect_error("too_many_rows", text.encode(), "dai.csv", max_rows=10)
    assert "25 dòng" in error.message


def test_workbook_without_any_value() -> None:
    error = expect_error("no_rows", simple_xlsx([["", "  "], [None, ""]], "DS"), "trong.xlsx")
    assert "«DS»" in error.message


def test_csv_without_any_value() -> None:
    expect_error("no_rows", b";;;\r\n;;;\r\n\r\n", "trong.csv")


def test_a_csv_with_some_decomposed_lines_is_read_in_nfc():
    import unicodedata

    # "Nguyễn" typed with combining marks (NFD) on some lines, precomposed on others.
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Lành")
    text = f'Họ và tên,Năm sinh\r\n{nfd},1938\r\nTrần Văn Bình,1956\r\n"{nfd}\n{nfd}",1940\r\n'
    assert nfc_lines(text) == unicodedata.normalize("NFC", text)
    assert nfc_lines("ascii only\n") == "ascii only\n"
    table = read_table(text.encode("utf-8"), "ds.csv", max_bytes=10_000)
    cells = [v for row in table.rows for v in row if isinstance(v, str)]
    assert "Nguyễn Thị Lành" in cells
    assert all(unicodedata.is_normalized("NFC", v) for v in cells)
    assert "Nguyễn Thị Lành Nguyễn Thị Lành" in cells  # the quoted cell over two lines, tidied


TRICKY_CELLS = [
    "Nguyễn Văn An",
    "  Nguyễn   Văn An ",
    "Lê\u00a0Thị\u2009Ba",  # no-break and thin spaces
    "Trần\u200bVăn\u00adBình",  # zero-width space, soft hyphen
    "\ufeffPhạm Thị Cúc",  # a byte-order mark pasted in
    "Hồ\x01 Văn\x7f Đức",  # control characters
    "Vũ\tThị\x0bHoa",  # tab and vertical tab
    "Nguye\u0302\u0303n Thị Lành",  # decomposed (NFD) marks
    "Bu\u200b\u0300i Văn Tám",  # a mark after a zero-width space: composes once it is removed
    "\u200b",
    "093048000321",
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_text_cell_is_read_as_nfc_makes_it(fmt: str) -> None:
    from nhandao.core.text import nfc

    rows = [["Họ và tên", "Ghi chú"], *[[cell, f"dòng {i}"] for i, cell in enumerate(TRICKY_CELLS)]]
    if fmt == "csv":
        text = "\r\n".join(",".join(f'"{v}"' for v in row) for row in rows) + "\r\n"
        data, name = text.encode("utf-8"), "ds.csv"
    else:
        data, name = simple_xlsx(rows), "ds.xlsx"
    table = read_table(data, name)
    got = [row[0] for row in table.rows[1:]]
    assert got == [nfc(v) or None for v in TRICKY_CELLS]
    assert got[4] == "Phạm Thị Cúc" and got[8] == "Bùi Văn Tám" and got[9] is None


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_printable_text_is_tidied_as_its_cells_are_read(fmt: str) -> None:
    """No cell needs the last pass: spaces are tidied while the cells are read, as the last pass
    would have done them; an unprintable cell leaves that pass to do, and it is done."""
    from nhandao.core.text import nfc

    def read(rows: list[list[str]]):
        if fmt == "csv":
            text = "\r\n".join(",".join(f'"{v}"' for v in row) for row in rows) + "\r\n"
            return read_table(text.encode("utf-8"), "ds.csv")
        return read_table(simple_xlsx(rows), "ds.xlsx")

    cells = ["  Nguyễn   Văn An ", "Lê Thị Ba", "   ", "", "Nguye\u0302\u0303n  Thị Lành"]
    rows = [["Họ và tên", "Ghi chú"], *[[cell, f"dòng {i}"] for i, cell in enumerate(cells)]]
    table = read(rows)
    assert table.tidy
    assert [row[0] for row in table.rows[1:]] == [nfc(v) or None for v in cells]
    table = read([*rows, ["Vũ\tThị Hoa", "x"]])
    assert not table.tidy and table.rows[-1][0] == "Vũ Thị Hoa"
