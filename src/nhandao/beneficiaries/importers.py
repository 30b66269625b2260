"""The list of humanitarian addresses as communes keep it, for the one import pipeline."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils.translation import gettext as _

from nhandao.core.dates import today_vn
from nhandao.core.text import fold, nfc
from nhandao.geo.legacy import convert_address
from nhandao.imports.headers import ColumnSpec
from nhandao.imports.readers import Cell
from nhandao.imports.spec import ListSpec, Parsed, Problem
from nhandao.people import bulk

from . import services
from .groups import POVERTY_GROUPS

COLUMNS = (
    ColumnSpec(
        "full_name",
        "Họ và tên",
        ("Họ tên", "Tên", "Họ và tên người nhận", "Họ tên chủ hộ"),
        required=True,
    ),
    ColumnSpec(
        "birth",
        "Ngày sinh",
        ("Năm sinh", "Ngày, tháng, năm sinh", "Ngày tháng năm sinh", "NS"),
        kind="date",
    ),
    ColumnSpec("sex", "Giới tính", ("Nam/Nữ", "Phái", "GT"), kind="sex"),
    ColumnSpec(
        "id_number",
        "Số CCCD",
        ("CCCD", "Số CCCD/CMND", "Số định danh", "Số định danh cá nhân", "Căn cước", "CCCD/CMND"),
        kind="id",
    ),
    ColumnSpec("legacy_id", "Số CMND", ("CMND", "CMTND"), kind="id"),
    ColumnSpec("phone", "Điện thoại", ("Số điện thoại", "SĐT", "ĐT", "Di động"), kind="phone"),
    ColumnSpec(
        "address",
        "Địa chỉ",
        ("Nơi ở", "Nơi cư trú", "Thôn/xóm", "Thôn", "Ấp", "Địa chỉ thường trú"),
        kind="address",
    ),
    ColumnSpec("groups", "Đối tượng", ("Diện", "Diện đối tượng", "Thuộc diện", "Nhóm đối tượng")),
    ColumnSpec("circumstances", "Hoàn cảnh", ("Hoàn cảnh gia đình", "Lý do")),
    ColumnSpec("source_ref", "Mã tham chiếu", ("Mã hộ", "Mã số", "Mã hộ nghèo", "Mã")),
)

# Folded words that name a beneficiary group in the lists communes keep.
GROUP_WORDS = [
    ("can ngheo", "near_poor"),
    ("hcn", "near_poor"),
    ("ngheo", "poor"),
    ("hn", "poor"),
    ("khuyet tat", "disabled"),
    ("ktat", "disabled"),
    ("nkt", "disabled"),
    ("co don", "lonely_elderly"),
    ("cao tuoi", "lonely_elderly"),
    ("nct", "lonely_elderly"),
    ("mo coi", "orphan"),
    ("chinh sach", "policy_family"),
    ("nguoi co cong", "policy_family"),
    ("da cam", "agent_orange"),
    ("dioxin", "agent_orange"),
    ("thien tai", "disaster"),
    ("bao lu", "disaster"),
    ("dich", "epidemic"),
    ("hoa hoan", "fire"),
    ("chay", "fire"),
    ("tai nan", "traffic_accident"),
    ("benh hiem ngheo", "serious_illness"),
    ("ung thu", "serious_illness"),
    ("hiem ngheo", "serious_illness"),
    ("kho khan", "other"),
    ("dac biet", "other"),
]
# A hamlet, residential group or house given by its number only (folded).
_NUMBERED_PLACE = re.compile(
    r"(thon|xom|to dan pho|to|khu pho|ap|ban|so|khoi|cum|doi|khu)( so)? \d+[a-z]?"
)
SEX_WORDS = {"nam": "male", "m": "male", "nu": "female", "f": "female", "x": ""}


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def parse_groups(text: str) -> list[str]:
    key = f" {fold(text)} "
    found: list[str] = []
    for word, code in GROUP_WORDS:
        if f" {word} " in key or (len(word) > 4 and word in key):
            if code == "poor" and "near_poor" in found:
                continue
            if code not in found:
                found.append(code)
            key = key.replace(word, " ")
    return found


def _ids(raw: str) -> tuple[str, str]:
    """A "Số CCCD/CMND" column holds either: 12 digits is a citizen ID, 9 an old CMND."""
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 9:
        return "", digits
    return raw, ""


class RowParser:
    """The rows of one list: person checks through ``people.bulk.PersonChecker`` and every other
    per-value step (old address, ID column, sex, groups) done once per distinct value."""

    def __init__(self, unit: Any) -> None:
        self.unit_ward = getattr(unit, "ward_id", None)
        self.unit_ward_note = _(
            "Dòng được ghi vào xã/phường của đơn vị; sửa trên hồ sơ sau khi ghi nếu không đúng."
        )
        self.no_ward_note = _(
            "Dòng được ghi chưa có xã/phường: ghi rõ xã/phường, tỉnh/thành phố trong tệp rồi "
            "nhập lại, hoặc chọn xã/phường trên hồ sơ sau khi ghi."
        )
        self.checker = bulk.PersonChecker()
        self.year = today_vn().year
        self.addresses: dict[str, tuple[Any, ...]] = {}
        # The administrative part of addresses -> (ward code, detail, was legacy).
        self.places: dict[str, tuple[Any, str, bool]] = {}
        self.ids: dict[Any, tuple[str, str]] = {}
        self.sexes: dict[str, str] = {}
        self.groups: dict[str, list[dict[str, Any]]] = {}

    def _address(self, text: str) -> tuple[Any, ...]:
        """(ward code or None, detail, original text kept, warning or None), once per address.

        Lists repeat a few thousand communes behind tens of thousands of numbered hamlets and
        house numbers ("Thôn 9, Xã …, Huyện …", "Số 182, Phường …, Tỉnh …"): when the first part
        is such a number (and the rest is itself split by commas, so it is read the same way
        alone), the rest is converted once and the number becomes the detail. A named first
        part ("Thôn Phú Lộc") may itself read as an old unit, so the whole address is converted.
        """
        first, comma, rest = text.partition(",")
        if comma and "," in rest and _NUMBERED_PLACE.fullmatch(fold(first)):
            ward_code, place_detail, was_legacy = self._place(rest)
            if ward_code:
                detail = first.strip() + (", " + place_detail if place_detail else "")
                return (ward_code, nfc(detail), text if was_legacy else "", None)
        place = convert_address(text)
        if place.ward_code:
            return (place.ward_code, nfc(place.detail), text if place.was_legacy else "", None)
        original = text if (place.was_legacy or place.note) else ""
        return (None, text, original, place.note or None)

    def _place(self, rest: str) -> tuple[Any, str, bool]:
        """(ward code or None, detail, was legacy) of the part of an address behind a numbered
        place, once per such text. The same reading applies again inside it: "Tổ dân phố số 18,
        Phường …, Thành phố …" is the tail behind "Tổ dân phố số 18" (converted once per
        commune, not once per hamlet of it) with the number put in front of its detail."""
        found = self.places.get(rest)
        if found is not None:
            return found
        first, comma, tail = rest.partition(",")
        found = None
        if comma and "," in tail and _NUMBERED_PLACE.fullmatch(fold(first)):
            ward_code, detail, was_legacy = self._place(tail)
            if ward_code:
                found = (
                    ward_code,
                    first.strip() + (", " + detail if detail else ""),
                    was_legacy,
                )
        if found is None:
            place = convert_address(rest.strip())
            found = (place.ward_code, place.detail, place.was_legacy)
        self.places[rest] = found
        return found

    def _groups(self, text: str) -> list[dict[str, Any]]:
        return [
            {
                "code": g,
                "year": self.year if g in POVERTY_GROUPS else None,
                "standard": "2022–2025" if g in POVERTY_GROUPS else "",
            }
            for g in parse_groups(text)
        ]

    def __call__(self, cells: dict[str, Cell]) -> Parsed:
        problems: list[Problem] = []
        text = {k: v.strip() if type(v) is str else _text(v) for k, v in cells.items()}
        address_text = text.get("address", "")
        ward_id, detail, original = self.unit_ward, address_text, ""
        if address_text:
            found = self.addresses.get(address_text)
            if found is None:
                found = self.addresses[address_text] = self._address(address_text)
            ward, place_detail, original, note = found
            if ward:
                ward_id, detail = ward, place_detail
            elif note:
                # What becomes of the row: the unit's own commune, or none until someone picks it.
                then = self.unit_ward_note if ward_id else self.no_ward_note
                problems.append(Problem("address", f"{note} {then}", "warning"))
        id_cell = text.get("id_number", "")
        ids = self.ids.get(id_cell)
        if ids is None:
            ids = self.ids[id_cell] = _ids(id_cell)
        id_raw, legacy_raw = ids
        birth_cell = cells.get("birth")
        birth: Any = (
            birth_cell if isinstance(birth_cell, (int, float, dt.date)) else text.get("birth", "")
        )
        sex_text = text.get("sex", "")
        sex = self.sexes.get(sex_text)
        if sex is None:
            sex = self.sexes[sex_text] = SEX_WORDS.get(fold(sex_text), "")
        source_ref = text.get("source_ref", "")
        result = self.checker.check(
            bulk.PersonRow(
                full_name=text.get("full_name", ""),
                birth=birth or None,
                sex=sex,
                id_number=id_raw,
                legacy_id=legacy_raw or text.get("legacy_id", ""),
                phone=text.get("phone", ""),
                ward_id=ward_id,
                address_detail=detail,
                address_original=original,
                source_ref=source_ref,
            )
        )
        values = result.values
        problems += [Problem(f, message) for f, message in result.errors]
        problems += [Problem("id_number", w, "warning") for w in result.warnings]
        groups_text = text.get("groups", "")
        groups = self.groups.get(groups_text)
        if groups is None:
            groups = self.groups[groups_text] = self._groups(groups_text)
        circumstances = text.get("circumstances", "")[:5000]
        stored = {
            "person": bulk.staged_person(values),  # dates are written as ISO text
            "groups": groups,
            "circumstances": circumstances,
        }
        return Parsed(
            values=stored,
            natural_key=natural_key(values, source_ref),
            problems=problems,
            match_values=values or None,
        )


def parse_row(cells: dict[str, Cell], unit: Any) -> Parsed:
    """One row on its own (the pipeline keeps one :class:`RowParser` per job)."""
    return RowParser(unit)(cells)


def natural_key(values: dict[str, Any], source_ref: str) -> str:
    if source_ref:
        return f"ref:{source_ref.strip()}"
    if values.get("id_number"):
        return f"id:{values['id_number']}"
    if not values:
        return ""
    birth = values.get("birth_date")
    day = birth.isoformat() if birth else ""
    return f"nb:{values.get('name_key')}|{day}|{values.get('ward_id') or ''}"


def existing_keys(cursor: Any, unit: Any, keys_table: str) -> set[str]:
    """The natural keys of ``keys_table`` (column ``nk``) already in the registry under this unit,
    as humanitarian addresses: re-importing a file adds nothing. One query."""
    return services.beneficiary_existing_keys(cursor, unit_path=unit.path, keys_table=keys_table)


def write(cursor: Any, actor: Any, unit: Any, rows_table: str, results_table: str) -> int:
    """Every staged row becomes a person and its humanitarian-address profile (with its groups):
    set-based, inside the pipeline's transaction."""
    return services.beneficiaries_insert_bulk(
        cursor, actor=actor, unit=unit, rows_table=rows_table, results_table=results_table
    )


BENEFICIARIES = ListSpec(
    kind="beneficiaries",
    label=_("Danh sách địa chỉ nhân đạo"),
    columns=COLUMNS,
    parser=RowParser,
    existing=existing_keys,
    matches=bulk.registry_matches,
    parent_share=bulk.PEOPLE_PARENT_SHARE,
    write=write,
    example_rows=(
        (
            "1",
            "Nguyễn Thị Lành",
            "1938",
            "Nữ",
            "",
            "",
            "",
            "Tổ dân phố số 3",
            "Hộ nghèo; NCT cô đơn",
            "Sống một mình",
            "HN-001",
        ),
        (
            "2",
            "Trần Văn Bình",
            "12/05/1956",
            "Nam",
            "001056012345",
            "",
            "0912345678",
            "Thôn 3, xã Vĩnh Thủy, huyện Vĩnh Linh, tỉnh Quảng Trị",
            "Da cam; Cận nghèo",
            "",
            "HN-002",
        ),
    ),
    detail_url="beneficiary_detail",
    tables=(bulk.PERSON_TABLE, *services.BULK_TABLES),
)
