"""The Vietnamese lunar calendar: Tết, year names and the Tết Nhân ái campaign title.

rules.md, "Campaign calendar": the Vietnamese calendar is computed for UTC+7, and in some years its
new moons, and so Tết, fall on a different day from the Chinese calendar's (UTC+8); 1985 is the
best-known case (Tết on 21/1/1985 in Vietnam, 20/2/1985 in China).

The ``vnlunar`` library is used through this module only. For 1800-2199 it reads Hồ Ngọc Đức's
published tables, which follow the calendar actually issued in Vietnam (including the years before
1968, when it was still computed for UTC+8); outside that range it computes astronomically for
UTC+7.
"""

from __future__ import annotations

import unicodedata
from datetime import date

import vnlunar
from django.utils.translation import gettext as _

__all__ = [
    "MAX_LUNAR_YEAR",
    "MIN_LUNAR_YEAR",
    "lunar_year_of",
    "tet_campaign_title",
    "tet_date",
    "year_name",
]

# The range in which the library's tables apply and answers are reliable.
MIN_LUNAR_YEAR = 1800
MAX_LUNAR_YEAR = 2199

# Spelling variants of the earthly branches, normalised to the spelling used in rules.md.
_BRANCH_SPELLING = {"Tị": "Tỵ"}


def _check_year(lunar_year: int) -> None:
    if isinstance(lunar_year, bool) or not isinstance(lunar_year, int):
        raise TypeError("the lunar year must be an int")
    if not MIN_LUNAR_YEAR <= lunar_year <= MAX_LUNAR_YEAR:
        raise ValueError(f"lunar year {lunar_year} is outside {MIN_LUNAR_YEAR}-{MAX_LUNAR_YEAR}")


def tet_date(lunar_year: int) -> date:
    """The solar date of Tết (1st day of the 1st lunar month) of ``lunar_year``."""
    _check_year(lunar_year)
    result = vnlunar.convert_lunar_to_solar(1, 1, lunar_year, 0)
    if result is None:  # pragma: no cover - the 1st of month 1 always exists
        raise ValueError(f"no Tết found for lunar year {lunar_year}")
    day, month, year = result
    return date(int(year), int(month), int(day))


def year_name(lunar_year: int) -> str:
    """The sexagenary (can chi) name of the year: 2026 "Bính Ngọ", 2025 "Ất Tỵ"."""
    _check_year(lunar_year)
    name = unicodedata.normalize("NFC", str(vnlunar.get_year_can_chi(lunar_year)))
    stem, _sep, branch = name.partition(" ")
    return f"{stem} {_BRANCH_SPELLING.get(branch, branch)}"


def tet_campaign_title(lunar_year: int) -> str:
    """The name of the Tết Nhân ái campaign: "Tết Nhân ái Xuân Đinh Mùi 2027"."""
    return _("Tết Nhân ái Xuân %(name)s %(year)d") % {
        "name": year_name(lunar_year),
        "year": lunar_year,
    }


def lunar_year_of(d: date) -> int:
    """The lunar year a solar date belongs to (dates before Tết belong to the previous one)."""
    _check_year(d.year)
    lunar = vnlunar.get_lunar_date(d.day, d.month, d.year)
    return int(lunar["year"])
