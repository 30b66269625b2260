"""Citizen ID numbers (căn cước, 12 digits) and old ID card numbers (CMND).

rules.md, "Citizen ID" (Law on Identification 2023; Circular 07/2016/TT-BCA):

* digits 1-3: the province (or country) where the birth was registered, from the 63-province
  code table, which stays valid after the 2025 merger of provinces;
* digit 4: century and sex, 0/1 for 1900-1999 (male/female), 2/3 for 2000-2099, then 4/5, 6/7, 8/9;
* digits 5-6: the last two digits of the year of birth; digits 7-12: random.

A check separates hard errors (not 12 digits) from warnings the user may confirm (unknown
province code, year or sex not matching what is declared). Nothing is ever corrected silently:
only spaces, dots and dashes typed as separators are removed. The province code says where a birth
was registered, never where a person lives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from .dates import today_vn

__all__ = [
    "CITIZEN_ID_LENGTH",
    "LEGACY_ID_LENGTHS",
    "PROVINCE_CODES",
    "IdCheck",
    "check_citizen_id",
    "check_legacy_id",
]

CITIZEN_ID_LENGTH = 12
LEGACY_ID_LENGTHS = (9, 12)

# Codes of the place of birth registration, Circular 07/2016/TT-BCA (as amended by Circular
# 59/2021/TT-BCA): the 63 provinces and cities before the 2025 merger.
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

MALE = "male"
FEMALE = "female"
_SEXES = (MALE, FEMALE)

# Separators people type inside numbers; anything else that is not a digit is an error.
_SEPARATORS = re.compile(r"[\s.\-]+")
_ASCII_DIGITS = frozenset("0123456789")


@dataclass(frozen=True)
class IdCheck:
    """The outcome of checking an ID number.

    ``errors`` make the number unusable; ``warnings`` are for the user to confirm. The decoded
    fields are set only for a well-formed citizen ID: ``century`` is the first year of the birth
    century (1900, 2000, …), ``birth_year2`` the two year digits, ``sex`` "male" or "female".
    """

    normalized: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    province_code: str | None = None
    province_name: str | None = None
    century: int | None = None
    sex: str | None = None
    birth_year2: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def birth_year(self) -> int | None:
        """The full year of birth encoded in the number, when decoded."""
        if self.century is None or self.birth_year2 is None:
            return None
        return self.century + self.birth_year2


def _strip_separators(value: str) -> str:
    return _SEPARATORS.sub("", value)


def _invalid_characters(normalized: str) -> str:
    seen: list[str] = []
    for ch in normalized:
        if ch not in _ASCII_DIGITS and ch not in seen:
            seen.append(ch)
    return " ".join(seen)


def check_citizen_id(
    value: str,
    *,
    birth_date: date | None = None,
    birth_year: int | None = None,
    sex: str | None = None,
) -> IdCheck:
    """Check a 12-digit citizen ID number against what is known of the person.

    ``birth_date`` or ``birth_year`` (not two different years) and ``sex`` ("male", "female") are
    optional; each is compared with the number when given. Raises ValueError for a ``sex`` value
    other than those two, or when ``birth_date`` and ``birth_year`` disagree.
    """
    if sex is not None and sex not in _SEXES:
        raise ValueError(f"sex must be 'male', 'female' or None, not {sex!r}")
    if birth_date is not None and birth_year is not None and birth_date.year != birth_year:
        raise ValueError("birth_date and birth_year disagree")
    declared_year = birth_date.year if birth_date is not None else birth_year

    normalized = _strip_separators(value)
    errors: list[str] = []
    if not normalized:
        errors.append(_("Chưa nhập số CCCD."))
    elif bad := _invalid_characters(normalized):
        errors.append(
            _("Số CCCD chỉ được gồm chữ số (có ký tự không hợp lệ: %(chars)s).") % {"chars": bad}
        )
    elif len(normalized) != CITIZEN_ID_LENGTH:
        errors.append(
            _("Số CCCD phải gồm 12 chữ số (đang có %(count)d).") % {"count": len(normalized)}
        )
    if errors:
        return IdCheck(normalized=normalized, errors=errors)

    warnings: list[str] = []
    province_code = normalized[:3]
    province_name = PROVINCE_CODES.get(province_code)
    if province_name is None:
        warnings.append(
            _("Mã nơi đăng ký khai sinh %(code)s (3 chữ số đầu) không có trong bảng mã tỉnh.")
            % {"code": province_code}
        )

    century_digit = int(normalized[3])
    century = 1900 + 100 * (century_digit // 2)
    decoded_sex = MALE if century_digit % 2 == 0 else FEMALE
    birth_year2 = int(normalized[4:6])
    decoded_year = century + birth_year2

    if decoded_year > today_vn().year:
        warnings.append(
            _("Năm sinh theo số CCCD (%(year)d) nằm trong tương lai.") % {"year": decoded_year}
        )
    if declared_year is not None:
        if declared_year // 100 * 100 != century:
            warnings.append(
                _(
                    "Chữ số thứ 4 của số CCCD ứng với người sinh trong các năm %(start)d–%(end)d,"
                    " không khớp với năm sinh %(year)d."
                )
                % {"start": century, "end": century + 99, "year": declared_year}
            )
        if declared_year % 100 != birth_year2:
            warnings.append(
                _("Chữ số thứ 5–6 của số CCCD (%(digits)s) không khớp với năm sinh %(year)d.")
                % {"digits": normalized[4:6], "year": declared_year}
            )
    if sex is not None and sex != decoded_sex:
        warnings.append(
            _(
                "Chữ số thứ 4 của số CCCD ứng với giới tính %(decoded)s,"
                " không khớp với giới tính %(declared)s đã khai."
            )
            % {"decoded": _sex_label(decoded_sex), "declared": _sex_label(sex)}
        )

    return IdCheck(
        normalized=normalized,
        warnings=warnings,
        province_code=province_code,
        province_name=province_name,
        century=century,
        sex=decoded_sex,
        birth_year2=birth_year2,
    )


def _sex_label(sex: str) -> str:
    return _("nam") if sex == MALE else _("nữ")


def check_legacy_id(value: str) -> IdCheck:
    """Check an old ID card number (CMND): 9 digits, or 12 digits issued before 2016.

    These numbers are kept apart from the citizen ID and used for matching only, so only the
    shape is checked; nothing is decoded.
    """
    normalized = _strip_separators(value)
    errors: list[str] = []
    if not normalized:
        errors.append(_("Chưa nhập số CMND."))
    elif bad := _invalid_characters(normalized):
        errors.append(
            _("Số CMND chỉ được gồm chữ số (có ký tự không hợp lệ: %(chars)s).") % {"chars": bad}
        )
    elif len(normalized) not in LEGACY_ID_LENGTHS:
        errors.append(
            _("Số CMND phải gồm 9 hoặc 12 chữ số (đang có %(count)d).") % {"count": len(normalized)}
        )
    return IdCheck(normalized=normalized, errors=errors)
