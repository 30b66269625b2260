from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from nhandao.core.dates import (
    VN_TZ,
    InvalidDate,
    PartialDate,
    Precision,
    format_date,
    parse_date,
    today_vn,
)

TODAY = date(2026, 11, 22)

DAY, MONTH, YEAR = Precision.DAY, Precision.MONTH, Precision.YEAR


@pytest.mark.parametrize(
    ("typed", "value", "precision"),
    [
        ("05/03/1960", date(1960, 3, 5), DAY),
        ("5/3/1960", date(1960, 3, 5), DAY),
        ("5-3-1960", date(1960, 3, 5), DAY),
        ("5.3.1960", date(1960, 3, 5), DAY),
        (" 05 / 03 / 1960 ", date(1960, 3, 5), DAY),
        ("5/3/60", date(1960, 3, 5), DAY),
        ("29/02/2000", date(2000, 2, 29), DAY),
        ("1/1/05", date(2005, 1, 1), DAY),
        ("22/11/26", date(2026, 11, 22), DAY),  # this year's two digits: this century
        ("1/1/27", date(1927, 1, 1), DAY),  # after this year's two digits: last century
        ("1960-03-05", date(1960, 3, 5), DAY),
        ("1960-3-5", date(1960, 3, 5), DAY),
        ("1960/03/05", date(1960, 3, 5), DAY),
        ("1960-03-05 00:00:00", date(1960, 3, 5), DAY),
        ("1960-03-05T10:30", date(1960, 3, 5), DAY),
        ("03/1960", date(1960, 3, 1), MONTH),
        ("3/1960", date(1960, 3, 1), MONTH),
        ("12.1975", date(1975, 12, 1), MONTH),
        ("1960-03", date(1960, 3, 1), MONTH),
        ("1960", date(1960, 1, 1), YEAR),
        ("22000", date(1960, 3, 25), DAY),  # Excel serial as text
        ("45658", date(2025, 1, 1), DAY),
    ],
)
def test_parse_text(typed: str, value: date, precision: Precision) -> None:
    assert parse_date(typed, today=TODAY) == PartialDate(value, precision)


@pytest.mark.parametrize(
    ("serial", "value"),
    [
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (22000, date(1960, 3, 25)),
        (36526, date(2000, 1, 1)),
        (45658, date(2025, 1, 1)),
        (45658.75, date(2025, 1, 1)),  # time of day dropped
        (46348.0, date(2026, 11, 22)),
    ],
)
def test_parse_excel_serial(serial: float, value: date) -> None:
    assert parse_date(serial, today=TODAY) == PartialDate(value, DAY)


@pytest.mark.parametrize("year", [1960, 1960.0, "1960"])
def test_four_digit_number_is_a_year(year: int | float | str) -> None:
    assert parse_date(year, today=TODAY) == PartialDate(date(1960, 1, 1), YEAR)


def test_excel_leap_bug_serial_is_refused() -> None:
    with pytest.raises(InvalidDate, match="29/02/1900"):
        parse_date(60, today=TODAY)


@pytest.mark.parametrize("serial", [0, -5, 60001, float("nan"), float("inf")])
def test_excel_serial_out_of_range(serial: float) -> None:
    with pytest.raises(InvalidDate):
        parse_date(serial, today=TODAY)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("31/02/1990", "Ngày 31/02/1990 không tồn tại."),
        ("29/02/2023", "Ngày 29/02/2023 không tồn tại."),
        ("00/01/1990", "Ngày 00/01/1990 không tồn tại."),
        ("5/13/1960", "Tháng 13 không hợp lệ (chỉ từ 1 đến 12)."),
        ("13/1960", "Tháng 13 không hợp lệ (chỉ từ 1 đến 12)."),
        ("1700", "Năm 1700 không hợp lệ (phải từ năm 1800 trở đi)."),
        ("2030", "Năm 2030 nằm trong tương lai."),
        ("12/2026", "Tháng 12/2026 nằm trong tương lai."),
        ("23/11/2026", "Ngày 23/11/2026 nằm trong tương lai."),
        ("", "Chưa nhập ngày."),
        (
            "abc",
            "Không đọc được ngày «abc»; hãy nhập theo dạng ngày/tháng/năm, ví dụ 05/03/1960.",
        ),
        (
            "5/3-1960",
            "Không đọc được ngày «5/3-1960»; hãy nhập theo dạng ngày/tháng/năm, ví dụ 05/03/1960.",
        ),
    ],
)
def test_parse_invalid(typed: str, message: str) -> None:
    with pytest.raises(InvalidDate) as excinfo:
        parse_date(typed, today=TODAY)
    assert str(excinfo.value) == message
    assert isinstance(excinfo.value, ValueError)


@pytest.mark.parametrize("typed", ["5/3", "03/60", "1960-03-05+07:00", "05/03/19600", "١٩٦٠"])
def test_parse_unreadable(typed: str) -> None:
    with pytest.raises(InvalidDate):
        parse_date(typed, today=TODAY)


def test_allow_future() -> None:
    assert parse_date("06/02/2027", today=TODAY, allow_future=True).value == date(2027, 2, 6)
    assert parse_date("11/2026", today=TODAY) == PartialDate(date(2026, 11, 1), MONTH)
    assert parse_date("2026", today=TODAY) == PartialDate(date(2026, 1, 1), YEAR)


def test_parse_date_objects() -> None:
    assert parse_date(date(1960, 3, 5), today=TODAY) == PartialDate(date(1960, 3, 5), DAY)
    naive = datetime(1960, 3, 5, 23, 0)  # noqa: DTZ001 - spreadsheet readers give naive values
    assert parse_date(naive, today=TODAY).value == date(1960, 3, 5)
    # 20:00 UTC on 4 March is already 5 March in Vietnam.
    aware = datetime(1960, 3, 4, 20, 0, tzinfo=UTC)
    assert parse_date(aware, today=TODAY).value == date(1960, 3, 5)
    partial = PartialDate(date(1960, 3, 1), MONTH)
    assert parse_date(partial, today=TODAY) is partial


@pytest.mark.parametrize("bad", [True, None, [1960], b"1960"])
def test_parse_date_wrong_type(bad: object) -> None:
    with pytest.raises(TypeError):
        parse_date(bad, today=TODAY)  # type: ignore[arg-type]


def test_parse_date_uses_vietnam_today_by_default() -> None:
    tomorrow = today_vn() + timedelta(days=1)
    with pytest.raises(InvalidDate):
        parse_date(format_date(tomorrow))
    assert parse_date(format_date(today_vn())).value == today_vn()


@pytest.mark.parametrize(
    ("partial", "shown"),
    [
        (PartialDate(date(1960, 3, 5)), "05/03/1960"),
        (PartialDate(date(1960, 3, 5), DAY), "05/03/1960"),
        (PartialDate(date(1960, 3, 1), MONTH), "03/1960"),
        (PartialDate(date(1960, 1, 1), YEAR), "1960"),
    ],
)
def test_partial_date_display(partial: PartialDate, shown: str) -> None:
    assert partial.display() == shown
    assert str(partial) == shown
    assert partial.year == 1960


def test_partial_date_rejects_inconsistent_values() -> None:
    with pytest.raises(ValueError):
        PartialDate(date(1960, 3, 5), MONTH)
    with pytest.raises(ValueError):
        PartialDate(date(1960, 3, 1), YEAR)
    with pytest.raises(TypeError):
        PartialDate(datetime(1960, 3, 5, tzinfo=VN_TZ), DAY)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (date(1960, 3, 5), "05/03/1960"),
        (date(2026, 12, 31), "31/12/2026"),
        (datetime(2026, 2, 16, 17, 30, tzinfo=UTC), "17/02/2026"),  # 00:30 in Vietnam
        (datetime(2026, 2, 16, 16, 59, tzinfo=UTC), "16/02/2026"),
        (datetime(2026, 2, 17, 0, 30, tzinfo=VN_TZ), "17/02/2026"),
        (datetime(2026, 2, 16, 12, 0, tzinfo=timezone(timedelta(hours=-10))), "17/02/2026"),
        (None, ""),
    ],
)
def test_format_date(value: date | datetime | None, shown: str) -> None:
    assert format_date(value) == shown


def test_format_date_refuses_naive_datetime() -> None:
    with pytest.raises(ValueError):
        format_date(datetime(2026, 2, 17, 0, 30))  # noqa: DTZ001


def test_format_date_wrong_type() -> None:
    with pytest.raises(TypeError):
        format_date("17/02/2026")  # type: ignore[arg-type]


def test_today_vn_is_vietnam_date() -> None:
    before = datetime.now(VN_TZ).date()
    result = today_vn()
    after = datetime.now(VN_TZ).date()
    assert before <= result <= after
