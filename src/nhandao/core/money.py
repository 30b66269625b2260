"""Money in whole Vietnamese đồng: display, reading aloud in words, and parsing typed amounts.

rules.md, "Names, sorting, money": "1.234.567 đ" with "." for thousands; totals on receipts are
also written in words, capitalised and ending in "đồng".
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

__all__ = ["DIALECTS", "MAX_AMOUNT_IN_WORDS", "amount_in_words", "format_vnd", "parse_vnd"]

DIALECTS = ("north", "south")
# Up to "chín trăm chín mươi chín tỷ tỷ …": nine groups of three digits.
MAX_AMOUNT_IN_WORDS = 10**21 - 1

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_BILLION = 10**9


def _require_int(amount: object, func: str) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"{func}() needs an int amount in đồng, not {type(amount).__name__}")
    return amount


def format_vnd(amount: int) -> str:
    """``1500000`` → ``"1.500.000 đ"``; negative amounts keep their sign ("-1.500.000 đ")."""
    value = _require_int(amount, "format_vnd")
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value):,} đ".replace(",", ".")


def amount_in_words(amount: int, *, dialect: str = "north") -> str:
    """The amount in Vietnamese words, capitalised and ending in "đồng".

    Reading rules (rules.md): a final 1 after a tens digit of 2 or more is "mốt"; a final 4 after
    2 or more is "tư"; a final 5 after a non-zero tens digit is "lăm"; a zero tens digit before a
    unit is "linh" (``dialect="north"``) or "lẻ" (``"south"``); inside a number, a group of three
    digits whose hundreds digit is 0 is read with "không trăm", while a group that is all zeros is
    skipped: 1.005.000 is "Một triệu không trăm linh năm nghìn đồng", 1.000.005 is "Một triệu
    không trăm linh năm đồng". Scales are nghìn, triệu and tỷ; what lies above a tỷ is read as a
    number of tỷ, so round amounts give "nghìn tỷ", "triệu tỷ", "tỷ tỷ" and 1.234.000.000.000 is
    "Một nghìn hai trăm ba mươi tư tỷ đồng".

    Raises TypeError for a non-int, ValueError for a negative amount, an amount above
    :data:`MAX_AMOUNT_IN_WORDS` or an unknown dialect.
    """
    value = _require_int(amount, "amount_in_words")
    if dialect not in DIALECTS:
        raise ValueError(f"dialect must be one of {DIALECTS}, not {dialect!r}")
    if value < 0:
        raise ValueError(_("Không đọc thành chữ được số tiền âm."))
    if value > MAX_AMOUNT_IN_WORDS:
        raise ValueError(_("Số tiền quá lớn để đọc thành chữ."))
    words = _DIGITS[0] if value == 0 else _read(value, leading=True, dialect=dialect)
    return f"{words[0].upper()}{words[1:]} đồng"


def _read(n: int, *, leading: bool, dialect: str) -> str:
    """Words for 0 < n; ``leading`` is False when n continues a larger number."""
    high, low = divmod(n, _BILLION)
    parts: list[str] = []
    if high:
        parts.append(_read(high, leading=leading, dialect=dialect) + " tỷ")
        leading = False
    if low:
        parts.append(_read_below_billion(low, leading=leading, dialect=dialect))
    return " ".join(parts)


def _read_below_billion(n: int, *, leading: bool, dialect: str) -> str:
    parts: list[str] = []
    for scale, group in (("triệu", n // 10**6), ("nghìn", n // 1000 % 1000), ("", n % 1000)):
        if group == 0:
            continue
        words = _read_group(group, full=not leading, dialect=dialect)
        parts.append(f"{words} {scale}" if scale else words)
        leading = False
    return " ".join(parts)


def _read_group(n: int, *, full: bool, dialect: str) -> str:
    """Words for a group 1..999; ``full`` reads a zero hundreds digit ("không trăm")."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append("linh" if dialect == "north" else "lẻ")
            words.append(_DIGITS[units])
        return " ".join(words)
    if tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units == 1:
        words.append("mốt" if tens >= 2 else "một")
    elif units == 4:
        words.append("tư" if tens >= 2 else "bốn")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(_DIGITS[units])
    return " ".join(words)


_CURRENCY_SUFFIX = re.compile(r"\s*(?:đồng|vnđ|vnd|đ|d)\.?\s*$", re.IGNORECASE)
_SPACES = r"[ \u00a0\u202f]"
_PLAIN = re.compile(r"[0-9]+")
_GROUPED = (
    re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+"),
    re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+"),
    re.compile(rf"[0-9]{{1,3}}(?:{_SPACES}[0-9]{{3}})+"),
)


def parse_vnd(text: str) -> int:
    """Read an amount typed in whole đồng: "1.500.000", "1,500,000", "1 500 000", "1500000 đ",
    "1.500.000đ", "1.500.000 VNĐ", "-1.500.000 đ".

    Thousands separators must group exactly three digits and be all of one kind; decimals and
    words ("1,5 triệu") are refused with ValueError (Vietnamese message), never guessed.
    """
    stripped = text.strip()
    body = _CURRENCY_SUFFIX.sub("", stripped).strip()
    negative = body.startswith("-")
    if negative:
        body = body[1:].lstrip()
    if not body:
        raise ValueError(_("Chưa nhập số tiền."))
    if _PLAIN.fullmatch(body) or any(p.fullmatch(body) for p in _GROUPED):
        value = int(re.sub(r"[^0-9]", "", body))
        return -value if negative else value
    raise ValueError(
        _("Số tiền «%(value)s» không hợp lệ; chỉ nhập số đồng, ví dụ 1.500.000.")
        % {"value": stripped}
    )
