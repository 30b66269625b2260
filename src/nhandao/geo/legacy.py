"""Old three-level addresses (before 1/7/2025) to the new commune-level unit.

Lists kept by communes still write "Thôn 3, xã Vĩnh Thủy, huyện Vĩnh Linh, tỉnh Quảng Trị": 63
provinces, districts, pre-merger communes. :func:`convert_address` finds the old commune with the
``vietnamadminunits`` package (its offline parser and its table of which old commune went into
which new one), then returns the new ward's code in the official list of the
``vietnam_provinces`` package, which ``geo.Ward`` mirrors with the same codes. The two packages do
not always agree on codes (vietnamadminunits sometimes keeps the code of a merged commune), so the
new ward is found by province code and ward name (exact, then :func:`nhandao.core.text.fold`).

Addresses already in the new two-level form ("xã Vĩnh Thủy, tỉnh Quảng Trị") map directly
(``was_legacy`` False). Abbreviations "X.", "P.", "TT.", "H.", "Q.", "TX.", "TP.", "T." and
text without diacritics are accepted. The part before the commune ("Thôn 3", "Ấp Hòa Lợi",
"Số 5 đường Lê Lợi, tổ 2") is returned as ``detail`` exactly as written.

An old commune split between several new ones: ``ward_code`` is None, ``candidates`` lists the
new wards and ``note`` says so; ``suggested_ward_code`` is the one vietnamadminunits marks as the
default (where most of the old commune went), for the interface to preselect. We never call the
library's ``convert_address``: for split communes it geocodes the street over the network.

Pure functions; no database and no network. The package data is loaded on first use (about a
third of a second).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.utils.translation import gettext as _

from nhandao.core.text import fold, nfc

__all__ = ["LegacyAddress", "convert_address"]


@dataclass(frozen=True)
class LegacyAddress:
    original: str  # the address as written
    ward_code: int | None  # the new commune-level unit (geo.Ward code), when certain
    province_code: int | None  # the new province (geo.Province code)
    detail: str  # hamlet, group, house number and street: the part before the commune
    was_legacy: bool  # written with the old units (district, or a province or commune since merged)
    note: str = ""  # Vietnamese, when the ward could not be determined with certainty
    ward_name: str = ""
    province_name: str = ""
    candidates: tuple[int, ...] = ()  # new wards an old split commune went into
    suggested_ward_code: int | None = None  # the library's default among the candidates
    old_ward: str = ""  # the old units recognised, as named in the old list
    old_district: str = ""
    old_province: str = ""


# --------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class _Official:
    province_names: dict[int, str]
    ward_names: dict[int, str]
    ward_province: dict[int, int]
    by_name: dict[tuple[int, str], list[int]]
    by_fold: dict[tuple[int, str], list[int]]


@cache
def _official() -> _Official:
    import vietnam_provinces

    data: list[dict[str, Any]] = json.loads(
        vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8")
    )
    province_names: dict[int, str] = {}
    ward_names: dict[int, str] = {}
    ward_province: dict[int, int] = {}
    by_name: dict[tuple[int, str], list[int]] = {}
    by_fold: dict[tuple[int, str], list[int]] = {}
    for province in data:
        pcode = int(province["code"])
        province_names[pcode] = province["name"]
        for ward in province["wards"]:
            code = int(ward["code"])
            ward_names[code] = ward["name"]
            ward_province[code] = pcode
            by_name.setdefault((pcode, nfc(ward["name"])), []).append(code)
            by_fold.setdefault((pcode, fold(ward["name"])), []).append(code)
    return _Official(province_names, ward_names, ward_province, by_name, by_fold)


@dataclass(frozen=True)
class _Library:
    parse: Any
    legacy_parser: Any
    new_parser: Any
    old_to_new_province: dict[str, str]
    old_to_new_ward: dict[str, tuple[str, str]]  # "prov_dist_ward" -> (new province, new ward)
    divided: dict[str, tuple[str, list[dict[str, Any]]]]


@cache
def _library() -> _Library:
    from vietnamadminunits import parse_address
    from vietnamadminunits.converter import converter_2025
    from vietnamadminunits.parser import parser_from_2025, parser_legacy

    old_to_new_province = {
        old: new for new, olds in converter_2025.DICT_PROVINCE.items() for old in olds
    }
    old_to_new_ward = {
        old: (new_province, new_ward)
        for new_province, wards in converter_2025.DICT_PROVINCE_WARD_NO_DIVIDED.items()
        for new_ward, olds in wards.items()
        for old in olds
    }
    divided = {
        old: (new_province, options)
        for new_province, olds in converter_2025.DICT_PROVINCE_WARD_DIVIDED.items()
        for old, options in olds.items()
    }
    return _Library(
        parse_address,
        parser_legacy,
        parser_from_2025,
        old_to_new_province,
        old_to_new_ward,
        divided,
    )


def _new_province_code(province_key: str) -> int | None:
    entry = _library().new_parser.DICT_PROVINCE.get(province_key)
    return int(entry["provinceCode"]) if entry else None


def _official_ward(province_key: str, ward_key: str) -> int | None:
    """Code in the official list of a new ward named by vietnamadminunits keys."""
    parser = _library().new_parser
    pcode = _new_province_code(province_key)
    if pcode is None:
        return None
    for table in (
        parser.DICT_PROVINCE_WARD_NO_ACCENTED,
        parser.DICT_PROVINCE_WARD_ACCENTED,
        parser.DICT_PROVINCE_WARD_SHORT_ACCENTED,
    ):
        entry = table.get(province_key, {}).get(ward_key)
        if entry:
            return _official_by_name(pcode, entry["ward"])
    return None


def _official_by_name(province_code: int, name: str) -> int | None:
    official = _official()
    codes = official.by_name.get((province_code, nfc(name))) or official.by_fold.get(
        (province_code, fold(name))
    )
    return codes[0] if codes and len(codes) == 1 else None


# --------------------------------------------------------------------------------------------
# Text


_PREFIXES = (
    (re.compile(r"^(?:tp|t\.p)\s*\.?\s*(?=\S)", re.IGNORECASE), "Thành phố "),
    (re.compile(r"^tx\s*\.?\s*(?=\S)", re.IGNORECASE), "Thị xã "),
    (re.compile(r"^tt\s*\.?\s*(?=\S)", re.IGNORECASE), "Thị trấn "),
    (re.compile(r"^x\s*\.\s*", re.IGNORECASE), "Xã "),
    (re.compile(r"^h\s*\.\s*", re.IGNORECASE), "Huyện "),
    (re.compile(r"^t\s*\.\s*", re.IGNORECASE), "Tỉnh "),
    (re.compile(r"^p\s*\.\s*", re.IGNORECASE), "Phường "),
    (re.compile(r"^q\s*\.\s*", re.IGNORECASE), "Quận "),
    (re.compile(r"^p(?=\d)", re.IGNORECASE), "Phường "),
    (re.compile(r"^q(?=\d)", re.IGNORECASE), "Quận "),
)
# Unit words that start the administrative part of an address.
_UNIT_WORDS = (
    "xã|phường|thị trấn|huyện|quận|thị xã|thành phố|tỉnh|đặc khu|"
    "xa|phuong|thi tran|huyen|quan|thi xa|thanh pho|tinh|dac khu|"
    r"tp\.?|tx\.?|tt\.?|x\.|h\.|p\.|q\.|t\."
)
_BEFORE_UNIT = re.compile(rf"\s+(?=(?:{_UNIT_WORDS})(?:\s|\d))", re.IGNORECASE)
_FOLDED_UNITS = ("xa", "phuong", "thi tran", "huyen", "quan", "thi xa", "thanh pho", "tinh")


def _parts(text: str) -> list[str]:
    """Split into comma parts, with abbreviations written out."""
    text = re.sub(r"\s+[-–—]\s+|;", ",", text)
    if "," not in text:
        text = _BEFORE_UNIT.sub(", ", text)
    parts: list[str] = []
    for raw in text.split(","):
        part = raw.strip(" .")
        for pattern, replacement in _PREFIXES:
            expanded = pattern.sub(replacement, part, count=1)
            if expanded != part:
                part = expanded
                break
        if part:
            parts.append(part)
    return parts


def _detail(parts: list[str], ward_names: tuple[str, ...]) -> str:
    """The parts before the first administrative part (a unit word or the ward's name)."""
    folded_names = {fold(n) for n in ward_names if n}
    for index, part in enumerate(parts):
        folded = fold(part)
        if folded in folded_names or any(
            folded == unit or folded.startswith(unit + " ") for unit in _FOLDED_UNITS
        ):
            return ", ".join(parts[:index])
    return ""


# --------------------------------------------------------------------------------------------
# Conversion


def convert_address(text: str) -> LegacyAddress:
    """Find the new commune-level unit of an address written the old or the new way."""
    original = text
    clean = nfc(text or "")
    if not clean:
        return LegacyAddress(original, None, None, "", False, note=_("Chưa có địa chỉ."))
    parts = _parts(clean)
    normalized = ", ".join(parts)
    library = _library()
    old = library.parse(normalized, mode="LEGACY", level=3, keep_street=False)
    if old.ward_key and old.district_key and old.province_key:
        return _from_old(original, parts, old)
    new = library.parse(normalized, mode="FROM_2025", level=2, keep_street=False)
    if new.ward_key and new.province_key:
        code = _official_ward(new.province_key, new.ward_key)
        if code is not None:
            return _result(original, parts, code, (new.ward, new.short_ward), was_legacy=False)
    if old.province_key:
        found = _old_ward_by_name(old.province_key, parts)
        if found is not None:
            return _from_old(original, parts, found)
    return _unresolved(original, clean, parts, old, new)


def _result(
    original: str,
    parts: list[str],
    code: int,
    names: tuple[str, ...],
    *,
    was_legacy: bool,
    old: Any = None,
    note: str = "",
) -> LegacyAddress:
    official = _official()
    province_code = official.ward_province[code]
    return LegacyAddress(
        original=original,
        ward_code=code,
        province_code=province_code,
        detail=_detail(parts, names),
        was_legacy=was_legacy,
        note=note,
        ward_name=official.ward_names[code],
        province_name=official.province_names[province_code],
        old_ward=(old.ward or "") if old is not None else "",
        old_district=(old.district or "") if old is not None else "",
        old_province=(old.province or "") if old is not None else "",
    )


def _from_old(original: str, parts: list[str], old: Any) -> LegacyAddress:
    library = _library()
    official = _official()
    key = f"{old.province_key}_{old.district_key}_{old.ward_key}"
    names = (old.ward, old.short_ward)
    new_province = library.old_to_new_province.get(old.province_key)
    province_code = _new_province_code(new_province) if new_province else None
    if key in library.old_to_new_ward:
        province_key, ward_key = library.old_to_new_ward[key]
        code = _official_ward(province_key, ward_key)
        if code is not None:
            return _result(original, parts, code, names, was_legacy=True, old=old)
    elif key in library.divided:
        province_key, options = library.divided[key]
        province_code = _new_province_code(province_key)
        codes: list[int] = []
        suggested: int | None = None
        for option in options:
            code = _official_ward(province_key, option["newWardKey"])
            if code is None or code in codes:
                continue
            codes.append(code)
            if option.get("isDefaultNewWard"):
                suggested = code
        if len(codes) == 1:
            return _result(original, parts, codes[0], names, was_legacy=True, old=old)
        if codes:
            return LegacyAddress(
                original=original,
                ward_code=None,
                province_code=province_code,
                detail=_detail(parts, names),
                was_legacy=True,
                note=_(
                    "%(old)s cũ (%(district)s, %(province)s) nay được chia cho nhiều đơn vị: "
                    "%(candidates)s. Hãy chọn xã/phường đúng theo địa chỉ cụ thể."
                )
                % {
                    "old": old.ward,
                    "district": old.district,
                    "province": old.province,
                    "candidates": ", ".join(official.ward_names[c] for c in codes),
                },
                province_name=official.province_names.get(province_code or 0, ""),
                candidates=tuple(codes),
                suggested_ward_code=suggested,
                old_ward=old.ward or "",
                old_district=old.district or "",
                old_province=old.province or "",
            )
    return LegacyAddress(
        original=original,
        ward_code=None,
        province_code=province_code,
        detail=_detail(parts, names),
        was_legacy=True,
        note=_("Không tìm thấy đơn vị mới của %(old)s cũ (%(district)s, %(province)s).")
        % {"old": old.ward, "district": old.district, "province": old.province},
        province_name=official.province_names.get(province_code or 0, ""),
        old_ward=old.ward or "",
        old_district=old.district or "",
        old_province=old.province or "",
    )


@dataclass
class _OldUnit:
    """An old commune found by name inside its old province (the district was left out)."""

    province_key: str
    district_key: str
    ward_key: str
    province: str
    district: str
    ward: str
    short_ward: str


def _old_ward_by_name(province_key: str, parts: list[str]) -> _OldUnit | None:
    """An old commune named in one of the parts, searched in every district of the old
    province; only a single match counts."""
    parser = _library().legacy_parser
    province = parser.DICT_PROVINCE[province_key]["province"]
    wanted = {fold(p) for p in parts}
    matches: list[_OldUnit] = []
    for district_key, wards in parser.DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED.get(
        province_key, {}
    ).items():
        district = parser.DICT_PROVINCE_DISTRICT[province_key][district_key]["district"]
        for ward_key, ward in wards.items():
            if fold(ward["ward"]) in wanted:
                matches.append(
                    _OldUnit(
                        province_key,
                        district_key,
                        ward_key,
                        province,
                        district,
                        ward["ward"],
                        ward["wardShort"],
                    )
                )
    return matches[0] if len(matches) == 1 else None


def _unresolved(original: str, clean: str, parts: list[str], old: Any, new: Any) -> LegacyAddress:
    library = _library()
    official = _official()
    province_key = None
    was_legacy = False
    if old.province_key and old.province_key in library.old_to_new_province:
        province_key = library.old_to_new_province[old.province_key]
        was_legacy = province_key != old.province_key or bool(old.district_key)
    if new.province_key and not was_legacy:
        province_key = new.province_key
    province_code = _new_province_code(province_key) if province_key else None
    if province_code is None:
        return LegacyAddress(
            original,
            None,
            None,
            "",
            False,
            note=_("Không nhận ra tỉnh/thành phố và xã/phường trong địa chỉ «%(address)s».")
            % {"address": clean},
        )
    province_name = official.province_names.get(province_code, "")
    return LegacyAddress(
        original,
        None,
        province_code,
        _detail(parts, ()),
        was_legacy,
        note=_(
            "Chỉ nhận ra %(province)s trong địa chỉ «%(address)s», chưa xác định được xã/phường."
        )
        % {"province": province_name, "address": clean},
        province_name=province_name,
        old_district=(old.district or "") if was_legacy else "",
        old_province=(old.province or "") if was_legacy else "",
    )
