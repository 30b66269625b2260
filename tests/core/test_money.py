from decimal import Decimal

import pytest

from nhandao.core.money import amount_in_words, format_vnd, parse_vnd


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (0, "0 đ"),
        (5, "5 đ"),
        (999, "999 đ"),
        (1000, "1.000 đ"),
        (500000, "500.000 đ"),
        (1500000, "1.500.000 đ"),
        (1234567, "1.234.567 đ"),
        (-1500000, "-1.500.000 đ"),
        (1_000_000_000_000, "1.000.000.000.000 đ"),
    ],
)
def test_format_vnd(amount: int, shown: str) -> None:
    assert format_vnd(amount) == shown


@pytest.mark.parametrize("bad", [True, False, 1.5, 1500000.0, Decimal(1500000), "1500000", None])
def test_format_vnd_rejects_non_int(bad: object) -> None:
    with pytest.raises(TypeError):
        format_vnd(bad)  # type: ignore[arg-type]


NORTH = [
    (0, "Không đồng"),
    (1, "Một đồng"),
    (5, "Năm đồng"),
    (10, "Mười đồng"),
    (11, "Mười một đồng"),
    (14, "Mười bốn đồng"),
    (15, "Mười lăm đồng"),
    (20, "Hai mươi đồng"),
    (21, "Hai mươi mốt đồng"),
    (24, "Hai mươi tư đồng"),
    (25, "Hai mươi lăm đồng"),
    (55, "Năm mươi lăm đồng"),
    (91, "Chín mươi mốt đồng"),
    (100, "Một trăm đồng"),
    (101, "Một trăm linh một đồng"),
    (104, "Một trăm linh bốn đồng"),
    (105, "Một trăm linh năm đồng"),
    (110, "Một trăm mười đồng"),
    (115, "Một trăm mười lăm đồng"),
    (121, "Một trăm hai mươi mốt đồng"),
    (1000, "Một nghìn đồng"),
    (2021, "Hai nghìn không trăm hai mươi mốt đồng"),
    (10_000, "Mười nghìn đồng"),
    (15_000, "Mười lăm nghìn đồng"),
    (250_000, "Hai trăm năm mươi nghìn đồng"),
    (500_000, "Năm trăm nghìn đồng"),
    (1_000_000, "Một triệu đồng"),
    (1_000_005, "Một triệu không trăm linh năm đồng"),
    (1_005_000, "Một triệu không trăm linh năm nghìn đồng"),
    (1_050_000, "Một triệu không trăm năm mươi nghìn đồng"),
    (1_500_000, "Một triệu năm trăm nghìn đồng"),
    (2_800_000, "Hai triệu tám trăm nghìn đồng"),
    (21_000_000, "Hai mươi mốt triệu đồng"),
    (
        1_234_567,
        "Một triệu hai trăm ba mươi tư nghìn năm trăm sáu mươi bảy đồng",
    ),
    (1_000_000_000, "Một tỷ đồng"),
    (1_000_000_005, "Một tỷ không trăm linh năm đồng"),
    (1_005_000_000, "Một tỷ không trăm linh năm triệu đồng"),
    (25_000_000_000, "Hai mươi lăm tỷ đồng"),
    (1_000_000_000_000, "Một nghìn tỷ đồng"),
    (1_001_000_000_000, "Một nghìn không trăm linh một tỷ đồng"),
    (1_234_000_000_000, "Một nghìn hai trăm ba mươi tư tỷ đồng"),
    (
        1_000_000_000_021,
        "Một nghìn tỷ không trăm hai mươi mốt đồng",
    ),
    (750_000_000_000_000, "Bảy trăm năm mươi nghìn tỷ đồng"),
    (2_000_000_000_000_000, "Hai triệu tỷ đồng"),
    (10**18, "Một tỷ tỷ đồng"),
    (
        999 * 10**18,
        "Chín trăm chín mươi chín tỷ tỷ đồng",
    ),
]


@pytest.mark.parametrize(("amount", "words"), NORTH)
def test_amount_in_words_north(amount: int, words: str) -> None:
    assert amount_in_words(amount) == words
    assert amount_in_words(amount, dialect="north") == words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (101, "Một trăm lẻ một đồng"),
        (105, "Một trăm lẻ năm đồng"),
        (1_005_000, "Một triệu không trăm lẻ năm nghìn đồng"),
        (2021, "Hai nghìn không trăm hai mươi mốt đồng"),
    ],
)
def test_amount_in_words_south(amount: int, words: str) -> None:
    assert amount_in_words(amount, dialect="south") == words


def test_amount_in_words_largest() -> None:
    nines = "chín trăm chín mươi chín"
    assert amount_in_words(10**21 - 1) == (
        f"Chín trăm chín mươi chín tỷ {nines} triệu {nines} nghìn {nines} tỷ"
        f" {nines} triệu {nines} nghìn {nines} đồng"
    )


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        (-1, ValueError),
        (10**21, ValueError),
        (1.0, TypeError),
        (True, TypeError),
    ],
)
def test_amount_in_words_rejects(amount: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        amount_in_words(amount)  # type: ignore[arg-type]


def test_amount_in_words_negative_message() -> None:
    with pytest.raises(ValueError, match="số tiền âm"):
        amount_in_words(-1500000)


def test_amount_in_words_unknown_dialect() -> None:
    with pytest.raises(ValueError, match="dialect"):
        amount_in_words(101, dialect="central")


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1.500.000", 1_500_000),
        ("1,500,000", 1_500_000),
        ("1 500 000", 1_500_000),
        ("1\u00a0500\u00a0000 đ", 1_500_000),
        ("1500000", 1_500_000),
        ("1500000 đ", 1_500_000),
        ("1.500.000đ", 1_500_000),
        ("1.500.000 đồng", 1_500_000),
        ("1.500.000 VNĐ", 1_500_000),
        ("1.500.000 vnd", 1_500_000),
        ("  500.000  ", 500_000),
        ("0", 0),
        ("0 đ", 0),
        ("-1.500.000 đ", -1_500_000),
        ("1.000", 1000),
    ],
)
def test_parse_vnd(typed: str, amount: int) -> None:
    assert parse_vnd(typed) == amount


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "đ",
        "1,5 triệu",
        "1,5",
        "1.50",
        "1.500,00",
        "1.500,000",
        "15.00.000",
        "abc",
        "1e6",
        "--5",
    ],
)
def test_parse_vnd_rejects(typed: str) -> None:
    with pytest.raises(ValueError, match="tiền"):
        parse_vnd(typed)


def test_parse_vnd_message() -> None:
    with pytest.raises(ValueError) as excinfo:
        parse_vnd("1,5 triệu")
    assert str(excinfo.value) == (
        "Số tiền «1,5 triệu» không hợp lệ; chỉ nhập số đồng, ví dụ 1.500.000."
    )


@pytest.mark.parametrize("amount", [0, 7, 1000, 1_234_567, -250_000, 10**15])
def test_parse_vnd_round_trip(amount: int) -> None:
    assert parse_vnd(format_vnd(amount)) == amount
