"""Vietnamese telephone numbers: one canonical form for storage, one for display.

The canonical form is the national number with its leading 0 and nothing else: mobiles have 10
digits ("0912345678"), fixed lines 11 digits starting 02 ("02438251234"). Mobile prefixes follow
the 2018 renumbering; the old 11-digit mobile numbers (01x…) are refused with a hint, never
converted, because the mapping is the subscriber's to confirm.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

__all__ = ["InvalidPhone", "format_phone", "is_mobile", "normalize_phone"]


class InvalidPhone(ValueError):
    """A number that cannot be a Vietnamese telephone number; the message is for the user."""


# Mobile prefixes in use after the 2018 renumbering (the three digits after 0 … in national form).
MOBILE_PREFIXES: frozenset[str] = frozenset(
    [f"03{d}" for d in "23456789"]
    + [f"05{d}" for d in "25689"]
    + [f"07{d}" for d in "06789"]
    + [f"08{d}" for d in "123456789"]
    + [f"09{d}" for d in "0123456789"]
)
MOBILE_LENGTH = 10
LANDLINE_LENGTH = 11
# Hà Nội (024) and Hồ Chí Minh City (028) have 8-digit subscriber numbers; other areas 02xx + 7.
_TWO_DIGIT_AREAS = ("024", "028")

# One optional "+" before the first digit ("+84 …", "(+84) …"), then digits and separators.
_ALLOWED = re.compile(r"[\s(]*\+?[0-9\s.\-()/]+")
_NOT_DIGITS = re.compile(r"[^0-9]")


def normalize_phone(value: str) -> str:
    """Return the canonical national form of a Vietnamese telephone number.

    Accepts spaces, dots, dashes, slashes and parentheses as separators, the international forms
    "+84 912 345 678", "0084912345678" and "84912345678" (also with the 0 kept: "+84 0912…"), and
    the national number without its leading 0 as spreadsheets store it ("912345678").
    Raises :class:`InvalidPhone` for anything else.
    """
    text = value.strip()
    if not text:
        raise InvalidPhone(_("Chưa nhập số điện thoại."))
    if not _ALLOWED.fullmatch(text):
        raise InvalidPhone(
            _("Số điện thoại «%(value)s» chứa ký tự không hợp lệ.") % {"value": text}
        )
    international = "+" in text
    digits = _NOT_DIGITS.sub("", text)
    if international or digits.startswith("00"):
        if international and digits.startswith("00"):
            raise InvalidPhone(_("Số điện thoại «%(value)s» không hợp lệ.") % {"value": text})
        if not international:
            digits = digits[2:]
        if not digits.startswith("84"):
            raise InvalidPhone(
                _("Chỉ nhận số điện thoại Việt Nam (mã quốc gia +84): «%(value)s».")
                % {"value": text}
            )
        digits = _national_from_significant(digits[2:])
    elif digits.startswith("84") and len(digits) in (MOBILE_LENGTH + 1, LANDLINE_LENGTH + 1):
        # 84 followed by the national significant number (9 or 10 digits, never starting with 0).
        digits = _national_from_significant(digits[2:])
    elif not digits.startswith("0") and len(digits) in (MOBILE_LENGTH - 1, LANDLINE_LENGTH - 1):
        # The leading 0 dropped by a spreadsheet.
        digits = "0" + digits

    if digits.startswith("01") and len(digits) == LANDLINE_LENGTH:
        raise InvalidPhone(
            _(
                "Số di động 11 số (đầu 01…) đã được chuyển sang 10 số từ năm 2018;"
                " hãy nhập số mới: «%(value)s»."
            )
            % {"value": text}
        )
    if digits.startswith("02"):
        if len(digits) != LANDLINE_LENGTH:
            raise InvalidPhone(
                _("Số điện thoại cố định phải có 11 chữ số (đang có %(count)d): «%(value)s».")
                % {"count": len(digits), "value": text}
            )
        return digits
    if len(digits) != MOBILE_LENGTH:
        raise InvalidPhone(
            _("Số di động phải có 10 chữ số (đang có %(count)d): «%(value)s».")
            % {"count": len(digits), "value": text}
        )
    if digits[:3] not in MOBILE_PREFIXES:
        raise InvalidPhone(
            _("Đầu số %(prefix)s không phải đầu số di động Việt Nam: «%(value)s».")
            % {"prefix": digits[:3], "value": text}
        )
    return digits


def _national_from_significant(significant: str) -> str:
    """National form from the digits after the country code; a 0 typed after +84 is tolerated."""
    return significant if significant.startswith("0") else "0" + significant


def is_mobile(canonical: str) -> bool:
    """True for a canonical mobile number (10 digits), False for a fixed line."""
    return len(canonical) == MOBILE_LENGTH


def format_phone(number: str) -> str:
    """Display form: "0912 345 678" for mobiles, "024 3825 1234" for Hà Nội and Hồ Chí Minh City
    fixed lines, "0203 382 1234" for other fixed lines.

    The number is normalised first, so raises :class:`InvalidPhone` when it is not valid.
    """
    digits = normalize_phone(number)
    if is_mobile(digits):
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    if digits.startswith(_TWO_DIGIT_AREAS):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
