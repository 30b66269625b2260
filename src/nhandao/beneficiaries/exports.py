"""The official-list workbook of humanitarian addresses (title, unit, date, columns, signatures).

Every cell is written as text or number, never as a formula: a name that starts with "=", "+",
"-" or "@" stays text in Excel (no formula injection)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from nhandao.core.phone import format_phone
from nhandao.core.workbooks import official_list

from .selectors import mask_id, mask_phone

HEADERS = [
    ("STT", 5),
    ("Họ và tên", 26),
    ("Ngày sinh", 11),
    ("Giới tính", 8),
    ("Số CCCD", 15),
    ("Điện thoại", 13),
    ("Địa chỉ", 36),
    ("Đối tượng", 30),
    ("Tình trạng", 14),
    ("Xác minh", 13),
    ("Mã tham chiếu", 14),
]


def beneficiary_workbook(
    *, rows: Iterable[Any], unit_name: str, parent_name: str, show_identifiers: bool, today: dt.date
) -> bytes:
    return official_list(
        title=_("DANH SÁCH ĐỊA CHỈ NHÂN ĐẠO"),
        subtitle=_("(Số liệu đến ngày %s)") % f"{today:%d/%m/%Y}",
        unit_name=unit_name,
        parent_name=parent_name,
        headers=HEADERS,
        rows=(_row(n, b, show_identifiers) for n, b in enumerate(rows, 1)),
        today=today,
        sheet_name=_("Danh sách"),
    )


def _row(n: int, b: Any, show_identifiers: bool) -> list[str]:
    p = b.person
    ward = f", {p.ward.name}" if p.ward_id else ""
    return [
        str(n),
        p.full_name,
        p.birth_display,
        p.get_sex_display() if p.sex else "",
        p.id_number if show_identifiers else mask_id(p.id_number),
        (format_phone(p.phone) if p.phone else "") if show_identifiers else mask_phone(p.phone),
        f"{p.address_detail}{ward}".strip(", "),
        "; ".join(
            m.group.name + (f" {m.year}" if m.year else "")
            for m in b.memberships.all()
            if show_identifiers or not m.group.sensitive  # health groups: pii.view only
        ),
        b.get_status_display(),
        b.get_verification_display(),
        p.source_ref,
    ]
