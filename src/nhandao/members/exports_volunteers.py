"""Workbooks of volunteers and of staff in the official layout (``core.workbooks.official_list``:
managing body and unit, national motto, title, columns, signatures). Every cell is written as
text or number, never as a formula."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from nhandao.core.workbooks import official_list

VOLUNTEER_HEADERS = [
    ("STT", 5),
    ("Họ và tên", 26),
    ("Ngày sinh", 11),
    ("Điện thoại", 13),
    ("Loại", 16),
    ("Đơn vị quản lý", 28),
    ("Kỹ năng", 30),
    ("Thời gian có thể tham gia", 22),
    ("Hạng", 10),
    ("Ngày tham gia", 12),
    ("Tích cực", 10),
]

STAFF_HEADERS = [
    ("STT", 5),
    ("Họ và tên", 24),
    ("Năm sinh", 8),
    ("Đơn vị", 26),
    ("Chức vụ", 22),
    ("Chế độ", 12),
    ("Hình thức", 14),
    ("Nhiệm kỳ", 16),
    ("Trình độ chuyên môn", 20),
    ("Lý luận chính trị", 14),
    ("Quản lý nhà nước", 14),
    ("Số sổ BHXH", 14),
    ("Ngạch, bậc lương", 14),
]


def _workbook(
    *,
    sheet_name: str,
    title: str,
    unit_name: str,
    parent_name: str,
    today: dt.date,
    headers: Sequence[tuple[str, int]],
    rows: Sequence[Sequence[Any]],
) -> bytes:
    return official_list(
        title=title,
        subtitle=_("(Số liệu đến ngày %s)") % f"{today:%d/%m/%Y}",
        unit_name=unit_name,
        parent_name=parent_name,
        headers=headers,
        rows=rows,
        today=today,
        sheet_name=sheet_name,
    )


def _flag(value: bool | None) -> str:
    if value is None:
        return ""
    return _("Có") if value else pgettext("yes/no answer", "Không")


def volunteers_workbook(
    *,
    rows: Sequence[Any],
    active: dict[int, bool | None],
    unit_name: str,
    parent_name: str,
    today: dt.date,
    show_phone: bool,
) -> bytes:
    """The volunteers' list; their phones masked for a role without pii.view."""
    from nhandao.core.masking import mask_phone

    skills: dict[int, list[str]] = {}
    if rows:
        through = type(rows[0]).skills.through
        for vid, name in through.objects.filter(volunteer__in=rows).values_list(
            "volunteer_id", "skill__name"
        ):
            skills.setdefault(vid, []).append(name)
    table = [
        [
            n,
            v.person.full_name,
            v.person.birth_display,
            v.person.phone if show_phone else mask_phone(v.person.phone),
            v.get_kind_display(),
            v.unit.name,
            ", ".join(sorted(skills.get(v.pk, []))),
            v.availability,
            v.rank,
            f"{v.joined_on:%d/%m/%Y}",
            _flag(active.get(v.pk)),
        ]
        for n, v in enumerate(rows, 1)
    ]
    return _workbook(
        sheet_name=_("Tình nguyện viên"),
        title=_("DANH SÁCH TÌNH NGUYỆN VIÊN, CỘNG TÁC VIÊN"),
        unit_name=unit_name,
        parent_name=parent_name,
        today=today,
        headers=VOLUNTEER_HEADERS,
        rows=table,
    )


def term_display(start: dt.date, end: dt.date | None) -> str:
    if end and start.month == 1 and start.day == 1 and end.month == 12 and end.day == 31:
        return f"{start.year}–{end.year}"
    return f"{start:%d/%m/%Y} – " + (f"{end:%d/%m/%Y}" if end else "…")


def staff_workbook(
    *, rows: Sequence[Any], unit_name: str, parent_name: str, today: dt.date, show_pii: bool
) -> bytes:
    from nhandao.core.masking import mask_id

    table = [
        [
            n,
            s.person.full_name,
            str(s.person.birth_date.year) if s.person.birth_date else "",
            s.unit.name,
            s.position,
            s.get_employment_display(),
            s.get_basis_display(),
            term_display(s.term_from, s.term_to),
            s.education,
            s.political_theory,
            s.state_management,
            s.insurance_no if show_pii else mask_id(s.insurance_no),
            s.salary_grade if show_pii else ("***" if s.salary_grade else ""),
        ]
        for n, s in enumerate(rows, 1)
    ]
    return _workbook(
        sheet_name=_("Cán bộ Hội"),
        title=_("DANH SÁCH CÁN BỘ HỘI"),
        unit_name=unit_name,
        parent_name=parent_name,
        today=today,
        headers=STAFF_HEADERS,
        rows=table,
    )
