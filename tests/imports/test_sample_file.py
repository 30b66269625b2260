"""The real sample list of the former Hậu Giang province (now Cần Thơ), end to end: read, find
the header on row 7, the six data rows, and the new ward of the old addresses.

The file is found through NHANDAO_SAMPLE_XLSX, by default /work/shared/samples/….
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nhandao.geo.legacy import convert_address
from nhandao.imports.headers import PERSON_LIST_SPECS, data_rows, find_header
from nhandao.imports.readers import Table, read_table

DEFAULT_SAMPLE = "/work/shared/samples/qua_tet_2025_xa_hoa_an.xlsx"
HOA_AN = 31393  # Xã Hòa An, Thành phố Cần Thơ (official code)
CAN_THO = 92


@pytest.fixture(scope="module")
def sample() -> Table:
    path = Path(os.environ.get("NHANDAO_SAMPLE_XLSX", DEFAULT_SAMPLE))
    if not path.is_file():
        pytest.fail(
            f"The sample list {path} is missing: set NHANDAO_SAMPLE_XLSX to the path of "
            "qua_tet_2025_xa_hoa_an.xlsx (see /work/shared/samples/README.md)."
        )
    return read_table(path.read_bytes(), path.name)


def test_sample_is_read(sample: Table) -> None:
    assert sample.file_format == "xlsx"
    assert sample.sheet_names == ["Sheet1"]
    assert sample.legacy_encoding is None
    assert sample.cell_problems == []
    # The two title blocks are merged cells, filled across.
    assert sample.rows[0][:3] == ["HỘI CTĐ HUYỆN PHỤNG HIỆP"] * 3
    assert sample.rows[3][0] == sample.rows[3][7]


def test_sample_header_and_rows(sample: Table) -> None:
    match = find_header(sample.rows, PERSON_LIST_SPECS, filename=sample.filename)
    assert match.excel_header_row == 7
    assert match.sequence_column == 0
    assert match.mapping == {
        1: "full_name",
        2: "birth",
        3: "sex",
        4: "id_number",
        5: "address",
        6: "category",
    }
    assert match.ignored == [(7, "KÝ NHẬN")]
    assert match.ok
    rows = data_rows(sample.rows, match)
    assert [number for number, _row in rows] == [8, 9, 10, 11, 12, 13]
    assert rows[0][1][1] == "Huỳnh Văn Lợi"
    assert rows[1][1][2] == "15/8/1967"  # text as typed; the validator parses it
    assert rows[2][1][4] is None  # no ID number
    assert rows[5][1][1] == "NGUYEN THI BE TU"  # row 13 repeats row 11 without diacritics


def test_sample_addresses_go_to_the_new_commune(sample: Table) -> None:
    match = find_header(sample.rows, PERSON_LIST_SPECS)
    column = match.column_of("address")
    assert column is not None
    results = [convert_address(str(row[column])) for _n, row in data_rows(sample.rows, match)]
    assert all(r.ward_code == HOA_AN and r.province_code == CAN_THO for r in results)
    assert all(r.was_legacy and r.note == "" for r in results)
    assert all(r.old_province == "Tỉnh Hậu Giang" for r in results)
    assert [r.detail for r in results] == [
        "Ấp Hòa Lợi",
        "Ấp Hòa Lợi",
        "Ấp Mỹ Lợi",
        "Ấp Mỹ Lợi",
        "Ấp Hòa Đức",
        "Ap My Loi",
    ]
