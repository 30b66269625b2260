"""The official-list workbook of humanitarian addresses (title, unit, date, columns, signatures).

Every cell is written as text or number, never as a formula: a name that starts with "=", "+",
"-" or "@" stays text in Excel (no formula injection)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from nhandao.core.phone import format_phone

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
    sheet = book.add_worksheet(_("Danh sách"))
    font = {"font_name": "Times New Roman", "font_size": 12}
    bold_c = book.add_format({**font, "bold": True, "align": "center"})
    plain_c = book.add_format({**font, "align": "center"})
    motto = book.add_format({**font, "bold": True, "align": "center", "underline": 1})
    title = book.add_format({**font, "bold": True, "align": "center", "font_size": 14})
    italic_c = book.add_format({**font, "italic": True, "align": "center"})
    head = book.add_format(
        {
            **font,
            "bold": True,
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
            "bg_color": "#F2F2F2",
        }
    )
    cell = book.add_format({**font, "border": 1, "valign": "top", "text_wrap": True})
    last = len(HEADERS) - 1
    sheet.merge_range(0, 0, 0, 3, parent_name.upper(), plain_c)
    sheet.merge_range(1, 0, 1, 3, unit_name.upper(), bold_c)
    sheet.merge_range(0, 5, 0, last, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold_c)
    sheet.merge_range(1, 5, 1, last, "Độc lập - Tự do - Hạnh phúc", motto)
    sheet.merge_range(3, 0, 3, last, _("DANH SÁCH ĐỊA CHỈ NHÂN ĐẠO"), title)
    sheet.merge_range(4, 0, 4, last, _("(Số liệu đến ngày %s)") % f"{today:%d/%m/%Y}", italic_c)
    header_row = 6
    for col, (label, width) in enumerate(HEADERS):
        sheet.write_string(header_row, col, label, head)
        sheet.set_column(col, col, width)
    sheet.repeat_rows(header_row)
    r = header_row
    for n, b in enumerate(rows, 1):
        r = header_row + n
        p = b.person
        ward = f", {p.ward.name}" if p.ward_id else ""
        values = [
            str(n),
            p.full_name,
            p.birth_display,
            p.get_sex_display() if p.sex else "",
            p.id_number if show_identifiers else mask_id(p.id_number),
            format_phone(p.phone) if show_identifiers else mask_phone(p.phone),
            f"{p.address_detail}{ward}".strip(", "),
            "; ".join(m.group.name + (f" {m.year}" if m.year else "") for m in b.memberships.all()),
            b.get_status_display(),
            b.get_verification_display(),
            p.source_ref,
        ]
        for col, value in enumerate(values):
            sheet.write_string(r, col, value, cell)
    r += 2
    sheet.merge_range(
        r, 6, r, last, f"…, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}", italic_c
    )
    sheet.merge_range(r + 1, 0, r + 1, 3, _("NGƯỜI LẬP BIỂU"), bold_c)
    sheet.merge_range(r + 1, 6, r + 1, last, _("TM. BAN THƯỜNG VỤ"), bold_c)
    sheet.merge_range(r + 2, 6, r + 2, last, _("CHỦ TỊCH"), bold_c)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    book.close()
    return buffer.getvalue()
