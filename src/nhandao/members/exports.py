"""Workbooks of members and youth members in the official list layout: the managing and issuing
bodies on the left, the national name and motto on the right, the title, the columns, the date
line and the signatures. Every cell is written as text or number, never as a formula."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from nhandao.core.workbooks import Row, official_list


def _birth(person: Any) -> str:
    if person.birth_date is None:
        return ""
    if person.birth_precision == "year":
        return str(person.birth_date.year)
    if person.birth_precision == "month":
        return f"{person.birth_date:%m/%Y}"
    return f"{person.birth_date:%d/%m/%Y}"


def _d(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


MEMBER_HEADERS = [
    ("STT", 5),
    ("Số thẻ", 14),
    ("Họ và tên", 26),
    ("Ngày sinh", 11),
    ("Giới tính", 8),
    ("Ngày vào Hội", 12),
    ("Tình trạng", 16),
    ("Chi hội", 30),
    ("Ghi chú", 16),
]


def members_workbook(
    *, members: Iterable[Any], unit_name: str, parent_name: str, today: dt.date
) -> bytes:
    def rows() -> Iterable[Row]:
        for n, m in enumerate(members, 1):
            p = m.person
            yield (
                n,
                m.card_no,
                p.full_name,
                _birth(p),
                p.get_sex_display() if p.sex else "",
                _d(m.joined_on),
                m.get_status_display(),
                m.unit.name,
                "",
            )

    return official_list(
        title=_("Danh sách hội viên"),
        subtitle=_("(Tính đến ngày %s)") % _d(today),
        unit_name=unit_name,
        parent_name=parent_name,
        headers=MEMBER_HEADERS,
        rows=rows(),
        today=today,
    )


YOUTH_HEADERS = [
    ("STT", 5),
    ("Họ và tên", 26),
    ("Ngày sinh", 11),
    ("Giới tính", 8),
    ("Lớp", 8),
    ("Ghi chú", 20),
]


def youth_workbook(
    *, youth: Iterable[Any], unit_name: str, parent_name: str, school_year: str, today: dt.date
) -> bytes:
    def rows() -> Iterable[Row]:
        for n, y in enumerate(youth, 1):
            p = y.person
            yield (
                n,
                p.full_name,
                _birth(p),
                p.get_sex_display() if p.sex else "",
                y.class_name,
                "",
            )

    return official_list(
        title=_("Danh sách thanh thiếu niên Chữ thập đỏ"),
        subtitle=_("Năm học %s") % school_year,
        unit_name=unit_name,
        parent_name=parent_name,
        headers=YOUTH_HEADERS,
        rows=rows(),
        today=today,
    )
