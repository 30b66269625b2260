import pytest

from nhandao.core.phone import InvalidPhone, format_phone, is_mobile, normalize_phone


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("0912345678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0084 912 345 678", "0912345678"),
        ("(+84) 0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("0912-345-678", "0912345678"),
        ("912345678", "0912345678"),  # leading zero lost in a spreadsheet
        ("0326 123 456", "0326123456"),  # Viettel 03x
        ("0523 456 789", "0523456789"),  # Vietnamobile 052
        ("0593 456 789", "0593456789"),  # Gmobile 059
        ("0708 123 456", "0708123456"),  # MobiFone 070
        ("0812 345 678", "0812345678"),  # VinaPhone 081
        ("0888 123 456", "0888123456"),
        ("(024) 3825 1234", "02438251234"),  # Hà Nội fixed line
        ("028 3822 1234", "02838221234"),  # Hồ Chí Minh City fixed line
        ("0236.3821.234", "02363821234"),  # Đà Nẵng
        ("+84 24 3825 1234", "02438251234"),
        ("842438251234", "02438251234"),
        ("2438251234", "02438251234"),
    ],
)
def test_normalize_phone(typed: str, canonical: str) -> None:
    assert normalize_phone(typed) == canonical


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Chưa nhập số điện thoại."),
        ("091234567", "Số di động phải có 10 chữ số (đang có 9): «091234567»."),
        ("09123456789", "Số di động phải có 10 chữ số (đang có 11): «09123456789»."),
        ("0312345678", "Đầu số 031 không phải đầu số di động Việt Nam: «0312345678»."),
        ("0512345678", "Đầu số 051 không phải đầu số di động Việt Nam: «0512345678»."),
        ("0712345678", "Đầu số 071 không phải đầu số di động Việt Nam: «0712345678»."),
        ("0801234567", "Đầu số 080 không phải đầu số di động Việt Nam: «0801234567»."),
        ("0612345678", "Đầu số 061 không phải đầu số di động Việt Nam: «0612345678»."),
        (
            "0243825123",
            "Số điện thoại cố định phải có 11 chữ số (đang có 10): «0243825123».",
        ),
        (
            "01234567890",
            "Số di động 11 số (đầu 01…) đã được chuyển sang 10 số từ năm 2018;"
            " hãy nhập số mới: «01234567890».",
        ),
        (
            "+1 415 555 0100",
            "Chỉ nhận số điện thoại Việt Nam (mã quốc gia +84): «+1 415 555 0100».",
        ),
        ("0912 345 678 (nhà)", "Số điện thoại «0912 345 678 (nhà)» chứa ký tự không hợp lệ."),
        ("09l2345678", "Số điện thoại «09l2345678» chứa ký tự không hợp lệ."),
    ],
)
def test_invalid_phone(typed: str, message: str) -> None:
    with pytest.raises(InvalidPhone) as excinfo:
        normalize_phone(typed)
    assert str(excinfo.value) == message
    assert isinstance(excinfo.value, ValueError)


@pytest.mark.parametrize("prefix", ["032", "039", "052", "055", "056", "058", "059", "070", "076"])
def test_all_listed_mobile_prefixes(prefix: str) -> None:
    assert normalize_phone(prefix + "1234567") == prefix + "1234567"


@pytest.mark.parametrize("prefix", ["030", "031", "053", "054", "057", "071", "075", "080"])
def test_unused_mobile_prefixes(prefix: str) -> None:
    with pytest.raises(InvalidPhone):
        normalize_phone(prefix + "1234567")


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("0912345678", "0912 345 678"),
        ("+84 912 345 678", "0912 345 678"),
        ("02438251234", "024 3825 1234"),
        ("02838221234", "028 3822 1234"),
        ("02363821234", "0236 382 1234"),
    ],
)
def test_format_phone(number: str, shown: str) -> None:
    assert format_phone(number) == shown


def test_format_phone_rejects_invalid() -> None:
    with pytest.raises(InvalidPhone):
        format_phone("12345")


def test_is_mobile() -> None:
    assert is_mobile("0912345678")
    assert not is_mobile("02438251234")
