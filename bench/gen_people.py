"""Realistic Vietnamese person records with known duplicates, for matching and import benches.

    python -m bench.gen_people --n 1000 --seed 1 --out people.csv [--truth truth.csv]
    python -m bench.gen_people --n 100000 --format xlsx --out people.xlsx
    python -m bench.gen_people --n 5000 --provinces 1,44 --dup-rate 0.2 --out hn_qt.csv

As a module, :func:`generate` streams :class:`PersonRecord` objects; the same seed always gives
the same records. People come in households (head first, then spouse, children, grandparents) that
live in one of the 3,321 wards of 2025 (package ``vietnam_provinces``), in a hamlet named the way
the region names them (thôn, xóm and tổ dân phố in the north, bản in the mountains, buôn, làng and
plei in the Central Highlands, ấp, khu phố and khu vực in the south). About a third of households
are written with their old three-level address (commune, district, province before the merger),
taken from the package ``vietnamadminunits`` and only from old communes that went whole into one
new ward, so the ``ward_code`` of such a record is known exactly.

Names follow Vietnamese family-name frequencies (Huỳnh and Võ in the south, Hoàng and Vũ in the
north, minority family names in the mountains), middle names by sex and generation, 90+ given
names per sex. Citizen IDs follow rules.md: the 63-province code of the place of birth
registration (mostly the old province of the household's commune, a random one for people who
moved), the century/sex digit, the year and six digits that never repeat inside one
province/century/sex/year (so two people never share a number). Older people may carry a 9-digit
CMND.

A share ``dup_rate`` of the output rows are extra copies of an earlier person (same ``entity_id``),
each degraded by one to three of :data:`DEGRADATIONS`; a copy may be a whole household listed
again in another order. ``PersonRecord.degradations`` says what was done to a copy. Hard
negatives are built in: about 3% of new households are headed by a namesake of an earlier person
(same full name, same birth year, same ward, different person), and family members share a family
name and an address.

The CSV is written as communes write their lists (UTF-8 with BOM, Vietnamese headers, group
labels in Vietnamese); ``--truth`` writes ``ref, entity_id, household_ref``. The last line on
stderr gives the rows per second.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import functools
import itertools
import json
import random
import sys
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

try:
    import nhandao  # noqa: F401
except ModuleNotFoundError:  # run as ``python -m bench.gen_people`` from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from nhandao.core.dates import format_date
from nhandao.core.idnumber import PROVINCE_CODES
from nhandao.core.phone import MOBILE_PREFIXES
from nhandao.core.text import fold, split_name

__all__ = [
    "CSV_HEADER",
    "DEGRADATIONS",
    "GROUPS",
    "GROUP_LABELS",
    "TITLE",
    "PersonRecord",
    "csv_row",
    "generate",
    "main",
    "old_address_sample",
    "write_csv",
    "write_xlsx",
]

# --------------------------------------------------------------------------------------------
# Public constants

GROUPS: tuple[str, ...] = (
    "poor",
    "near_poor",
    "disabled",
    "lonely_elderly",
    "orphan",
    "policy_family",
    "agent_orange",
    "disaster",
    "epidemic",
    "fire",
    "traffic_accident",
    "serious_illness",
    "other",
)
GROUP_LABELS: dict[str, str] = {
    "poor": "Hộ nghèo",
    "near_poor": "Hộ cận nghèo",
    "disabled": "Người khuyết tật",
    "lonely_elderly": "Người cao tuổi cô đơn",
    "orphan": "Trẻ mồ côi",
    "policy_family": "Gia đình chính sách",
    "agent_orange": "Nạn nhân chất độc da cam",
    "disaster": "Bị ảnh hưởng thiên tai",
    "epidemic": "Bị ảnh hưởng dịch bệnh",
    "fire": "Bị hỏa hoạn",
    "traffic_accident": "Tai nạn giao thông",
    "serious_illness": "Bệnh hiểm nghèo",
    "other": "Khác",
}
_GROUP_ORDER = {g: i for i, g in enumerate(GROUPS)}

# What a duplicate can suffer. One to three of the first sixteen are drawn for each copy;
# ``legacy_id_missing`` (the old CMND left out, 30% of copies that had one) comes on top, and
# ``household_reordered`` is added to every member of a household copy whose member order differs
# from the original list.
DEGRADATIONS: tuple[str, ...] = (
    "no_diacritics",
    "upper_case",
    "given_typo",
    "tone_placement",
    "nfd",
    "middle_dropped",
    "birth_year_only",
    "day_month_swapped",
    "birth_short",
    "birth_full",
    "id_missing",
    "id_typo",
    "id_transposed",
    "phone_missing",
    "phone_format",
    "address_form",
    "legacy_id_missing",
    "household_reordered",
)
# Degradations that change the citizen ID: a record without them carries a correct number.
ID_DEGRADATIONS = frozenset({"id_typo", "id_transposed"})

CSV_HEADER: tuple[str, ...] = (
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số CCCD",
    "Số CMND",
    "Điện thoại",
    "Địa chỉ",
    "Mã hộ",
    "Chủ hộ",
    "Đối tượng",
    "Mã tham chiếu",
)
TRUTH_HEADER: tuple[str, ...] = ("ref", "entity_id", "household_ref")
TITLE = "DANH SÁCH HỘ NGHÈO, CẬN NGHÈO NĂM 2025"
XLSX_MAX_ROWS = 1_048_576
XLSX_TITLE_ROWS = 6  # rows above the header in the xlsx layout

LIST_YEAR = 2025  # ages are as of the list year
MIN_BIRTH_YEAR = 1930
MAX_BIRTH_YEAR = 2024


@dataclass(slots=True)
class PersonRecord:
    """One row of a beneficiary list, with its ground truth.

    ``birth`` is the date as the list writes it; ``birth_date`` the true date. ``entity_id`` is the
    same for every copy of one person, ``household_ref`` for every member of one household.
    ``degradations`` is empty for an original row and names what was changed in a copy.
    """

    ref: str
    entity_id: str
    full_name: str
    birth: str
    birth_date: date
    sex: str
    id_number: str
    legacy_id: str
    phone: str
    ward_code: int
    hamlet: str
    address_text: str
    household_ref: str
    is_head: bool
    groups: list[str]
    is_duplicate: bool = False
    degradations: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------------
# Names


def _words(text: str, sep: str | None = None) -> list[str]:
    """Words of a multi-line literal; with ``sep``, parts split on it (line breaks ignored)."""
    if sep is None:
        return text.split()
    return [part.strip() for part in text.replace("\n", "").split(sep) if part.strip()]


# (family name, weight north, weight south); the centre uses the mean of the two.
_FAMILY: tuple[tuple[str, float, float], ...] = (
    ("Nguyễn", 38.0, 38.0),
    ("Trần", 11.0, 11.0),
    ("Lê", 9.5, 9.5),
    ("Phạm", 7.0, 7.0),
    ("Hoàng", 5.0, 0.6),
    ("Huỳnh", 0.3, 5.0),
    ("Phan", 4.5, 4.5),
    ("Vũ", 3.9, 0.4),
    ("Võ", 0.5, 3.9),
    ("Đặng", 2.1, 2.1),
    ("Bùi", 2.0, 2.0),
    ("Đỗ", 1.4, 1.4),
    ("Hồ", 1.3, 1.3),
    ("Ngô", 1.3, 1.3),
    ("Dương", 1.0, 1.0),
    ("Lý", 0.5, 0.5),
    ("Đào", 0.45, 0.3),
    ("Đoàn", 0.4, 0.4),
    ("Vương", 0.2, 0.2),
    ("Trịnh", 0.4, 0.2),
    ("Trương", 0.3, 0.5),
    ("Lâm", 0.2, 0.5),
    ("Phùng", 0.3, 0.1),
    ("Mai", 0.3, 0.3),
    ("Tô", 0.2, 0.2),
    ("Hà", 0.4, 0.1),
    ("Tạ", 0.3, 0.2),
    ("Cao", 0.3, 0.3),
    ("Lương", 0.3, 0.2),
    ("Đinh", 0.4, 0.2),
    ("Quách", 0.1, 0.2),
    ("Lưu", 0.2, 0.2),
    ("Thái", 0.1, 0.2),
    ("Châu", 0.05, 0.3),
    ("La", 0.05, 0.1),
    ("Kiều", 0.15, 0.05),
    ("Triệu", 0.2, 0.05),
    ("Chu", 0.2, 0.05),
    ("Nghiêm", 0.1, 0.02),
    ("Khúc", 0.05, 0.01),
    ("Doãn", 0.1, 0.02),
    ("Thân", 0.1, 0.02),
    ("Giang", 0.05, 0.05),
    ("Diệp", 0.02, 0.1),
    ("Hứa", 0.05, 0.1),
    ("Mạc", 0.05, 0.02),
    ("Lục", 0.05, 0.01),
    ("Từ", 0.05, 0.05),
    ("Tôn", 0.03, 0.05),
    ("Ông", 0.02, 0.05),
    ("Tăng", 0.02, 0.1),
    ("Văn", 0.05, 0.05),
    ("Kim", 0.02, 0.1),
    ("Thạch", 0.01, 0.15),
    ("Danh", 0.0, 0.15),
    ("Sơn", 0.01, 0.08),
)
# Minority family names weighted up in the northern mountains; Kinh names keep a third of theirs.
_MOUNTAIN_EXTRA: tuple[tuple[str, float], ...] = (
    ("Hoàng", 6.0),
    ("Nông", 4.0),
    ("Lò", 4.0),
    ("Lường", 2.0),
    ("Cầm", 2.0),
    ("Quàng", 1.5),
    ("Vi", 2.0),
    ("Hà", 3.0),
    ("Sùng", 2.0),
    ("Giàng", 3.0),
    ("Thào", 2.0),
    ("Vàng", 2.0),
    ("Lầu", 1.0),
    ("Mùa", 1.0),
    ("Lý", 2.0),
    ("Triệu", 2.0),
    ("Bàn", 1.0),
    ("Lù", 1.0),
)
_HMONG_FAMILIES = frozenset({"Sùng", "Giàng", "Thào", "Vàng", "Lầu", "Mùa"})
_HMONG_GIVEN_M = _words(
    """
Páo Sính Chứ Dình Lử Tủa Vừ Pó Sử Chá Súa Thề Chu Nhìa Dế Tráng Giống Lềnh
"""
)
_HMONG_GIVEN_F = _words(
    """
Mỷ Dợ Mai Dở Chá Pà Mẩy Xí Dua Súa Chua Say Lan Dính Của
"""
)
_MALE_GIVEN = _words(
    """
Hùng Dũng Tuấn Minh Hải Nam Long Sơn Thắng Cường Hoàng Huy Khánh Phong Quân Tùng Trung Thành
Bình An Đức Hiếu Hiển Hậu Hòa Hưng Hoàn Kiên Lâm Lộc Lợi Luân Mạnh Nghĩa Nhân Phúc Phước Quang
Quý Sang Tài Tâm Tân Thái Thanh Thiện Thịnh Thông Tiến Toàn Trí Trọng Trường Tú Việt Vinh Vũ
Vương Xuân Bảo Chiến Công Danh Đạt Định Đông Giang Hào Hiệp Hợp Khoa Khôi Lực Nguyên Ninh Phát
Quyết Tấn Thuận Tính Tuyên Duy Khang Khải Lương Nhật Phú Sỹ Thạch Triều Tường Anh Đăng Kiệt
Lập Lượng Phụng Quyền Sáng Tuệ Thủy Uy Vĩnh Vỹ Dương Đại Hoan Huấn Khiêm
"""
)
_FEMALE_GIVEN = _words(
    """
Hoa Lan Hương Hằng Hạnh Huyền Hà Hiền Hồng Hòa Hải Liên Linh Loan Mai My Nga Ngân Ngọc Nhung
Oanh Phương Phượng Quyên Quỳnh Tâm Thảo Thanh Thắm Thu Thúy Thủy Trang Trâm Tuyết Uyên Vân
Xuân Yến Anh Ánh Bích Chi Cúc Dung Duyên Diệp Diệu Đào Gấm Giang Hậu Khánh Kim Lệ Liễu Lụa
Mận Mến Minh Nhàn Nhi Như Sen Thơ Thoa Thương Tình Trinh Tươi Vy Xuyến Hường Huệ Lài Ly Ngà
Ngoan Phấn Quế Sương Thêu Tiên Hoài Hân Châu Diễm Hảo Nguyệt Nhạn Nụ Thùy Tuyền Vui Xoan Dịu
"""
)
_MALE_MIDDLE = _words(
    """
Đức Hữu Minh Quang Công Xuân Thanh Ngọc Đình Trọng Quốc Thành Tiến Mạnh Hoàng Gia Bảo Anh Duy
Trung Tuấn Viết Bá Khắc Như Kim Hồng Thế Chí Đăng Nhật Phúc Tấn Thái
"""
)
_FEMALE_MIDDLE = _words(
    """
Ngọc Thu Thanh Kim Mỹ Hồng Phương Thùy Bích Minh Khánh Bảo Hải Diệu Quỳnh Tuyết Hoài Mai Lan
Thúy Ánh Hà Như Xuân Cẩm Huyền Thảo Yến Hoàng Tường Vân
"""
)
# --------------------------------------------------------------------------------------------
# Hamlets

_VILLAGE_A = _words(
    """
Yên Phú Đông Tân Cổ Hòa Vân Đình Kim Văn Ngọc Lạc Thọ Hương Đại Thượng Hạ An
"""
)
_VILLAGE_B = _words(
    """
Thượng Hạ Đông Nam Bắc Trung Lộc Phú Yên Xá Lai Trì Hòa Khê Lâm Xuyên Sơn Vĩnh
"""
)
_SOUTH_A = _words(
    """
Tân Phú Bình An Long Hòa Mỹ Vĩnh Phước Thạnh Hưng Thới Đông Tây Trung Thuận Lợi
Hiệp Phong Xuân Thanh Đức Hội Nhơn
"""
)
_SOUTH_B = _words(
    """
Hòa An Bình Lợi Phú Thạnh Hưng Long Thuận Mỹ Lộc Thành Đông Tây Trung Hiệp Quới
Phước Khánh Xuân Thịnh Điền Hậu Tiến Lập Hội Định
"""
)
_TAI_A = _words(
    """
Nà Huổi Pá Nậm Co Phiêng Khau Pác Bó Hua Lũng Noong Mường Tà Sìn Na Chiềng Tát Hát
"""
)
_TAI_B = _words(
    """
Phặc Hẹ Lạnh Cang Sản Tong Mạ Hốc Chè Ún Khoang Lay Mòn Pục Sẳng Sa Luông Xa Cọ
Vai Đin Lếch Ban Tấu
"""
)
_BUON = _words(
    """
Buôn Ea Sup|Buôn Kô Sia|Buôn Ko Tam|Buôn Cuôr Đăng|Buôn Ea Kmát|Buôn Drai|Buôn Tơng Jú|
Buôn Trấp|Buôn Ako Dhông|Buôn M'Blang|Buôn Ea Bông|Buôn Êa Na|Buôn Kmrơng Prông|Buôn Ky
""",
    "|",
)
_LANG = _words(
    """
Plei Ốp|Plei Ku|Làng Đê Kjiêng|Plei Chuet|Làng Kon Klor|Làng Kon Rơ Bàng|Plei Phung|
Làng Đê Rơn|Plei Kép|Làng Bồn|Plei Thơ Ga|Làng Mơ Nang
""",
    "|",
)
_BON = _words(
    """
Bon Bu Prăng|Bon Jun Jú|Bon N'Jiang|Bon Ja Ráh|Bon Bu Đăk|Bon R'Lơm|Bon Sar Pa|
Bon Bu Sir
""",
    "|",
)
# Region of each 2025 province (by code) and the share of rural hamlets that are bản there.
_REGION: dict[int, str] = {
    **dict.fromkeys((1, 22, 24, 31, 33, 37), "north"),
    **dict.fromkeys((4, 8, 11, 12, 14, 15, 20), "mountain"),
    **dict.fromkeys((19, 25), "midland"),
    **dict.fromkeys((38, 40, 42, 44), "north_central"),
    **dict.fromkeys((46, 48, 51, 56), "central"),
    **dict.fromkeys((52, 66, 68), "highlands"),
    **dict.fromkeys((75, 79, 80, 82, 86, 91, 92, 96), "south"),
}
_BAN_SHARE: dict[int, float] = {11: 0.8, 12: 0.8, 14: 0.8, 4: 0.35, 8: 0.4, 15: 0.5, 20: 0.3}
_KHMER_PROVINCES = frozenset({86, 91, 92, 96})


# (pattern, weight); "{n}" is the hamlet number, "{v}" a village name, "{s}" a southern name,
# "{t}" a Tai name, "{b}"/"{l}"/"{o}" a buôn/làng/bon name.
_RURAL_STYLES: dict[str, tuple[tuple[str, float], ...]] = {
    "north": (("Thôn {n}", 0.35), ("Thôn {v}", 0.45), ("Xóm {n}", 0.2)),
    "midland": (("Xóm {v}", 0.4), ("Thôn {v}", 0.3), ("Khu {n}", 0.2), ("Bản {t}", 0.1)),
    "north_central": (("Thôn {n}", 0.4), ("Thôn {v}", 0.25), ("Xóm {n}", 0.23), ("Bản {t}", 0.12)),
    "central": (("Thôn {v}", 0.5), ("Thôn {n}", 0.5)),
    "highlands": (("Thôn {n}", 0.5), ("{b}", 0.2), ("{l}", 0.2), ("{o}", 0.1)),
    "south": (("Ấp {s}", 0.7), ("Ấp {n}", 0.3)),
}
_URBAN_STYLES: dict[str, tuple[tuple[str, float], ...]] = {
    "north": (("Tổ dân phố {n}", 0.75), ("Tổ dân phố số {n}", 0.15), ("Tổ {n}", 0.1)),
    "mountain": (("Tổ dân phố {n}", 0.6), ("Tổ {n}", 0.4)),
    "midland": (("Tổ dân phố {n}", 0.6), ("Tổ {n}", 0.4)),
    "north_central": (("Tổ dân phố {n}", 0.5), ("Khối {n}", 0.5)),
    "central": (("Tổ dân phố {n}", 0.5), ("Tổ {n}", 0.3), ("Khu phố {n}", 0.2)),
    "highlands": (("Tổ dân phố {n}", 1.0),),
    "south": (("Khu phố {n}", 0.6), ("Khu vực {n}", 0.25), ("Khu phố {s}", 0.15)),
}
# Placeholders in the patterns: compound names, and fixed lists of minority village names.
_COMPOUNDS: dict[str, tuple[list[str], list[str]]] = {
    "{v}": (_VILLAGE_A, _VILLAGE_B),
    "{s}": (_SOUTH_A, _SOUTH_B),
    "{t}": (_TAI_A, _TAI_B),
}
_NAME_LISTS: dict[str, list[str]] = {"{b}": _BUON, "{l}": _LANG, "{o}": _BON}


# --------------------------------------------------------------------------------------------
# Static tables (built once per process)


@dataclass(slots=True)
class _OldCommune:
    """A pre-2025 commune that went whole into one new ward."""

    province_code: str  # 3-digit code of the 63-province table
    lower: str  # ", xã Vĩnh Thủy, huyện Vĩnh Linh, tỉnh Quảng Trị"
    upper: str  # ", Xã Vĩnh Thủy, Huyện Vĩnh Linh, Tỉnh Quảng Trị"


@dataclass(slots=True)
class _Ward:
    code: int
    name: str
    province_code: int
    new_suffix: str  # ", Xã Vĩnh Linh, Tỉnh Quảng Trị"
    urban: bool
    region: str
    old_communes: tuple[_OldCommune, ...]
    old_codes: tuple[str, ...]  # old province codes of the old communes it covers (with splits)
    weight: float


@dataclass(slots=True)
class _Static:
    wards: list[_Ward]
    province_names: dict[int, str]
    old_codes_by_province: dict[int, tuple[str, ...]]


def _lower_type(name: str, unit_type: str | None) -> str:
    if unit_type and name.startswith(unit_type + " "):
        return unit_type.lower() + name[len(unit_type) :]
    return name


def _old_units() -> tuple[dict[int, list[_OldCommune]], dict[int, set[str]], dict[str, set[str]]]:
    """Old communes by new ward code, old province codes by new ward, by new province key.

    Uses ``vietnamadminunits``: its legacy table (63 provinces, districts, communes) through
    ``vietnamadminunits.database.get_data`` and its 2025 conversion table (package data): old
    ``province_district_commune`` keys that went whole into a new ward, and those split between
    several. New wards are matched to ``vietnam_provinces`` codes by province and name.
    Returns empty tables when the package is missing.
    """
    try:
        import vietnamadminunits
        from vietnamadminunits.database import get_data
    except ImportError:  # pragma: no cover - optional data source
        return {}, {}, {}
    import vietnam_provinces

    nested = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    by_name: dict[tuple[int, str], int] = {}
    by_fold: dict[tuple[int, str], list[int]] = {}
    for province in nested:
        for ward in province["wards"]:
            by_name[(province["code"], ward["name"])] = ward["code"]
            by_fold.setdefault((province["code"], fold(ward["name"])), []).append(ward["code"])

    new_code: dict[tuple[str, str], int] = {}
    province_code_by_key: dict[str, int] = {}
    for row in get_data(
        fields=["provinceCode", "provinceKey", "wardCode", "ward", "wardKey"], table="admin_units"
    ):
        pcode = int(row["provinceCode"])
        province_code_by_key[row["provinceKey"]] = pcode
        code = by_name.get((pcode, row["ward"]))
        if code is None:
            candidates = by_fold.get((pcode, fold(row["ward"])), [])
            if len(candidates) == 1:
                code = candidates[0]
            elif int(row["wardCode"]) in candidates:
                code = int(row["wardCode"])
        if code is not None:
            new_code[(row["provinceKey"], row["wardKey"])] = code

    legacy: dict[str, dict[str, str]] = {}
    old_province_code_by_key: dict[str, str] = {}
    for row in get_data(
        fields=[
            "province",
            "district",
            "ward",
            "provinceKey",
            "districtKey",
            "wardKey",
            "provinceCode",
            "districtType",
            "wardType",
        ],
        table="admin_units_legacy",
    ):
        old_province_code_by_key[row["provinceKey"]] = f"{int(row['provinceCode']):03d}"
        if row["wardType"]:
            key = f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey']}"
            legacy[key] = row

    data_path = Path(vietnamadminunits.__file__).parent / "data" / "converter_2025.json"
    converter = json.loads(data_path.read_text(encoding="utf-8"))

    communes: dict[int, list[_OldCommune]] = {}
    codes: dict[int, set[str]] = {}
    for province_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, old_keys in wards.items():
            code = new_code.get((province_key, ward_key))
            if code is None:
                continue
            for old_key in old_keys:
                row = legacy.get(old_key)
                if row is None:
                    continue
                old_code = f"{int(row['provinceCode']):03d}"
                province_type = "Tỉnh" if row["province"].startswith("Tỉnh ") else "Thành phố"
                lower = ", ".join(
                    (
                        "",
                        _lower_type(row["ward"], row["wardType"]),
                        _lower_type(row["district"], row["districtType"]),
                        _lower_type(row["province"], province_type),
                    )
                )
                upper = ", ".join(("", row["ward"], row["district"], row["province"]))
                communes.setdefault(code, []).append(_OldCommune(old_code, lower, upper))
                codes.setdefault(code, set()).add(old_code)
    for province_key, splits in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, targets in splits.items():
            old_code = old_province_code_by_key.get(old_key.split("_", 1)[0])
            if old_code is None:
                continue
            for target in targets:
                code = new_code.get((province_key, target["newWardKey"]))
                if code is not None:
                    codes.setdefault(code, set()).add(old_code)

    by_province: dict[str, set[str]] = {}
    for new_key, old_keys in converter["DICT_PROVINCE"].items():
        by_province[new_key] = {
            old_province_code_by_key[k] for k in old_keys if k in old_province_code_by_key
        }
    by_province_code = {
        str(province_code_by_key[k]): v for k, v in by_province.items() if k in province_code_by_key
    }
    return communes, codes, by_province_code


@functools.cache
def _static() -> _Static:
    import vietnam_provinces

    nested = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    communes, codes, by_province = _old_units()
    # Fallback: old province codes whose name appears in the new province's name.
    name_to_code = {name: code for code, name in PROVINCE_CODES.items()}
    wards: list[_Ward] = []
    province_names: dict[int, str] = {}
    old_codes_by_province: dict[int, tuple[str, ...]] = {}
    for province in nested:
        pcode = province["code"]
        pname = province["name"]
        display = pname if pname.startswith("Thành phố") else f"Tỉnh {pname}"
        province_names[pcode] = display
        old = by_province.get(str(pcode)) or set()
        short = pname.removeprefix("Thành phố ").strip()
        if short in name_to_code:
            old.add(name_to_code[short])
        if not old:
            old = {f"{pcode:03d}"} if f"{pcode:03d}" in PROVINCE_CODES else {"001"}
        old_codes_by_province[pcode] = tuple(sorted(old))
        region = _REGION.get(pcode, "central")
        for ward in province["wards"]:
            urban = ward["division_type"] == "phường"
            ward_old = tuple(communes.get(ward["code"], ()))
            ward_codes = tuple(sorted(codes.get(ward["code"], ()))) or old_codes_by_province[pcode]
            weight = 1.6 if urban else 0.3 if ward["division_type"] == "đặc khu" else 1.0
            wards.append(
                _Ward(
                    code=ward["code"],
                    name=ward["name"],
                    province_code=pcode,
                    new_suffix=f", {ward['name']}, {display}",
                    urban=urban,
                    region=region,
                    old_communes=ward_old,
                    old_codes=ward_codes,
                    weight=weight,
                )
            )
    return _Static(wards, province_names, old_codes_by_province)


def old_address_sample(
    k: int = 20, *, seed: int = 1, province_codes: Sequence[int] | None = None
) -> list[tuple[str, int]]:
    """``k`` old three-level addresses ("xã Vĩnh Thủy, huyện Vĩnh Linh, tỉnh Quảng Trị") with
    the code of the 2025 ward they went into, for checking an address converter.

    Only old communes that went whole into one ward are used, here and in the generated
    addresses. (``vietnamadminunits.convert_address`` geocodes online when an address of a
    commune that was split carries a street or hamlet part; these samples carry none.)
    """
    static = _static()
    allowed = set(province_codes) if province_codes else None
    pairs = [
        (commune.lower[2:], ward.code)
        for ward in static.wards
        if allowed is None or ward.province_code in allowed
        for commune in ward.old_communes
    ]
    return random.Random(seed).sample(pairs, min(k, len(pairs)))


# --------------------------------------------------------------------------------------------
# Small helpers


def _cumulative(weights: Iterable[float]) -> list[float]:
    return list(itertools.accumulate(weights))


class _Picker:
    """Weighted choice by bisection over cumulative weights (faster than Random.choices)."""

    __slots__ = ("cum", "items", "last", "total")

    def __init__(self, items: Sequence[str], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum = _cumulative(weights)
        self.total = self.cum[-1]
        self.last = len(self.items) - 1

    def pick(self, rnd: float) -> str:
        """The item for a uniform number ``rnd`` in [0, 1)."""
        return self.items[bisect.bisect_right(self.cum, rnd * self.total, 0, self.last)]


def _zipf(items: Sequence[str], s: float = 0.8, offset: float = 4.0) -> _Picker:
    unique = list(dict.fromkeys(items))
    return _Picker(unique, [1.0 / (i + offset) ** s for i in range(len(unique))])


_TONE_MARKS = ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
_TONE_SET = frozenset(_TONE_MARKS)


def strip_diacritics(s: str) -> str:
    """ "Nguyễn Thị Đào" -> "Nguyen Thi Dao" (letter case kept)."""
    out = "".join(ch for ch in unicodedata.normalize("NFD", s) if not unicodedata.combining(ch))
    return out.replace("đ", "d").replace("Đ", "D")


@functools.lru_cache(maxsize=4096)
def _toggle_tone_word(word: str) -> str:
    """Move the tone mark of a final "oa", "oe" or "uy" to the other vowel ("Hòa" <-> "Hoà")."""
    clusters: list[list[str]] = []
    for ch in unicodedata.normalize("NFD", word):
        if unicodedata.combining(ch) and clusters:
            clusters[-1].append(ch)
        else:
            clusters.append([ch])
    if len(clusters) < 2:
        return word
    first, second = clusters[-2], clusters[-1]
    pair = (first[0].lower(), second[0].lower())
    if pair not in (("o", "a"), ("o", "e"), ("u", "y")):
        return word
    if pair == ("u", "y") and len(clusters) >= 3 and clusters[-3][0].lower() == "q":
        return word
    if len(first) > 1 and first[1] in _TONE_SET and len(second) == 1:
        second.append(first.pop(1))
    elif len(second) > 1 and second[1] in _TONE_SET and len(first) == 1:
        first.append(second.pop(1))
    else:
        return word
    return unicodedata.normalize("NFC", "".join("".join(c) for c in clusters))


def toggle_tone_placement(name: str) -> str:
    """ "Nguyễn Thị Hòa" <-> "Nguyễn Thị Hoà"; unchanged when no syllable allows it."""
    return " ".join(_toggle_tone_word(w) for w in name.split(" "))


def _typo(word: str, rng: random.Random) -> str:
    """One letter swapped or dropped, or the tone changed."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = [i for i, ch in enumerate(decomposed) if ch in _TONE_SET]
    kind = rng.random()
    if tones and kind < 0.4:
        i = tones[0]
        choices = [t for t in (*_TONE_MARKS, "") if t != decomposed[i]]
        out = decomposed[:i] + rng.choice(choices) + decomposed[i + 1 :]
        return unicodedata.normalize("NFC", out)
    if len(word) >= 3 and kind < 0.7:
        i = rng.randrange(1, len(word))
        return word[:i] + word[i + 1 :]
    # Two adjacent letters swapped, never the capital: "Hùng" -> "Hùgn".
    swaps = [i for i in range(1, len(word) - 1) if word[i] != word[i + 1]]
    if swaps:
        i = rng.choice(swaps)
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if tones:
        return unicodedata.normalize("NFC", decomposed.replace(decomposed[tones[0]], "", 1))
    return word + word[-1]


def _phone_digits(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    if phone.startswith("+84") or (digits.startswith("84") and len(digits) == 11):
        digits = "0" + digits[2:]
    elif len(digits) == 9:
        digits = "0" + digits
    return digits


def _phone_variant(digits: str, rng: random.Random, *, avoid: str = "") -> str:
    forms = (
        digits,
        f"{digits[:4]} {digits[4:7]} {digits[7:]}",
        f"{digits[:4]}.{digits[4:7]}.{digits[7:]}",
        "+84" + digits[1:],
        f"+84 {digits[1:4]} {digits[4:7]} {digits[7:]}",
        "84" + digits[1:],
        digits[1:],  # the leading 0 lost in a spreadsheet
    )
    candidates = [f for f in forms if f != avoid]
    return rng.choice(candidates)


# --------------------------------------------------------------------------------------------
# The generator


@dataclass(slots=True)
class _Household:
    ref: str
    ward: _Ward
    hamlet: str
    address: str
    alt_address: str  # the other form (old <-> new), or "" when no old commune is known
    members: list[PersonRecord]
    copies: int = 0  # duplicate events drawn from this household so far


_HOUSEHOLD_TYPES = _Picker(
    [
        "elderly_single",
        "elderly_couple",
        "couple_kids",
        "three_gen",
        "single_parent",
        "single_adult",
        "grandparent_orphans",
    ],
    [14, 8, 40, 18, 7, 7, 3],
)
_KIDS = _Picker(["0", "1", "2", "3", "4"], [8, 25, 38, 20, 9])
_RING_SIZE = 8000  # recent households a duplicate may copy
_RESERVOIR_SIZE = 4000  # plus a uniform sample of all earlier households
_MAX_COPY_EVENTS = 3  # a household is copied (whole or one member) at most this often
_NAMESAKE_RATE = 0.03
_OLD_ADDRESS_RATE = 0.35
_ID_SERIAL_STEP = 738_457  # odd and not a multiple of 5: a bijection on 0..999,999
_CMND_PREFIXES = [f"{i:02d}" for i in range(1, 39)]

_DEGRADE_WEIGHTS: dict[str, float] = {
    "no_diacritics": 10,
    "upper_case": 6,
    "given_typo": 8,
    "tone_placement": 4,
    "nfd": 2,
    "middle_dropped": 5,
    "birth_year_only": 6,
    "day_month_swapped": 5,
    "birth_short": 4,
    "birth_full": 3,
    "id_missing": 8,
    "id_typo": 5,
    "id_transposed": 3,
    "phone_missing": 5,
    "phone_format": 5,
    "address_form": 6,
}
_DEGRADE_PICKER = _Picker(list(_DEGRADE_WEIGHTS), list(_DEGRADE_WEIGHTS.values()))

# Degradations that cannot be combined (one birth form, one ID change, one phone change; a name
# without diacritics has no tone to move or decompose).
_EXCLUSIVE: dict[str, frozenset[str]] = {op: frozenset() for op in _DEGRADE_WEIGHTS}
for _group, _ops in {
    "birth": ("birth_year_only", "day_month_swapped", "birth_short", "birth_full"),
    "id": ("id_missing", "id_typo", "id_transposed"),
    "phone": ("phone_missing", "phone_format"),
    "marks": ("no_diacritics", "tone_placement", "nfd"),
}.items():
    for _op in _ops:
        _EXCLUSIVE[_op] = _EXCLUSIVE[_op] | {_group}


class _Generator:
    def __init__(self, seed: int, province_codes: Sequence[int] | None) -> None:
        static = _static()
        self.seed = seed
        self.rng = random.Random(seed)
        wards = static.wards
        if province_codes is not None:
            known = set(static.province_names)
            unknown = sorted(set(province_codes) - known)
            if unknown or not province_codes:
                raise ValueError(
                    f"unknown province codes {unknown}; the 2025 codes are {sorted(known)}"
                )
            allowed = set(province_codes)
            wards = [w for w in wards if w.province_code in allowed]
        self.wards = wards
        self.ward_cum = _cumulative(w.weight for w in wards)
        self.ward_total = self.ward_cum[-1]
        self.all_old_codes = sorted(PROVINCE_CODES)
        self.hamlets: dict[int, list[str]] = {}
        self.disaster_wards: dict[int, bool] = {}
        self.id_serials: dict[tuple[str, int, int], list[int]] = {}
        self.entity_count = 0
        self.household_count = 0

        self.family_north = _Picker([f for f, _, _ in _FAMILY], [n for _, n, _ in _FAMILY])
        self.family_south = _Picker([f for f, _, _ in _FAMILY], [s for _, _, s in _FAMILY])
        self.family_central = _Picker(
            [f for f, _, _ in _FAMILY], [(n + s) / 2 for _, n, s in _FAMILY]
        )
        mountain = {f: n / 3 for f, n, _ in _FAMILY}
        for f, w in _MOUNTAIN_EXTRA:
            mountain[f] = mountain.get(f, 0.0) + w
        self.family_mountain = _Picker(list(mountain), list(mountain.values()))
        self.male_given = _zipf(_MALE_GIVEN)
        self.female_given = _zipf(_FEMALE_GIVEN)
        self.male_middle = _zipf(_MALE_MIDDLE, s=1.0, offset=2.0)
        self.female_middle = _zipf(_FEMALE_MIDDLE, s=1.0, offset=2.0)
        self.mobile_prefixes = sorted(MOBILE_PREFIXES)
        self.birth_starts = {y: date(y, 1, 1).toordinal() for y in range(1900, 2031)}

    # -- places ---------------------------------------------------------------------------

    def _pick_ward(self) -> _Ward:
        rnd = self.rng.random() * self.ward_total
        return self.wards[bisect.bisect_right(self.ward_cum, rnd, 0, len(self.wards) - 1)]

    def _hamlets(self, ward: _Ward) -> list[str]:
        names = self.hamlets.get(ward.code)
        if names is not None:
            return names
        # Seeded by (seed, ward) so a ward's hamlets do not depend on generation order.
        r = random.Random(self.seed * 1_000_003 + ward.code)
        if ward.urban:
            styles = _URBAN_STYLES.get(ward.region, _URBAN_STYLES["north"])
            count = r.randint(5, 24)
        else:
            region = ward.region
            if region == "mountain":
                ban = _BAN_SHARE.get(ward.province_code, 0.4)
                styles = (
                    ("Bản {t}", ban),
                    ("Thôn {t}", (1 - ban) / 2),
                    ("Thôn {v}", (1 - ban) / 2),
                )
            else:
                styles = _RURAL_STYLES.get(region, _RURAL_STYLES["central"])
            if region == "highlands":
                # Gia Lai: làng and plei; Đắk Lắk: buôn; Lâm Đồng (with Đắk Nông): bon.
                special = {52: "{l}", 66: "{b}", 68: "{o}"}[ward.province_code]
                styles = (("Thôn {n}", 0.55), ("Thôn {v}", 0.1), (special, 0.35))
            count = r.randint(4, 16)
        patterns = [p for p, _ in styles]
        weights = [w for _, w in styles]
        # One main style per ward, as in real communes, with a few others mixed in.
        main = r.choices(patterns, weights)[0]
        names_out: list[str] = []
        seen: set[str] = set()
        number = 0
        for _ in range(count * 3):
            if len(names_out) >= count:
                break
            pattern = main if r.random() < 0.8 else r.choices(patterns, weights)[0]
            if pattern in _NAME_LISTS:
                name = r.choice(_NAME_LISTS[pattern])
            else:
                name = pattern
                if "{n}" in name:
                    number += 1
                    name = name.replace("{n}", str(number))
                for key, (first, second) in _COMPOUNDS.items():
                    if key in name:
                        name = name.replace(key, self._compound(r, first, second))
            if name not in seen:
                seen.add(name)
                names_out.append(name)
        self.hamlets[ward.code] = names_out
        return names_out

    @staticmethod
    def _compound(r: random.Random, first: Sequence[str], second: Sequence[str]) -> str:
        a = r.choice(first)
        b = r.choice(second)
        while b == a:
            b = r.choice(second)
        return f"{a} {b}"

    def _is_disaster_ward(self, ward: _Ward) -> bool:
        hit = self.disaster_wards.get(ward.code)
        if hit is None:
            hit = random.Random(self.seed * 7_919 + ward.code).random() < 0.12
            self.disaster_wards[ward.code] = hit
        return hit

    # -- people ---------------------------------------------------------------------------

    def _family_picker(self, ward: _Ward) -> _Picker:
        region = ward.region
        if region == "south":
            return self.family_south
        if region in ("mountain", "midland") and (region == "mountain" or self.rng.random() < 0.3):
            return self.family_mountain
        if region in ("north", "midland", "north_central"):
            return self.family_north
        return self.family_central

    def _family_name(self, ward: _Ward) -> str:
        rnd = self.rng.random()
        if ward.province_code in _KHMER_PROVINCES and rnd < 0.04:
            return ("Thạch", "Danh", "Sơn", "Kim", "Lâm")[int(rnd * 125)]
        return self._family_picker(ward).pick(self.rng.random())

    def _given_and_middle(self, family: str, male: bool, year: int, avoid: set[str]) -> str:
        rng = self.rng
        if family in _HMONG_FAMILIES:
            names = _HMONG_GIVEN_M if male else _HMONG_GIVEN_F
            given = names[int(rng.random() * len(names))]
            for _ in range(5):
                if given not in avoid:
                    break
                given = names[int(rng.random() * len(names))]
            avoid.add(given)
            if male:
                middle = "A" if rng.random() < 0.75 else "Văn"
            else:
                middle = "Thị" if rng.random() < 0.7 else ""
            return f"{middle} {given}" if middle else given
        picker = self.male_given if male else self.female_given
        given = picker.pick(rng.random())
        for _ in range(5):
            if given not in avoid:
                break
            given = picker.pick(rng.random())
        avoid.add(given)
        # Văn/Thị dominate older generations; younger people get varied and double middles.
        young = year >= 1990
        traditional = ("Văn" if male else "Thị") if rng.random() < (0.3 if young else 0.7) else ""
        middles = self.male_middle if male else self.female_middle
        r = rng.random()
        if r < 0.02:
            middle = ""
        elif r < (0.2 if young else 0.05):
            other = middles.pick(rng.random())
            if traditional:
                middle = f"{traditional} {other}"
            else:
                second = middles.pick(rng.random())
                middle = other if second == other else f"{other} {second}"
        else:
            middle = traditional or middles.pick(rng.random())
        if middle.endswith(given) or middle == given:
            middle = traditional or ("Văn" if male else "Thị")
        return f"{middle} {given}" if middle else given

    def _birth(self, age_low: int, age_high: int) -> date:
        year = LIST_YEAR - (age_low + int(self.rng.random() * (age_high - age_low + 1)))
        year = min(max(year, MIN_BIRTH_YEAR), MAX_BIRTH_YEAR)
        start = self.birth_starts[year]
        days = self.birth_starts[year + 1] - start
        return date.fromordinal(start + int(self.rng.random() * days))

    def _birth_text(self, d: date) -> str:
        r = self.rng.random()
        old = d.year < 1950
        if r < (0.25 if old else 0.08):
            return str(d.year)
        if r < (0.27 if old else 0.1):
            return ""
        if r < 0.86:
            return format_date(d)
        if r < 0.94:
            return f"{d.day}/{d.month}/{d.year}"
        if r < 0.97:
            return f"{d.day:02d}-{d.month:02d}-{d.year}"
        return f"{d.day:02d}.{d.month:02d}.{d.year}"

    def _citizen_id(self, province: str, male: bool, d: date) -> str:
        century = (d.year - 1900) // 100
        digit = 2 * century + (0 if male else 1)
        yy = d.year % 100
        key = (province, digit, yy)
        state = self.id_serials.get(key)
        if state is None:
            state = [0, self.rng.randrange(1_000_000)]
            self.id_serials[key] = state
        serial = (state[1] + state[0] * _ID_SERIAL_STEP) % 1_000_000
        state[0] += 1
        return f"{province}{digit}{yy:02d}{serial:06d}"

    def _mobile(self) -> str:
        rng = self.rng
        prefix = self.mobile_prefixes[int(rng.random() * len(self.mobile_prefixes))]
        return f"{prefix}{int(rng.random() * 10_000_000):07d}"

    def _person(
        self,
        hh: _Household,
        *,
        male: bool,
        birth: date,
        family: str,
        home_code: str,
        is_head: bool,
        avoid: set[str],
        head_phone: str,
        name: str = "",
        local: float = 0.9,
    ) -> PersonRecord:
        rng = self.rng
        self.entity_count += 1
        age = LIST_YEAR - birth.year
        full_name = name or f"{family} {self._given_and_middle(family, male, birth.year, avoid)}"
        # Place of birth registration: mostly the household's old province.
        province = (
            home_code
            if rng.random() < local
            else self.all_old_codes[int(rng.random() * len(self.all_old_codes))]
        )
        has_id = rng.random() < (0.92 if age >= 14 else 0.3)
        id_number = self._citizen_id(province, male, birth) if has_id else ""
        legacy = ""
        if birth.year <= 1995 and rng.random() < 0.35:
            prefix = _CMND_PREFIXES[int(rng.random() * len(_CMND_PREFIXES))]
            legacy = f"{prefix}{int(rng.random() * 10_000_000):07d}"
        own_phone = 0.85 if is_head else 0.0 if age < 15 else 0.3 if age < 18 or age > 70 else 0.6
        phone = ""
        r = rng.random()
        if r < own_phone:
            phone = self._mobile()
            f = rng.random()
            if f >= 0.85:
                phone = _phone_variant(phone, rng, avoid=phone)
        elif head_phone and r < own_phone + (1 - own_phone) * 0.25:
            phone = head_phone
        return PersonRecord(
            ref="",
            entity_id=f"P{self.entity_count:07d}",
            full_name=full_name,
            birth=self._birth_text(birth),
            birth_date=birth,
            sex="male" if male else "female",
            id_number=id_number,
            legacy_id=legacy,
            phone=phone,
            ward_code=hh.ward.code,
            hamlet=hh.hamlet,
            address_text=hh.address,
            household_ref=hh.ref,
            is_head=is_head,
            groups=[],
        )

    # -- households -----------------------------------------------------------------------

    def new_household(
        self, namesake: PersonRecord | None = None, ward: _Ward | None = None
    ) -> _Household:
        rng = self.rng
        self.household_count += 1
        ward = ward or self._pick_ward()
        hamlets = self._hamlets(ward)
        hamlet = hamlets[int(rng.random() * len(hamlets))]
        street = f"Số {self._int(1, 199)}, " if ward.urban and rng.random() < 0.25 else ""
        new_address = f"{street}{hamlet}{ward.new_suffix}"
        old_address = ""
        home_code = ward.old_codes[int(rng.random() * len(ward.old_codes))]
        if ward.old_communes:
            commune = ward.old_communes[int(rng.random() * len(ward.old_communes))]
            home_code = commune.province_code
            suffix = commune.lower if rng.random() < 0.7 else commune.upper
            old_address = f"{street}{hamlet}{suffix}"
        if old_address and rng.random() < _OLD_ADDRESS_RATE:
            address, alt = old_address, new_address
        else:
            address, alt = new_address, old_address
        hh = _Household(f"H{self.household_count:07d}", ward, hamlet, address, alt, [])

        if namesake is not None:
            age = LIST_YEAR - namesake.birth_date.year
            kind = (
                ("elderly_single" if rng.random() < 0.5 else "elderly_couple")
                if age >= 60
                else "couple_kids"
                if age >= 22
                else "single_adult"
            )
        else:
            kind = _HOUSEHOLD_TYPES.pick(rng.random())
        family = self._family_name(ward)
        avoid: set[str] = set()
        members = hh.members

        def add(male: bool, birth: date, fam: str, *, head: bool = False, name: str = "") -> None:
            head_phone = members[0].phone if members else ""
            spouse_local = 0.9 if head or len(members) != 1 else 0.75
            members.append(
                self._person(
                    hh,
                    male=male,
                    birth=birth,
                    family=fam,
                    home_code=home_code,
                    is_head=head,
                    avoid=avoid,
                    head_phone=head_phone,
                    name=name,
                    local=spouse_local,
                )
            )

        def head_birth(low: int, high: int) -> date:
            if namesake is None:
                return self._birth(low, high)
            year = namesake.birth_date.year
            start = self.birth_starts[year]
            days = self.birth_starts[year + 1] - start
            return date.fromordinal(start + int(rng.random() * days))

        if namesake is not None:
            head_male = namesake.sex == "male"
            family = split_name(namesake.full_name).family or family
        else:
            head_male = rng.random() < (0.3 if kind == "elderly_single" else 0.8)
        head_name = namesake.full_name if namesake is not None else ""

        if kind in ("elderly_single", "elderly_couple"):
            hb = head_birth(60, 95) if namesake else self._elderly_birth(60)
            add(head_male, hb, family, head=True, name=head_name)
            if kind == "elderly_couple":
                gap = self._int(0, 6)
                sb = self._near(hb, gap if head_male else -gap)
                add(not head_male, sb, self._family_name(ward))
        elif kind == "single_adult":
            hb = head_birth(18, 59)
            add(head_male, hb, family, head=True, name=head_name)
        elif kind == "single_parent":
            hb = head_birth(24, 55)
            add(False, hb, family, head=True)
            kids_family = family if rng.random() < 0.5 else self._family_name(ward)
            self._kids(add, hb, kids_family, self._int(1, 3))
        elif kind == "grandparent_orphans":
            hb = self._elderly_birth(55)
            add(head_male, hb, family, head=True, name=head_name)
            if rng.random() < 0.5:
                sb = self._near(hb, self._int(0, 5) * (1 if head_male else -1))
                add(not head_male, sb, self._family_name(ward))
            for _ in range(self._int(1, 3)):
                kb = self._birth(2, 17)
                add(rng.random() < 0.5, kb, family)
        else:  # couple_kids, three_gen
            hb = head_birth(22, 60)
            add(head_male, hb, family, head=True, name=head_name)
            if rng.random() < 0.92:
                gap = self._int(-1, 7)
                sb = self._near(hb, gap if head_male else -gap)
                add(not head_male, sb, self._family_name(ward))
            kids_family = family if head_male or rng.random() < 0.2 else self._family_name(ward)
            self._kids(add, hb, kids_family, int(_KIDS.pick(rng.random())))
            if kind == "three_gen":
                for i in range(1 if rng.random() < 0.6 else 2):
                    gap = self._int(20, 35)
                    if hb.year - gap < MIN_BIRTH_YEAR:
                        break
                    pb = self._near(hb, -gap)
                    # The head's father carries the family name; mothers and in-laws their own.
                    father = i == 0 and head_male and rng.random() < 0.4
                    add(father, pb, family if father else self._family_name(ward))
        self._groups(hh, kind)
        return hh

    def _int(self, low: int, high: int) -> int:
        """Like ``randint`` (both ends included), without its overhead."""
        return low + int(self.rng.random() * (high - low + 1))

    def _elderly_birth(self, min_age: int) -> date:
        """Age from ``min_age`` to 95, thinning out with age (few nonagenarians)."""
        age = min_age + int((95 - min_age + 1) * self.rng.random() ** 1.8)
        return self._birth(age, age)

    def _near(self, d: date, years: int) -> date:
        year = min(max(d.year + years, MIN_BIRTH_YEAR), MAX_BIRTH_YEAR)
        start = self.birth_starts[year]
        days = self.birth_starts[year + 1] - start
        return date.fromordinal(start + int(self.rng.random() * days))

    def _kids(
        self, add: Callable[[bool, date, str], None], parent_birth: date, family: str, count: int
    ) -> None:
        rng = self.rng
        first = parent_birth.year + self._int(20, 30)
        for i in range(count):
            year = first + i * self._int(1, 4)
            if year > MAX_BIRTH_YEAR:
                break
            start = self.birth_starts[year]
            days = self.birth_starts[year + 1] - start
            add(rng.random() < 0.52, date.fromordinal(start + int(rng.random() * days)), family)

    def _groups(self, hh: _Household, kind: str) -> None:
        rng = self.rng
        region = hh.ward.region
        r = rng.random()
        poor_share = 0.55 if region in ("mountain", "highlands") else 0.35
        shared: list[str] = []
        if r < poor_share:
            shared.append("poor")
        elif r < poor_share + 0.3:
            shared.append("near_poor")
        if rng.random() < (0.45 if self._is_disaster_ward(hh.ward) else 0.03):
            shared.append("disaster")
        if rng.random() < 0.01:
            shared.append("epidemic")
        if rng.random() < 0.005:
            shared.append("fire")
        alone = len(hh.members) == 1
        any_group = bool(shared)
        for person in hh.members:
            age = LIST_YEAR - person.birth_date.year
            groups = list(shared)
            if rng.random() < (0.1 if age >= 60 else 0.03):
                groups.append("disabled")
            if age >= 60 and alone and rng.random() < 0.75:
                groups.append("lonely_elderly")
            if age < 18 and (kind == "grandparent_orphans" or rng.random() < 0.005):
                groups.append("orphan")
            if rng.random() < (0.12 if person.birth_date.year <= 1960 else 0.02):
                groups.append("policy_family")
            if rng.random() < (0.03 if person.birth_date.year <= 1975 else 0.008):
                groups.append("agent_orange")
            if age >= 16 and rng.random() < 0.005:
                groups.append("traffic_accident")
            if rng.random() < (0.05 if age >= 50 else 0.015):
                groups.append("serious_illness")
            if rng.random() < 0.01:
                groups.append("other")
            if len(groups) > len(shared):
                any_group = True
                groups.sort(key=_GROUP_ORDER.__getitem__)
            person.groups = groups
        if not any_group:
            head = hh.members[0]
            head.groups = [("serious_illness", "disabled", "other")[int(rng.random() * 3)]]

    # -- duplicates -----------------------------------------------------------------------

    def _applicable(self, op: str, rec: PersonRecord, hh: _Household) -> bool:
        if op == "no_diacritics":
            return not rec.full_name.isascii()
        if op == "tone_placement":
            return toggle_tone_placement(rec.full_name) != rec.full_name
        if op == "middle_dropped":
            return rec.full_name.count(" ") >= 2
        if op in ("birth_year_only", "birth_short"):
            return rec.birth not in ("", str(rec.birth_date.year))
        if op == "birth_full":
            return rec.birth in ("", str(rec.birth_date.year))
        if op == "day_month_swapped":
            return rec.birth_date.day != rec.birth_date.month
        if op in ("id_missing", "id_typo", "id_transposed"):
            return bool(rec.id_number)
        if op in ("phone_missing", "phone_format"):
            return bool(rec.phone)
        if op == "address_form":
            return bool(hh.alt_address)
        return True

    def _degrade(
        self, rec: PersonRecord, hh: _Household, ops: list[str], address: str
    ) -> PersonRecord:
        rng = self.rng
        name, birth, id_number, phone = rec.full_name, rec.birth, rec.id_number, rec.phone
        d = rec.birth_date
        done: list[str] = []
        for op in ops:
            if op == "address_form":
                done.append(op)
                continue
            if op == "no_diacritics":
                name = strip_diacritics(name)
            elif op == "upper_case":
                name = name.upper()
            elif op == "given_typo":
                head, _, given = name.rpartition(" ")
                given = _typo(given, rng)
                name = f"{head} {given}" if head else given
            elif op == "tone_placement":
                name = toggle_tone_placement(name)
            elif op == "nfd":
                name = unicodedata.normalize("NFD", name)
            elif op == "middle_dropped":
                parts = name.split(" ")
                if len(parts) >= 3:
                    name = f"{parts[0]} {parts[-1]}"
            elif op == "birth_year_only":
                birth = str(d.year)
            elif op == "day_month_swapped":
                birth = f"{d.month:02d}/{d.day:02d}/{d.year}"
            elif op == "birth_short":
                birth = f"{d.day}/{d.month}/{d.year % 100:02d}"
            elif op == "birth_full":
                birth = format_date(d)
            elif op == "id_missing":
                id_number = ""
            elif op == "id_typo" and id_number:
                i = rng.randrange(len(id_number))
                digit = rng.choice([c for c in "0123456789" if c != id_number[i]])
                id_number = id_number[:i] + digit + id_number[i + 1 :]
            elif op == "id_transposed" and id_number:
                swaps = [i for i in range(len(id_number) - 1) if id_number[i] != id_number[i + 1]]
                if swaps:
                    i = rng.choice(swaps)
                    id_number = id_number[:i] + id_number[i + 1] + id_number[i] + id_number[i + 2 :]
            elif op == "phone_missing":
                phone = ""
            elif op == "phone_format" and phone:
                phone = _phone_variant(_phone_digits(phone), rng, avoid=phone)
            done.append(op)
        legacy = rec.legacy_id
        if legacy and rng.random() < 0.3:
            legacy = ""
            done.append("legacy_id_missing")
        return PersonRecord(
            ref="",
            entity_id=rec.entity_id,
            full_name=name,
            birth=birth,
            birth_date=d,
            sex=rec.sex,
            id_number=id_number,
            legacy_id=legacy,
            phone=phone,
            ward_code=rec.ward_code,
            hamlet=rec.hamlet,
            address_text=address,
            household_ref=rec.household_ref,
            is_head=rec.is_head,
            groups=list(rec.groups),
            is_duplicate=True,
            degradations=tuple(done),
        )

    def _choose_ops(self, rec: PersonRecord, hh: _Household) -> list[str]:
        rng = self.rng
        k = 1 + (rng.random() < 0.55) + (rng.random() < 0.3)
        ops: list[str] = []
        for _ in range(24):
            op = _DEGRADE_PICKER.pick(rng.random())
            if (
                op not in ops
                and not any(_EXCLUSIVE[op] & _EXCLUSIVE[o] for o in ops)
                and self._applicable(op, rec, hh)
            ):
                ops.append(op)
                if len(ops) >= k:
                    break
        # Name ops first so a case change follows a typo; "nfd" last (decomposes the result).
        ops.sort(key=lambda o: (o == "upper_case", o == "nfd"))
        return ops

    @staticmethod
    def _visible(rec: PersonRecord) -> tuple[str, str, str, str, str]:
        return (rec.full_name, rec.birth, rec.id_number, rec.phone, rec.address_text)

    def duplicate_person(self, hh: _Household, rec: PersonRecord, address: str) -> PersonRecord:
        ops = self._choose_ops(rec, hh)
        if "address_form" in ops:
            address = hh.alt_address
        copy = self._degrade(rec, hh, ops, address)
        if self._visible(copy) == self._visible(rec):
            # Every chosen op was a no-op here (a typo undone by another): force a visible one.
            fallback = "upper_case" if rec.full_name != rec.full_name.upper() else "birth_full"
            copy = self._degrade(rec, hh, [*ops, fallback], copy.address_text)
        return copy

    def duplicate_household(self, hh: _Household) -> list[PersonRecord]:
        rng = self.rng
        members = list(hh.members)
        rng.shuffle(members)
        reordered = members != hh.members
        address = hh.alt_address if hh.alt_address and rng.random() < 0.4 else hh.address
        copies = []
        for rec in members:
            copy = self.duplicate_person(hh, rec, address)
            if address != hh.address and "address_form" not in copy.degradations:
                copy.degradations = (*copy.degradations, "address_form")
            if reordered:
                copy.degradations = (*copy.degradations, "household_reordered")
            copies.append(copy)
        return copies


def generate(
    n: int,
    *,
    seed: int = 1,
    dup_rate: float = 0.15,
    province_codes: list[int] | None = None,
) -> Iterator[PersonRecord]:
    """Yield ``n`` person records, deterministically for a given ``seed``.

    A share ``dup_rate`` (0 <= dup_rate < 1) of them are degraded copies of earlier records;
    ``province_codes`` limits the wards to those 2025 provinces (codes of ``vietnam_provinces``,
    e.g. ``[1, 44]`` for Hà Nội and Quảng Trị). Records stream: memory stays bounded whatever
    ``n`` (a few thousand recent households are kept as the pool duplicates are drawn from).
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    if not 0 <= dup_rate < 1:
        raise ValueError("dup_rate must be in [0, 1)")
    gen = _Generator(seed, province_codes)
    rng = gen.rng
    ring: deque[_Household] = deque(maxlen=_RING_SIZE)
    reservoir: list[_Household] = []
    seen_households = 0
    emitted = 0
    dups = 0
    while emitted < n:
        deficit = dup_rate * emitted - dups
        source = None
        if ring and deficit > rng.random() * 2.0:
            pool: Sequence[_Household] = reservoir if reservoir and rng.random() < 0.3 else ring
            for _ in range(4):
                hh = pool[int(rng.random() * len(pool))]
                if hh.copies < _MAX_COPY_EVENTS:
                    source = hh
                    break
            else:
                if deficit > 10:  # a very high dup_rate: let the cap give way
                    source = hh
        if source is not None:
            hh = source
            hh.copies += 1
            if len(hh.members) > 1 and rng.random() < 0.25:
                records = gen.duplicate_household(hh)
            else:
                rec = hh.members[int(rng.random() * len(hh.members))]
                records = [gen.duplicate_person(hh, rec, hh.address)]
        else:
            namesake = None
            ward = None
            if ring and rng.random() < _NAMESAKE_RATE:
                other = ring[int(rng.random() * len(ring))]
                adults = [m for m in other.members if LIST_YEAR - m.birth_date.year >= 18]
                if adults:
                    namesake = adults[int(rng.random() * len(adults))]
                    ward = other.ward
            hh = gen.new_household(namesake, ward)
            seen_households += 1
            ring.append(hh)
            if len(reservoir) < _RESERVOIR_SIZE:
                reservoir.append(hh)
            else:
                j = int(rng.random() * seen_households)
                if j < _RESERVOIR_SIZE:
                    reservoir[j] = hh
            records = hh.members
        for rec in records:
            if emitted >= n:
                return
            emitted += 1
            rec.ref = f"R{emitted:07d}"
            if rec.is_duplicate:
                dups += 1
            yield rec


# --------------------------------------------------------------------------------------------
# Writers and CLI


def csv_row(stt: int, rec: PersonRecord) -> tuple[str, ...]:
    """One row of the commune list, in :data:`CSV_HEADER` order."""
    return (
        str(stt),
        rec.full_name,
        rec.birth,
        "Nam" if rec.sex == "male" else "Nữ",
        rec.id_number,
        rec.legacy_id,
        rec.phone,
        rec.address_text,
        rec.household_ref,
        "x" if rec.is_head else "",
        "; ".join([GROUP_LABELS[g] for g in rec.groups]),
        rec.ref,
    )


def write_csv(records: Iterable[PersonRecord], out: Path, truth: Path | None = None) -> int:
    """Write the list (UTF-8 with BOM) and optionally the ground truth; return the row count."""
    count = 0
    with out.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_HEADER)
        truth_file = truth.open("w", encoding="utf-8", newline="") if truth else None
        try:
            truth_writer = csv.writer(truth_file) if truth_file else None
            if truth_writer:
                truth_writer.writerow(TRUTH_HEADER)
            for count, rec in enumerate(records, 1):
                writer.writerow(csv_row(count, rec))
                if truth_writer:
                    truth_writer.writerow((rec.ref, rec.entity_id, rec.household_ref))
        finally:
            if truth_file:
                truth_file.close()
    return count


def write_xlsx(
    records: Iterable[PersonRecord],
    out: Path,
    truth: Path | None = None,
    *,
    subtitle: str = "",
) -> int:
    """Write the list as communes lay it out: a title block with merged cells above the header.

    Uses xlsxwriter in constant_memory mode (rows are flushed as written).
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    sheet = workbook.add_worksheet("Danh sách")
    bold_center = workbook.add_format({"bold": True, "align": "center", "valign": "vcenter"})
    title = workbook.add_format({"bold": True, "align": "center", "font_size": 14})
    italic = workbook.add_format({"italic": True, "align": "center"})
    header = workbook.add_format(
        {"bold": True, "align": "center", "valign": "vcenter", "border": 1, "text_wrap": True}
    )
    widths = (6, 28, 12, 8, 15, 12, 14, 60, 10, 7, 30, 11)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    last = len(CSV_HEADER) - 1
    sheet.merge_range(0, 0, 0, 3, "ỦY BAN NHÂN DÂN", bold_center)
    sheet.merge_range(0, 5, 0, last, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold_center)
    sheet.merge_range(1, 0, 1, 3, "BAN CHỈ ĐẠO GIẢM NGHÈO", bold_center)
    sheet.merge_range(1, 5, 1, last, "Độc lập - Tự do - Hạnh phúc", bold_center)
    sheet.merge_range(3, 0, 3, last, TITLE, title)
    sheet.merge_range(
        4,
        0,
        4,
        last,
        subtitle or "(Kèm theo Quyết định số      /QĐ-UBND ngày    tháng    năm 2025)",
        italic,
    )
    header_row = XLSX_TITLE_ROWS
    for col, text in enumerate(CSV_HEADER):
        sheet.write_string(header_row, col, text, header)
    write = sheet.write_string
    count = 0
    truth_file = truth.open("w", encoding="utf-8", newline="") if truth else None
    try:
        truth_writer = csv.writer(truth_file) if truth_file else None
        if truth_writer:
            truth_writer.writerow(TRUTH_HEADER)
        row = header_row
        for count, rec in enumerate(records, 1):
            row += 1
            if row >= XLSX_MAX_ROWS:
                raise ValueError(f"xlsx holds at most {XLSX_MAX_ROWS - header_row - 1} records")
            sheet.write_number(row, 0, count)
            for col, value in enumerate(csv_row(count, rec)[1:], 1):
                if value:
                    write(row, col, value)
            if truth_writer:
                truth_writer.writerow((rec.ref, rec.entity_id, rec.household_ref))
    finally:
        workbook.close()
        if truth_file:
            truth_file.close()
    return count


def _province_list(text: str) -> list[int]:
    return [int(part) for part in text.replace(" ", "").split(",") if part]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.gen_people",
        description="Write realistic Vietnamese person records with known duplicates.",
    )
    parser.add_argument("--n", type=int, default=1000, help="number of rows (default 1000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dup-rate", type=float, default=0.15, help="share of duplicate rows")
    parser.add_argument("--provinces", type=_province_list, default=None, help="e.g. 1,44")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--format", choices=("csv", "xlsx"), default=None)
    parser.add_argument("--truth", type=Path, default=None, help="ground-truth CSV")
    args = parser.parse_args(argv)
    fmt = args.format or ("xlsx" if args.out.suffix.lower() == ".xlsx" else "csv")
    if fmt == "xlsx" and args.n > XLSX_MAX_ROWS - XLSX_TITLE_ROWS - 1:
        parser.error(f"--format xlsx holds at most {XLSX_MAX_ROWS - XLSX_TITLE_ROWS - 1} rows")

    started = time.perf_counter()
    try:
        records = generate(
            args.n, seed=args.seed, dup_rate=args.dup_rate, province_codes=args.provinces
        )
        writer = write_xlsx if fmt == "xlsx" else write_csv
        count = writer(records, args.out, args.truth)
    except ValueError as exc:
        parser.error(str(exc))
    elapsed = time.perf_counter() - started
    rate = count / elapsed if elapsed > 0 else float("inf")
    print(
        f"wrote {count:,} rows to {args.out} ({fmt}) in {elapsed:.1f} s: {rate:,.0f} rows/s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
