"""The training lists as .xlsx in the official layout: the unit on the left, the national name and
motto on the right, the title, the columns, the date line and the signature. Every cell is
written as text or number, never as a formula."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from nhandao.core.masking import mask_phone

from .models import Participant


def official_list(
    *,
    title: str,
    subtitle: str,
    unit_name: str,
    headers: Sequence[tuple[str, int]],
    rows: Iterable[Sequence[Any]],
    today: dt.date,
) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = book.add_worksheet(title[:31])
    font = {"font_name": "Times New Roman", "font_size": 12}
    centre = book.add_format({**font, "bold": True, "align": "center"})
    motto = book.add_format({**font, "bold": True, "align": "center", "underline": 1})
    big = book.add_format({**font, "bold": True, "align": "center", "font_size": 14})
    italic = book.add_format({**font, "italic": True, "align": "center"})
    head = book.add_format({**font, "bold": True, "border": 1, "align": "center", "text_wrap": 1})
    cell = book.add_format({**font, "border": 1, "valign": "top", "text_wrap": True})
    last = max(len(headers) - 1, 5)
    split = max(last // 2, 2)
    sheet.merge_range(0, 0, 0, split - 1, unit_name.upper(), centre)
    sheet.merge_range(0, split, 0, last, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", centre)
    sheet.merge_range(1, split, 1, last, "Độc lập - Tự do - Hạnh phúc", motto)
    sheet.merge_range(3, 0, 3, last, title.upper(), big)
    sheet.merge_range(4, 0, 4, last, subtitle, italic)
    for col, (name, width) in enumerate(headers):
        sheet.set_column(col, col, width)
        sheet.write_string(6, col, name, head)
    row_no = 7
    for row in rows:
        for col, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(row_no, col, value, cell)
            else:
                sheet.write_string(row_no, col, "" if value is None else str(value), cell)
        row_no += 1
    date_line = _("Ngày %(d)02d tháng %(m)02d năm %(y)d") % {
        "d": today.day,
        "m": today.month,
        "y": today.year,
    }
    sheet.merge_range(row_no + 1, split, row_no + 1, last, date_line, italic)
    sheet.merge_range(row_no + 2, split, row_no + 2, last, _("NGƯỜI LẬP DANH SÁCH"), centre)
    sheet.repeat_rows(6)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    book.close()
    return buffer.getvalue()


def _date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def expiring_xlsx(
    *,
    participants: Iterable[Participant],
    unit_name: str,
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
            p.person.birth_date.year if p.person.birth_date else "",
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
        headers=headers,
        rows=rows,
        today=today,
    )
