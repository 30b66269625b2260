"""The training lists as .xlsx in the official layout (``core.workbooks.official_list``): the
managing body and the unit on the left, the national name and motto on the right, the title, the
columns, the date line and the signatures. Every cell is written as text or number, never as a
formula."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from nhandao.core.masking import mask_phone
from nhandao.core.workbooks import official_list

from .models import Participant


def _date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def expiring_xlsx(
    *,
    participants: Iterable[Participant],
    unit_name: str,
    parent_name: str,
    days: int,
    today: dt.date,
    show_phone: bool,
) -> bytes:
    headers = [
        (_("STT"), 6),
        (_("Họ và tên"), 28),
        (_("Năm sinh"), 10),
        (_("Điện thoại"), 14),
        (_("Lớp tập huấn"), 32),
        (_("Số chứng nhận"), 22),
        (_("Ngày cấp"), 12),
        (_("Hết hạn"), 12),
    ]
    rows = (
        (
            i,
            p.person.full_name,
            str(p.person.birth_date.year) if p.person.birth_date else "",  # text: no "1.999"
            p.person.phone if show_phone else mask_phone(p.person.phone),
            p.course.title,
            p.certificate_no,
            _date(p.certificate_issued_on),
            _date(p.certificate_expires_on),
        )
        for i, p in enumerate(participants, start=1)
    )
    return official_list(
        title=_("Danh sách chứng nhận sắp hết hạn"),
        subtitle=_("Hết hạn từ %(a)s đến %(b)s")
        % {"a": _date(today), "b": _date(today + dt.timedelta(days=days))},
        unit_name=unit_name,
        parent_name=parent_name,
        headers=headers,
        rows=rows,
        today=today,
    )
