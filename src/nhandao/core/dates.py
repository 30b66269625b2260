"""Dates as Vietnamese users write them, including imprecise ones ("03/1960", "1960").

Display is always ``dd/mm/yyyy`` (rules.md, official documents). Parsing accepts what turns up in
forms and in imported spreadsheets and refuses nonsense with a Vietnamese message; it never guesses
a different date than the one written.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from .text import nfc

__all__ = [
    "MIN_YEAR",
    "VN_TZ",
    "InvalidDate",
    "PartialDate",
    "Precision",
    "format_date",
    "parse_date",
    "today_vn",
]

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Earliest year accepted when parsing; older years are taken as typing mistakes.
MIN_YEAR = 1800

# Excel's 1900 date system: serial 1 is 1900-01-01; serial 60 is the non-existent 1900-02-29 that
# Excel keeps for compatibility with Lotus 1-2-3, so from serial 61 on the epoch is 1899-12-30.
EXCEL_MAX_SERIAL = 60000  # 2064-04-08
_EXCEL_EPOCH_BEFORE_LEAP_BUG = date(1899, 12, 31)
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_LEAP_BUG_SERIAL = 60


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class InvalidDate(ValueError):
    """A date that cannot be read or cannot be right; the message is for the user."""


@dataclass(frozen=True)
class PartialDate:
    """A date known to the day, to the month or only to the year.

    ``value`` is the date itself, or the first day of the month or year when less precise.
    """

    value: date
    precision: Precision = Precision.DAY

    def __post_init__(self) -> None:
        if isinstance(self.value, datetime) or not isinstance(self.value, date):
            raise TypeError("PartialDate.value must be a date")
        if self.precision is Precision.MONTH and self.value.day != 1:
            raise ValueError("a month-precision PartialDate must fall on the 1st")
        if self.precision is Precision.YEAR and (self.value.month, self.value.day) != (1, 1):
            raise ValueError("a year-precision PartialDate must fall on 1 January")

    @property
    def year(self) -> int:
        return self.value.year

    def display(self) -> str:
        """``05/03/1960``, ``03/1960`` or ``1960`` depending on the precision."""
        if self.precision is Precision.YEAR:
            return f"{self.value.year:04d}"
        if self.precision is Precision.MONTH:
            return f"{self.value.month:02d}/{self.value.year:04d}"
        return format_date(self.value)

    def __str__(self) -> str:
        return self.display()


def today_vn() -> date:
    """Today's date in Vietnam (Asia/Ho_Chi_Minh), whatever the server's time zone."""
    return datetime.now(tz=VN_TZ).date()


def format_date(d: date | datetime | None) -> str:
    """``dd/mm/yyyy``; an aware datetime is first converted to Vietnam time; ``""`` for None.

    Naive datetimes are refused (ValueError): their day depends on an unknown time zone.
    """
    if d is None:
        return ""
    if isinstance(d, datetime):
        if d.tzinfo is None or d.utcoffset() is None:
            raise ValueError("format_date() needs an aware datetime")
        d = d.astimezone(VN_TZ).date()
    elif not isinstance(d, date):
        raise TypeError(f"format_date() takes a date or datetime, not {type(d).__name__}")
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


_DMY = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})", re.ASCII)
_YMD = re.compile(r"(\d{4})([/.\-])(\d{1,2})\2(\d{1,2})", re.ASCII)
_ISO_DATETIME = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?", re.ASCII
)
_MY = re.compile(r"(\d{1,2})[/.\-](\d{4})", re.ASCII)
_YM = re.compile(r"(\d{4})[/.\-](\d{1,2})", re.ASCII)
_YEAR = re.compile(r"\d{4}", re.ASCII)
_SERIAL = re.compile(r"\d{1,5}", re.ASCII)
_WHITESPACE = re.compile(r"\s+")


def parse_date(
    value: str | int | float | date | datetime | PartialDate,
    *,
    today: date | None = None,
    allow_future: bool = False,
) -> PartialDate:
    """Read a date from a form field or a spreadsheet cell.

    Accepted:

    * ``date`` (day precision); ``datetime``: an aware one is converted to Vietnam time, a naive
      one (as spreadsheet readers return) is taken as Vietnam wall-clock time;
    * day/month/year with ``/``, ``-`` or ``.`` ("05/03/1960", "5/3/1960", "5-3-1960",
      "5.3.1960"); a two-digit year is in this century when it is not after this year's two
      digits, otherwise in the last century ("5/3/60" is 1960);
    * ISO "1960-03-05", also with a time part ("1960-03-05 00:00:00"), which is dropped;
    * month and year "03/1960" or "1960-03"; a year alone "1960";
    * an Excel serial day number (1900 date system) as int, float or digit string from 1 to
      60000; a fraction (the time of day) is dropped. A whole number from 1000 to 9999 is read as a
      year, not a serial: in spreadsheets a bare year is far more likely than a date in 1902-1905.
      Serial 60 is Excel's fictitious 29/02/1900 and is refused.

    Raises :class:`InvalidDate` for unreadable text, dates that do not exist ("31/02/1990"), years
    before :data:`MIN_YEAR` and, unless ``allow_future``, dates after ``today`` (default: today in
    Vietnam). ``today`` is also the reference for the two-digit-year pivot.
    """
    ref = today if today is not None else today_vn()
    result = _parse(value, ref)
    if not allow_future and result.value > ref:
        raise InvalidDate(_future_message(result))
    return result


def _parse(value: object, ref: date) -> PartialDate:
    if isinstance(value, PartialDate):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            value = value.astimezone(VN_TZ)
        return _make(value.year, value.month, value.day, Precision.DAY)
    if isinstance(value, date):
        return PartialDate(value, Precision.DAY)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"parse_date() cannot read a {type(value).__name__}")
    if isinstance(value, int | float):
        return _parse_number(value)
    return _parse_text(value, ref)


def _parse_number(value: int | float) -> PartialDate:
    if not math.isfinite(value):
        raise InvalidDate(_("Không đọc được ngày «%(value)s».") % {"value": value})
    if value == int(value) and 1000 <= value <= 9999:
        return _make(int(value), 1, 1, Precision.YEAR)
    return PartialDate(_from_excel_serial(value), Precision.DAY)


def _parse_text(value: str, ref: date) -> PartialDate:
    text = nfc(value)
    if not text:
        raise InvalidDate(_("Chưa nhập ngày."))
    m = _ISO_DATETIME.fullmatch(text)
    if m:
        return _make(int(m[1]), int(m[2]), int(m[3]), Precision.DAY)
    compact = _WHITESPACE.sub("", text)
    m = _DMY.fullmatch(compact)
    if m:
        year = int(m[4])
        if len(m[4]) == 2:
            century = ref.year // 100 * 100
            year += century if year <= ref.year % 100 else century - 100
        return _make(year, int(m[3]), int(m[1]), Precision.DAY)
    m = _YMD.fullmatch(compact)
    if m:
        return _make(int(m[1]), int(m[3]), int(m[4]), Precision.DAY)
    m = _MY.fullmatch(compact)
    if m:
        return _make(int(m[2]), int(m[1]), 1, Precision.MONTH)
    m = _YM.fullmatch(compact)
    if m:
        return _make(int(m[1]), int(m[2]), 1, Precision.MONTH)
    if _YEAR.fullmatch(compact):
        return _make(int(compact), 1, 1, Precision.YEAR)
    if _SERIAL.fullmatch(compact):
        return PartialDate(_from_excel_serial(int(compact)), Precision.DAY)
    raise InvalidDate(
        _("Không đọc được ngày «%(value)s»; hãy nhập theo dạng ngày/tháng/năm, ví dụ 05/03/1960.")
        % {"value": text}
    )


def _make(year: int, month: int, day: int, precision: Precision) -> PartialDate:
    if year < MIN_YEAR:
        raise InvalidDate(
            _("Năm %(year)d không hợp lệ (phải từ năm %(min)d trở đi).")
            % {"year": year, "min": MIN_YEAR}
        )
    if not 1 <= month <= 12:
        raise InvalidDate(_("Tháng %(month)d không hợp lệ (chỉ từ 1 đến 12).") % {"month": month})
    try:
        value = date(year, month, day)
    except ValueError:
        raise InvalidDate(
            _("Ngày %(value)s không tồn tại.") % {"value": f"{day:02d}/{month:02d}/{year:04d}"}
        ) from None
    return PartialDate(value, precision)


def _from_excel_serial(serial: int | float) -> date:
    whole = math.floor(serial)
    if not 1 <= whole <= EXCEL_MAX_SERIAL:
        raise InvalidDate(
            _("Số ngày kiểu Excel %(value)s nằm ngoài khoảng hợp lệ (1 đến %(max)d).")
            % {"value": serial, "max": EXCEL_MAX_SERIAL}
        )
    if whole == _EXCEL_LEAP_BUG_SERIAL:
        raise InvalidDate(
            _("Số ngày kiểu Excel 60 ứng với ngày 29/02/1900, một ngày không có thật.")
        )
    epoch = _EXCEL_EPOCH_BEFORE_LEAP_BUG if whole < _EXCEL_LEAP_BUG_SERIAL else _EXCEL_EPOCH
    return epoch + timedelta(days=whole)


def _future_message(result: PartialDate) -> str:
    shown = result.display()
    if result.precision is Precision.YEAR:
        return _("Năm %(value)s nằm trong tương lai.") % {"value": shown}
    if result.precision is Precision.MONTH:
        return _("Tháng %(value)s nằm trong tương lai.") % {"value": shown}
    return _("Ngày %(value)s nằm trong tương lai.") % {"value": shown}
