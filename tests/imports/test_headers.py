"""Header rows as communes write them: found, mapped, and the data rows under them."""

from __future__ import annotations

import pytest
from xlsxwriter.workbook import Workbook

from nhandao.imports.headers import (
    PERSON_LIST_SPECS,
    ColumnSpec,
    HeaderError,
    apply_mapping,
    data_rows,
    find_header,
    mapping_to_remember,
    shape_signature,
)
from nhandao.imports.readers import Cell, read_table
from tests.imports.workbooks import ods, write_rows, xlsx

SPECS = PERSON_LIST_SPECS


def header_of(*texts: str) -> dict[int, str]:
    return find_header([list(texts)], SPECS).mapping


# --- synonyms --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("Họ và tên", "full_name"),
        ("Họ tên", "full_name"),
        ("HỌ VÀ TÊN", "full_name"),
        ("Ho va ten", "full_name"),
        ("  họ và\ntên ", "full_name"),
        ("Họ và tên người nhận", "full_name"),
        ("Năm sinh", "birth"),
        ("Ngày sinh", "birth"),
        ("Ngày, tháng, năm sinh", "birth"),
        ("Ngày tháng năm sinh (dd/mm/yyyy)", "birth"),
        ("CCCD", "id_number"),
        ("Số CCCD", "id_number"),
        ("Số CCCD/CMND", "id_number"),
        ("CMND/CCCD", "id_number"),
        ("Số định danh", "id_number"),
        ("Số định danh cá nhân", "id_number"),
        ("Số CCCD (12 số)", "id_number"),
        ("Giới tính", "sex"),
        ("Nam/Nữ", "sex"),
        ("NAM/NỮ", "sex"),
        ("Địa chỉ", "address"),
        ("Nơi ở", "address"),
        ("Nơi ở hiện nay", "address"),
        ("Thôn/xóm", "address_detail"),
        ("Thôn", "address_detail"),
        ("Ấp", "address_detail"),
        ("Số điện thoại", "phone"),
        ("SĐT", "phone"),
        ("Điện thoại", "phone"),
        ("Số ĐT liên hệ", "phone"),
        ("Đối tượng", "category"),
        ("Số tiền (đồng)", "amount"),
        ("Họ tên chủ hộ", "household_head"),
    ],
)
def test_header_synonyms(text: str, field: str) -> None:
    mapping = header_of("STT", text)
    assert mapping == {1: field}


def test_longest_match_wins() -> None:
    # "Ngày sinh Nam" is more specific than "Ngày sinh"; "Họ tên chủ hộ" than "Họ tên".
    match = find_header([["Họ tên", "Họ tên chủ hộ", "Ngày sinh", "Ngày sinh Nam"]], SPECS)
    assert match.mapping == {0: "full_name", 1: "household_head", 2: "birth", 3: "birth_male"}


def test_words_inside_a_long_title_do_not_match() -> None:
    rows: list[list[Cell]] = [
        ["DANH SÁCH ĐỐI TƯỢNG NHẬN QUÀ TẾT NHÂN ÁI XUÂN ẤT TỴ NĂM 2025 CỦA XÃ"],
        ["STT", "Họ tên", "Năm sinh"],
    ]
    match = find_header(rows, SPECS)
    assert match.header_row == 1


def test_ignored_sequence_and_unknown_columns() -> None:
    match = find_header(
        [["TT", "Họ và tên", "Năm sinh", "Nghề nghiệp", "Ký nhận", "Ghi chú", ""]], SPECS
    )
    assert match.sequence_column == 0
    assert match.mapping == {1: "full_name", 2: "birth"}
    assert match.unmapped == [(3, "Nghề nghiệp")]
    assert match.ignored == [(4, "Ký nhận"), (5, "Ghi chú")]
    assert match.ok


def test_a_spec_can_claim_an_ignored_header() -> None:
    specs = [*SPECS, ColumnSpec("note", "Ghi chú")]
    match = find_header([["Họ và tên", "Năm sinh", "Ghi chú"]], specs)
    assert match.mapping[2] == "note"
    assert match.ignored == []


# --- header position -------------------------------------------------------------------------


def commune_list(workbook: Workbook) -> None:
    """Titles in merged cells, empty rows, header on row 7, numbering row, data, footer."""
    sheet = workbook.add_worksheet("DS")
    sheet.merge_range("A1:C1", "HỘI CTĐ HUYỆN VĨNH LINH")
    sheet.merge_range("E1:H1", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    sheet.merge_range("A2:C2", "HỘI CTĐ XÃ VĨNH THỦY")
    sheet.merge_range("E2:H2", "Độc lập - Tự do - Hạnh phúc")
    sheet.merge_range("A4:H4", "DANH SÁCH HỘ NGHÈO NHẬN QUÀ TẾT NĂM 2025")
    sheet.merge_range("A5:H5", "(Kèm theo Kế hoạch số 12/KH-CTĐ)")
    rows: list[list[Cell]] = [
        ["STT", "Họ và tên", "Năm sinh", "Giới tính", "Số CCCD", "Địa chỉ", "Số tiền", "Ký nhận"],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)"],
        [1, "Nguyễn Văn An", 1950, "Nam", "045050000111", "Thôn 3", 500000, None],
        [2, "Trần Thị Bích", 1962, "Nữ", None, "Thôn Hiền Lương", 500000, None],
        [None, None, None, None, None, None, None, None],
        [3, "Lê Văn Chủ Tịch", 1970, "Nam", None, "Thôn 1", 500000, None],
        [4, "Võ Thị Dung", "02/03/1955", "Nữ", None, "Thôn 2", 500000, None],
        [None, "Tổng cộng", None, None, None, None, 2000000, None],
        [None, None, None, None, None, "Vĩnh Thủy, ngày 10 tháng 01 năm 2025", None, None],
        [None, "Người lập biểu", None, None, None, "TM. BAN THƯỜNG VỤ", None, None],
        [None, "Nguyễn Thị Em", None, None, None, "Lê Văn Phúc", None, None],
    ]
    write_rows(sheet, rows, first_row=6)


def test_header_on_row_7_under_merged_titles() -> None:
    table = read_table(xlsx(commune_list), "ho_ngheo.xlsx")
    match = find_header(table.rows, SPECS, filename=table.filename, sheet_name=table.sheet_name)
    assert match.header_row == 6 and match.excel_header_row == 7
    assert match.header_rows == (6,)
    assert match.sequence_column == 0
    assert match.mapping == {
        1: "full_name",
        2: "birth",
        3: "sex",
        4: "id_number",
        5: "address",
        6: "amount",
    }
    assert match.ignored == [(7, "Ký nhận")]
    assert match.ok
    assert match.describe_column(2) == "cột C «Năm sinh»"
    rows = data_rows(table.rows, match)
    # Excel row numbers: the numbering row 8 is skipped, blank row 11 too, the footer ends it.
    assert [number for number, _row in rows] == [9, 10, 12, 13]
    assert [row[1] for _n, row in rows] == [
        "Nguyễn Văn An",
        "Trần Thị Bích",
        "Lê Văn Chủ Tịch",
        "Võ Thị Dung",
    ]


def test_header_on_row_5_in_a_csv() -> None:
    text = (
        "HỘI CHỮ THẬP ĐỎ XÃ HÒA AN;;;\r\n;;;\r\nDANH SÁCH NĂM 2025;;;\r\n;;;\r\n"
        "Số TT;Họ tên;Ngày sinh;Nơi ở\r\n1;Nguyễn Văn An;05/03/1960;Ấp Hòa Lợi\r\n"
        ";Người lập biểu;;\r\n"
    )
    table = read_table(text.encode("utf-8"), "ds.csv")
    match = find_header(table.rows, SPECS)
    assert match.excel_header_row == 5
    assert match.sequence_column == 0
    assert data_rows(table.rows, match) == [(6, ["1", "Nguyễn Văn An", "05/03/1960", "Ấp Hòa Lợi"])]


def test_header_found_up_to_max_scan() -> None:
    rows: list[list[Cell]] = [[None]] * 25 + [["STT", "Họ và tên", "Năm sinh"]]
    assert find_header(rows, SPECS).excel_header_row == 26
    rows = [[None]] * 35 + [["STT", "Họ và tên", "Năm sinh"]]
    assert find_header(rows, SPECS, max_scan=40).excel_header_row == 36
    with pytest.raises(HeaderError):
        find_header(rows, SPECS)


def test_no_header_row() -> None:
    rows: list[list[Cell]] = [["Báo cáo tổng hợp"], [1, 2, 3], ["a", "b", "c"]]
    with pytest.raises(HeaderError) as caught:
        find_header(rows, SPECS, filename="bao_cao.xlsx", sheet_name="Sheet1")
    message = caught.value.message
    assert "30 dòng đầu" in message
    assert "trang «Sheet1», tệp «bao_cao.xlsx»" in message
    assert "«Họ và tên»" in message and "«Năm sinh»" in message and "«Số CCCD»" in message


# --- two header rows -------------------------------------------------------------------------


def two_level(workbook: Workbook) -> None:
    """ "STT" and "Họ và tên" merged over two rows; "Năm sinh" over "Nam" | "Nữ";
    "Liên hệ" over "Điện thoại" | "Địa chỉ"."""
    sheet = workbook.add_worksheet("DS")
    sheet.merge_range("A1:F1", "DANH SÁCH NGƯỜI CAO TUỔI")
    sheet.merge_range("A3:A4", "STT")
    sheet.merge_range("B3:B4", "Họ và tên")
    sheet.merge_range("C3:D3", "Năm sinh")
    sheet.write_string("C4", "Nam")
    sheet.write_string("D4", "Nữ")
    sheet.merge_range("E3:F3", "Liên hệ")
    sheet.write_string("E4", "Điện thoại")
    sheet.write_string("F4", "Địa chỉ")
    write_rows(sheet, [[1, "Nguyễn Văn An", 1940, None, "0912345678", "Thôn 3"]], first_row=4)
    write_rows(sheet, [[2, "Trần Thị Bích", None, 1945, None, "Thôn 4"]], first_row=5)


def test_two_header_rows_are_combined() -> None:
    table = read_table(xlsx(two_level), "nct.xlsx")
    match = find_header(table.rows, SPECS)
    assert match.header_rows == (2, 3)
    assert match.excel_header_row == 3
    assert match.data_start == 4
    assert match.header_texts == [
        "STT",
        "Họ và tên",
        "Năm sinh Nam",
        "Năm sinh Nữ",
        "Liên hệ Điện thoại",
        "Liên hệ Địa chỉ",
    ]
    assert match.mapping == {
        1: "full_name",
        2: "birth_male",
        3: "birth_female",
        4: "phone",
        5: "address",
    }
    assert match.sequence_column == 0
    # "birth" is required but the list splits it by sex: reported, not an error.
    assert [spec.field for spec in match.missing_required] == ["birth"]
    assert [n for n, _row in data_rows(table.rows, match)] == [5, 6]


def test_two_header_rows_without_merge_information() -> None:
    data = ods(
        [
            ["STT", "Họ và tên", "Năm sinh", None, "Địa chỉ"],
            [None, None, "Nam", "Nữ", None],
            [1, "Nguyễn Văn An", 1940, None, "Thôn 3"],
        ]
    )
    table = read_table(data, "nct.ods")
    match = find_header(table.rows, SPECS)
    assert match.header_rows == (0, 1)
    assert match.mapping == {1: "full_name", 2: "birth_male", 3: "birth_female", 4: "address"}
    assert data_rows(table.rows, match) == [(3, [1.0, "Nguyễn Văn An", 1940.0, None, "Thôn 3"])]


# --- problems for the user -------------------------------------------------------------------


def test_duplicated_headers_are_reported_not_chosen() -> None:
    match = find_header([["STT", "Họ và tên", "Năm sinh", "Họ tên", "Địa chỉ"]], SPECS)
    assert match.duplicated == [("full_name", [1, 3])]
    assert 1 not in match.mapping and 3 not in match.mapping
    assert match.mapping == {2: "birth", 4: "address"}
    assert match.missing_required == []
    assert not match.ok


def test_missing_required_column_is_reported() -> None:
    match = find_header([["STT", "Họ và tên", "Địa chỉ", "Số CCCD"]], SPECS)
    assert match.mapping == {1: "full_name", 2: "address", 3: "id_number"}
    assert [spec.field for spec in match.missing_required] == ["birth"]
    assert match.missing_required[0].label == "Năm sinh"
    assert not match.ok


# --- remembered mappings ---------------------------------------------------------------------


def test_shape_signature_is_stable() -> None:
    a = shape_signature(["STT", "Họ và tên", "Năm sinh", ""])
    assert a == shape_signature(["stt", "HO VA TEN", " năm  sinh "])
    assert a != shape_signature(["STT", "Năm sinh", "Họ và tên"])
    assert len(a) == 32


def test_apply_a_remembered_mapping() -> None:
    first = ["TT", "Tên người nhận quà", "Sinh", "Ký nhận"]
    remembered = mapping_to_remember(first, {1: "full_name", 2: "birth"})
    assert remembered == {"ten nguoi nhan qua": "full_name", "sinh": "birth"}
    # The next file: same headers, other case and column order.
    assert apply_mapping(["TT", "SINH", "TÊN NGƯỜI NHẬN QUÀ"], remembered) == {
        1: "birth",
        2: "full_name",
    }
    # Two columns with the remembered text: neither is chosen.
    assert apply_mapping(["Sinh", "Sinh"], remembered) == {}


# --- data rows -------------------------------------------------------------------------------


def test_data_rows_skip_repeated_headers_and_group_titles() -> None:
    header: list[Cell] = ["STT", "Họ và tên", "Năm sinh"]
    rows: list[list[Cell]] = [
        header,
        ["ẤP HÒA LỢI", "ẤP HÒA LỢI", "ẤP HÒA LỢI"],  # a merged group title
        [1, "Nguyễn Văn An", 1950],
        header,  # repeated on the next printed page
        [2, "Chủ tịch", 1960],  # data despite the word: it has a number in "STT"
        [3, "Lê Văn Cường", None],
    ]
    match = find_header(rows, SPECS)
    assert [n for n, _row in data_rows(rows, match)] == [3, 5, 6]


def test_data_end_after_many_blank_rows() -> None:
    rows: list[list[Cell]] = [["Họ và tên", "Năm sinh"], ["Nguyễn Văn An", 1950]]
    rows += [[None, None]] * 10 + [["Ghi chú cuối trang", None]]
    match = find_header(rows, SPECS)
    assert [n for n, _row in data_rows(rows, match)] == [2]
    assert [n for n, _row in data_rows(rows, match, max_blank_run=11)] == [2, 13]


@pytest.mark.parametrize(
    "footer",
    [
        "Người lập biểu",
        "NGƯỜI LẬP DANH SÁCH",
        "TM. BAN THƯỜNG VỤ",
        "Xác nhận của UBND xã",
        "Tổng cộng",
        "Cộng",
        "Hòa An, ngày 10 tháng 01 năm 2025",
        "(Ký, ghi rõ họ tên)",
    ],
)
def test_footer_ends_the_data(footer: str) -> None:
    rows: list[list[Cell]] = [
        ["STT", "Họ và tên", "Năm sinh"],
        [1, "Nguyễn Văn An", 1950],
        [None, footer, None],
        [2, "Sau chân trang", 1950],
    ]
    match = find_header(rows, SPECS)
    assert [n for n, _row in data_rows(rows, match)] == [2]
