from datetime import date

import pytest

from nhandao.core.dates import today_vn
from nhandao.core.idnumber import (
    PROVINCE_CODES,
    IdCheck,
    check_citizen_id,
    check_legacy_id,
)

# 001 Hà Nội, digit 4 = 1 (1900s, female), year 85.
HANOI_WOMAN_1985 = "001185012345"
# 079 Hồ Chí Minh, digit 4 = 2 (2000s, male), year 05.
HCM_MAN_2005 = "079205000123"


def test_province_table_has_63_provinces() -> None:
    assert len(PROVINCE_CODES) == 63
    assert PROVINCE_CODES["001"] == "Hà Nội"
    assert PROVINCE_CODES["096"] == "Cà Mau"
    assert PROVINCE_CODES["046"] == "Thừa Thiên Huế"
    assert PROVINCE_CODES["079"] == "Hồ Chí Minh"
    assert all(len(code) == 3 and code.isdigit() for code in PROVINCE_CODES)
    assert "003" not in PROVINCE_CODES


def test_valid_id_decodes() -> None:
    result = check_citizen_id(HANOI_WOMAN_1985)
    assert result.ok
    assert result.errors == []
    assert result.warnings == []
    assert result.normalized == HANOI_WOMAN_1985
    assert result.province_code == "001"
    assert result.province_name == "Hà Nội"
    assert result.century == 1900
    assert result.sex == "female"
    assert result.birth_year2 == 85
    assert result.birth_year == 1985


@pytest.mark.parametrize(
    ("digit", "century", "sex"),
    [
        ("0", 1900, "male"),
        ("1", 1900, "female"),
        ("2", 2000, "male"),
        ("3", 2000, "female"),
        ("4", 2100, "male"),
        ("5", 2100, "female"),
        ("8", 2300, "male"),
        ("9", 2300, "female"),
    ],
)
def test_century_and_sex_digit(digit: str, century: int, sex: str) -> None:
    result = check_citizen_id(f"038{digit}00123456")
    assert result.ok
    assert (result.century, result.sex) == (century, sex)
    assert result.province_name == "Thanh Hóa"


@pytest.mark.parametrize(
    "typed",
    ["001 185 012 345", "001.185.012.345", "001-185-012-345", " 001185012345 ", "001185\t012345"],
)
def test_separators_are_removed(typed: str) -> None:
    result = check_citizen_id(typed)
    assert result.ok
    assert result.normalized == HANOI_WOMAN_1985


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("00118501234", "Số CCCD phải gồm 12 chữ số (đang có 11)."),
        ("0011850123456", "Số CCCD phải gồm 12 chữ số (đang có 13)."),
        ("123456789", "Số CCCD phải gồm 12 chữ số (đang có 9)."),
        ("", "Chưa nhập số CCCD."),
        ("   ", "Chưa nhập số CCCD."),
        ("00118501234O", "Số CCCD chỉ được gồm chữ số (có ký tự không hợp lệ: O)."),
        ("001/185/012/345", "Số CCCD chỉ được gồm chữ số (có ký tự không hợp lệ: /)."),
        ("００１185012345", "Số CCCD chỉ được gồm chữ số (có ký tự không hợp lệ: ０ １)."),
    ],
)
def test_hard_errors(typed: str, message: str) -> None:
    result = check_citizen_id(typed)
    assert not result.ok
    assert result.errors == [message]
    assert result.province_name is None
    assert result.birth_year is None


def test_unknown_province_is_a_warning() -> None:
    result = check_citizen_id("003185012345")
    assert result.ok
    assert result.province_name is None
    assert result.province_code == "003"
    assert result.warnings == [
        "Mã nơi đăng ký khai sinh 003 (3 chữ số đầu) không có trong bảng mã tỉnh."
    ]


def test_matching_birth_date_and_sex_give_no_warning() -> None:
    result = check_citizen_id(HANOI_WOMAN_1985, birth_date=date(1985, 7, 14), sex="female")
    assert result.ok
    assert result.warnings == []
    result = check_citizen_id(HCM_MAN_2005, birth_year=2005, sex="male")
    assert result.warnings == []


def test_year_mismatch_is_a_warning_not_a_fix() -> None:
    result = check_citizen_id(HANOI_WOMAN_1985, birth_date=date(1986, 1, 2))
    assert result.ok
    assert result.normalized == HANOI_WOMAN_1985
    assert result.birth_year == 1985
    assert result.warnings == ["Chữ số thứ 5–6 của số CCCD (85) không khớp với năm sinh 1986."]


def test_century_mismatch() -> None:
    # Born 2005 but digit 4 says 1900s: a classic slip (0/1 typed instead of 2/3).
    result = check_citizen_id("079005000123", birth_year=2005)
    assert result.ok
    assert result.warnings == [
        "Chữ số thứ 4 của số CCCD ứng với người sinh trong các năm 1900–1999,"
        " không khớp với năm sinh 2005."
    ]


def test_century_and_year_mismatch_both_reported() -> None:
    result = check_citizen_id(HCM_MAN_2005, birth_year=1968)
    assert len(result.warnings) == 2
    assert "1900" not in result.warnings[0]
    assert "2000–2099" in result.warnings[0]
    assert "(05)" in result.warnings[1]


def test_sex_mismatch() -> None:
    result = check_citizen_id(HANOI_WOMAN_1985, sex="male")
    assert result.ok
    assert result.sex == "female"
    assert result.warnings == [
        "Chữ số thứ 4 của số CCCD ứng với giới tính nữ, không khớp với giới tính nam đã khai."
    ]


def test_birth_year_in_future() -> None:
    future_year2 = (today_vn().year + 1) % 100
    number = f"001{2 if today_vn().year < 2099 else 4}{future_year2:02d}000001"
    result = check_citizen_id(number)
    assert result.ok
    assert any("nằm trong tương lai" in w for w in result.warnings)


def test_contradictory_arguments_are_programming_errors() -> None:
    with pytest.raises(ValueError, match="disagree"):
        check_citizen_id(HANOI_WOMAN_1985, birth_date=date(1985, 1, 1), birth_year=1986)
    with pytest.raises(ValueError, match="sex"):
        check_citizen_id(HANOI_WOMAN_1985, sex="nữ")


def test_id_check_is_frozen() -> None:
    result = check_citizen_id(HANOI_WOMAN_1985)
    assert isinstance(result, IdCheck)
    with pytest.raises(AttributeError):
        result.normalized = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("123456789", "123456789"),
        ("123 456 789", "123456789"),
        ("001185012345", "001185012345"),
    ],
)
def test_legacy_id_valid(typed: str, normalized: str) -> None:
    result = check_legacy_id(typed)
    assert result.ok
    assert result.normalized == normalized
    assert result.province_name is None
    assert result.sex is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12345678", "Số CMND phải gồm 9 hoặc 12 chữ số (đang có 8)."),
        ("1234567890", "Số CMND phải gồm 9 hoặc 12 chữ số (đang có 10)."),
        ("12345678A", "Số CMND chỉ được gồm chữ số (có ký tự không hợp lệ: A)."),
        ("", "Chưa nhập số CMND."),
    ],
)
def test_legacy_id_errors(typed: str, message: str) -> None:
    result = check_legacy_id(typed)
    assert not result.ok
    assert result.errors == [message]
