"""Old three-level addresses to the 2025 commune-level unit, with codes of the official list."""

from __future__ import annotations

import json
from functools import cache

import pytest
import vietnam_provinces

from nhandao.geo.legacy import LegacyAddress, _official_ward, convert_address

VINH_THUY = 19405  # Xã Vĩnh Thủy, Quảng Trị (vietnamadminunits says 19402)
QUANG_TRI = 44
HOA_AN = 31393  # Xã Hòa An, Thành phố Cần Thơ
CAN_THO = 92


@cache
def official_wards() -> dict[int, tuple[int, str]]:
    data = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    return {w["code"]: (p["code"], w["name"]) for p in data for w in p["wards"]}


def assert_ward(result: LegacyAddress, code: int, province: int) -> None:
    assert result.ward_code == code, result.note
    assert result.province_code == province
    assert official_wards()[code] == (province, result.ward_name)
    assert result.note == ""


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("Xã Vĩnh Thủy, huyện Vĩnh Linh, tỉnh Quảng Trị", ""),
        ("Thôn 3, xã Vĩnh Thủy, huyện Vĩnh Linh, Quảng Trị", "Thôn 3"),
        ("X. Vĩnh Thủy, H. Vĩnh Linh, T. Quảng Trị", ""),
        ("thôn Hiền Lương, x.Vĩnh Thủy, h.Vĩnh Linh, t.Quảng Trị", "thôn Hiền Lương"),
        ("Thon 3, xa Vinh Thuy, huyen Vinh Linh, tinh Quang Tri", "Thon 3"),
        ("THÔN 3, XÃ VĨNH THỦY, HUYỆN VĨNH LINH, TỈNH QUẢNG TRỊ", "THÔN 3"),
        ("Thôn 3 xã Vĩnh Thủy huyện Vĩnh Linh tỉnh Quảng Trị", "Thôn 3"),
        ("Thôn 3 - Vĩnh Thủy - Vĩnh Linh - Quảng Trị", "Thôn 3"),
        ("Tổ 2, thôn 3; xã Vĩnh Thủy; huyện Vĩnh Linh; Quảng Trị", "Tổ 2, thôn 3"),
    ],
)
def test_old_address_in_quang_tri(text: str, detail: str) -> None:
    result = convert_address(text)
    assert_ward(result, VINH_THUY, QUANG_TRI)
    assert result.was_legacy is True
    assert result.detail == detail
    assert result.original == text
    assert (result.old_ward, result.old_district, result.old_province) == (
        "Xã Vĩnh Thủy",
        "Huyện Vĩnh Linh",
        "Tỉnh Quảng Trị",
    )


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("Ấp Hòa Lợi, xã Hòa An, huyện Phụng Hiệp, tỉnh Hậu Giang", "Ấp Hòa Lợi"),
        ("Ap My Loi, xa Hoa An, H. Phung Hiep, Hau Giang", "Ap My Loi"),
        ("Xã Hòa An, Hậu Giang", ""),  # no district: the only Hòa An of the old province
    ],
)
def test_former_hau_giang_is_now_can_tho(text: str, detail: str) -> None:
    result = convert_address(text)
    assert_ward(result, HOA_AN, CAN_THO)
    assert result.was_legacy is True
    assert result.detail == detail
    assert result.province_name == "Thành phố Cần Thơ"
    assert result.old_province == "Tỉnh Hậu Giang"


@pytest.mark.parametrize(
    ("text", "name", "detail"),
    [
        ("12 Lê Lợi, P. Bến Nghé, Q. 1, TP. Hồ Chí Minh", "Phường Sài Gòn", "12 Lê Lợi"),
        ("Số 5, P.5, Q.3, TP.HCM", "Phường Bàn Cờ", "Số 5"),
        ("Tổ 5, phường Hàng Bạc, quận Hoàn Kiếm, Hà Nội", "Phường Hoàn Kiếm", "Tổ 5"),
    ],
)
def test_abbreviations_of_wards_districts_and_cities(text: str, name: str, detail: str) -> None:
    result = convert_address(text)
    assert result.ward_code is not None, result.note
    assert result.ward_name == name
    assert official_wards()[result.ward_code][1] == name
    assert result.detail == detail
    assert result.was_legacy is True


@pytest.mark.parametrize(
    ("text", "code", "province", "detail"),
    [
        ("Xã Vĩnh Thủy, tỉnh Quảng Trị", VINH_THUY, QUANG_TRI, ""),
        ("Thôn Hiền Lương, xã Vĩnh Thủy, Quảng Trị", VINH_THUY, QUANG_TRI, "Thôn Hiền Lương"),
        ("Ấp Hòa Lợi, xã Hòa An, thành phố Cần Thơ", HOA_AN, CAN_THO, "Ấp Hòa Lợi"),
        ("Phường Hoàn Kiếm, Hà Nội", 70, 1, ""),
    ],
)
def test_new_two_level_addresses_map_directly(
    text: str, code: int, province: int, detail: str
) -> None:
    result = convert_address(text)
    assert_ward(result, code, province)
    assert result.was_legacy is False
    assert result.detail == detail


def test_new_ward_named_like_an_old_district() -> None:
    # Đông Hà was a provincial city (district level); "Phường Đông Hà" is a new ward.
    result = convert_address("Phường Đông Hà, tỉnh Quảng Trị")
    assert result.was_legacy is False
    assert result.ward_name == "Phường Đông Hà"


def test_old_commune_split_between_new_ones() -> None:
    result = convert_address("Ấp 1, xã Tân Thạnh, huyện Thới Lai, thành phố Cần Thơ")
    assert result.ward_code is None
    assert result.was_legacy is True
    assert result.province_code == CAN_THO
    assert len(result.candidates) == 2
    assert result.suggested_ward_code in result.candidates
    names = [official_wards()[c][1] for c in result.candidates]
    assert set(names) == {"Xã Tân Thạnh", "Xã Trường Thành"}
    assert "Xã Tân Thạnh cũ (Huyện Thới Lai, Thành phố Cần Thơ)" in result.note
    assert "nhiều đơn vị" in result.note and "Xã Trường Thành" in result.note
    assert result.detail == "Ấp 1"


def test_only_the_province_is_recognised() -> None:
    result = convert_address("Hậu Giang")
    assert result.ward_code is None
    assert result.province_code == CAN_THO
    assert result.was_legacy is True
    assert "Thành phố Cần Thơ" in result.note and "«Hậu Giang»" in result.note


@pytest.mark.parametrize("text", ["asdf qwer zxcv", "Thôn 3", "???", "12345"])
def test_garbage(text: str) -> None:
    result = convert_address(text)
    assert (result.ward_code, result.province_code) == (None, None)
    assert result.was_legacy is False
    assert f"«{text}»" in result.note
    assert result.note.startswith("Không nhận ra tỉnh/thành phố")


@pytest.mark.parametrize("text", ["", "   "])
def test_empty(text: str) -> None:
    result = convert_address(text)
    assert result.ward_code is None
    assert result.note == "Chưa có địa chỉ."


def test_every_conversion_target_exists_in_the_official_list() -> None:
    """The two packages number some wards differently; every new ward the converter can name
    must resolve to exactly one ward of the official list by province and name."""
    from vietnamadminunits.converter import converter_2025

    missing = [
        (province, ward)
        for province, wards in converter_2025.DICT_PROVINCE_WARD_NO_DIVIDED.items()
        for ward in wards
        if _official_ward(province, ward) is None
    ]
    missing += [
        (province, option["newWardKey"])
        for province, olds in converter_2025.DICT_PROVINCE_WARD_DIVIDED.items()
        for options in olds.values()
        for option in options
        if _official_ward(province, option["newWardKey"]) is None
    ]
    assert missing == []
