"""The list of humanitarian addresses as communes keep it, for the one import pipeline."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from nhandao.core.dates import today_vn
from nhandao.core.errors import ApplicationError
from nhandao.core.text import fold
from nhandao.geo.legacy import convert_address
from nhandao.imports.headers import ColumnSpec
from nhandao.imports.readers import Cell
from nhandao.imports.spec import ListSpec, Parsed, Problem
from nhandao.people import selectors as people_selectors
from nhandao.people import services as people
from nhandao.people.models import Person

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


def parse_row(cells: dict[str, Cell], unit: Any) -> Parsed:
    problems: list[Problem] = []
    address_text = _text(cells.get("address"))
    ward_id = getattr(unit, "ward_id", None)
    detail, original = address_text, ""
    if address_text:
        place = convert_address(address_text)
        if place.ward_code:
            ward_id, detail = place.ward_code, place.detail
            original = address_text if place.was_legacy else ""
        elif place.was_legacy or place.note:
            original = address_text
            if place.note:
                problems.append(Problem("address", place.note, "warning"))
    id_raw, legacy_raw = _ids(_text(cells.get("id_number")))
    birth_cell = cells.get("birth")
    birth: Any = birth_cell if isinstance(birth_cell, (int, float, dt.date)) else _text(birth_cell)
    sex = SEX_WORDS.get(fold(_text(cells.get("sex"))), "")
    data = people.PersonData(
        full_name=_text(cells.get("full_name")),
        birth=birth or None,
        sex=sex,
        id_number=id_raw,
        legacy_id=legacy_raw or _text(cells.get("legacy_id")),
        phone=_text(cells.get("phone")),
        ward_id=ward_id,
        address_detail=detail,
        address_original=original,
        source_ref=_text(cells.get("source_ref")),
    )
    values: dict[str, Any] = {}
    try:
        checked = people.person_check(data)
        values = checked.values
        problems += [Problem("id_number", w, "warning") for w in checked.warnings]
    except ApplicationError as exc:
        problems.append(Problem(exc.field or "full_name", exc.message))
    groups = parse_groups(_text(cells.get("groups")))
    year = today_vn().year
    birth_date = values.get("birth_date")
    stored = {
        "person": {
            "full_name": data.full_name,
            "birth": birth_date.isoformat() if birth_date else "",
            "birth_precision": values.get("birth_precision", ""),
            "sex": sex,
            "id_number": values.get("id_number", ""),
            "legacy_id": values.get("legacy_id", ""),
            "phone": values.get("phone", ""),
            "ward_id": ward_id,
            "address_detail": detail,
            "address_original": original,
            "source_ref": data.source_ref,
        },
        "groups": [
            {
                "code": g,
                "year": year if g in POVERTY_GROUPS else None,
                "standard": "2022–2025" if g in POVERTY_GROUPS else "",
            }
            for g in groups
        ],
        "circumstances": _text(cells.get("circumstances"))[:5000],
    }
    return Parsed(
        values=stored,
        natural_key=natural_key(values, data.source_ref),
        problems=problems,
        match_values=values or None,
    )


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


def existing_keys(unit: Any, keys: Sequence[str]) -> set[str]:
    """Keys already in the registry under this unit: re-importing a file adds nothing."""
    found: set[str] = set()
    people_here = Person.objects.filter(unit__path__startswith=unit.path, beneficiary__isnull=False)
    refs = [k[4:] for k in keys if k.startswith("ref:")]
    ids = [k[3:] for k in keys if k.startswith("id:")]
    if refs:
        stored = people_here.filter(source_ref__in=refs).values_list("source_ref", flat=True)
        found |= {f"ref:{r}" for r in stored}
    if ids:
        found |= {
            f"id:{i}"
            for i in people_here.filter(id_number__in=ids).values_list("id_number", flat=True)
        }
    name_keys = {k[3:].split("|")[0] for k in keys if k.startswith("nb:")}
    if name_keys:
        for name, birth, ward in people_here.filter(name_key__in=name_keys).values_list(
            "name_key", "birth_date", "ward_id"
        ):
            found.add(f"nb:{name}|{birth.isoformat() if birth else ''}|{ward or ''}")
    return found & set(keys)


def registry_matches(user: Any, values: dict[str, Any]) -> list[dict[str, Any]]:
    result = people_selectors.person_matches(user=user, values=values)
    rows = [
        {
            "id": m.person.pk,
            "name": m.person.full_name,
            "birth": m.person.birth_display,
            "unit": m.person.unit.name,
            "score": round(m.score, 2),
            "reasons": m.reasons,
        }
        for m in result.matches[:3]
    ]
    if result.outside_scope:
        rows.append({"outside_scope": result.outside_scope})
    return rows


def write(actor: Any, unit: Any, stored: dict[str, Any]) -> int:
    p = stored["person"]
    birth = p["birth"]
    if birth and p["birth_precision"] == "year":
        birth = birth[:4]
    elif birth and p["birth_precision"] == "month":
        birth = f"{birth[5:7]}/{birth[:4]}"
    elif birth:
        birth = dt.date.fromisoformat(birth)
    beneficiary = services.beneficiary_register(
        actor=actor,
        unit=unit,
        person=people.PersonData(
            full_name=p["full_name"],
            birth=birth or None,
            sex=p["sex"],
            id_number=p["id_number"],
            legacy_id=p["legacy_id"],
            phone=p["phone"],
            ward_id=p["ward_id"],
            address_detail=p["address_detail"],
            address_original=p["address_original"],
            source_ref=p["source_ref"],
        ),
        profile=services.ProfileData(
            groups=[
                services.GroupEntry(g["code"], g["year"], g["standard"]) for g in stored["groups"]
            ],
            circumstances=stored["circumstances"],
        ),
    )
    return beneficiary.pk


BENEFICIARIES = ListSpec(
    kind="beneficiaries",
    label=_("Danh sách địa chỉ nhân đạo"),
    columns=COLUMNS,
    parse=parse_row,
    existing=existing_keys,
    matches=registry_matches,
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
)
