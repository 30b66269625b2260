"""The workbook of aid records given (official layout: unit, title, columns, signatures).

Every cell is written as text or number, never as a formula (no formula injection)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

HEADERS = [
    ("STT", 5),
    ("Mã", 9),
    ("Họ và tên người nhận", 26),
    ("Năm sinh", 8),
    ("Địa chỉ", 32),
    ("Hình thức", 16),
    ("Giá trị (đồng)", 14),
    ("Nguồn", 22),
    ("Ngày trao", 11),
    ("Đơn vị trao", 26),
    ("Đợt trao", 26),
    ("Ghi chú", 22),
]


def records_workbook(
    *, rows: Iterable[Any], unit_name: str, campaign_name: str, today: dt.date
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
    sheet = book.add_worksheet(_("Hỗ trợ đã trao"))
    font = {"font_name": "Times New Roman", "font_size": 12}
    bold_c = book.add_format({**font, "bold": True, "align": "center"})
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
    money = book.add_format({**font, "border": 1, "valign": "top", "num_format": "#,##0"})
    last = len(HEADERS) - 1
    sheet.merge_range(0, 0, 0, 4, unit_name.upper(), bold_c)
    sheet.merge_range(0, 6, 0, last, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold_c)
    sheet.merge_range(1, 6, 1, last, "Độc lập - Tự do - Hạnh phúc", motto)
    sheet.merge_range(3, 0, 3, last, _("DANH SÁCH HỖ TRỢ ĐÃ TRAO"), title)
    subtitle = campaign_name or _("Tất cả phong trào")
    sheet.merge_range(4, 0, 4, last, subtitle, italic_c)
    sheet.merge_range(5, 0, 5, last, _("(Số liệu đến ngày %s)") % f"{today:%d/%m/%Y}", italic_c)
    header_row = 7
    for col, (label, width) in enumerate(HEADERS):
        sheet.write_string(header_row, col, label, head)
        sheet.set_column(col, col, width)
    sheet.repeat_rows(header_row)
    r = header_row
    total = 0
    for n, rec in enumerate(rows, 1):
        r = header_row + n
        p = rec.person
        ward = f", {p.ward.name}" if p.ward_id else ""
        by = rec.partner.name if rec.partner_id else rec.recorded_unit.name
        source = rec.get_source_display() + (f": {rec.donor_name}" if rec.donor_name else "")
        note = rec.override_reason
        if rec.voided_at:
            note = _("Đã hủy: %s") % rec.void_reason
        values: list[Any] = [
            str(n),
            f"P{p.pk}",
            p.full_name,
            str(p.birth_date.year) if p.birth_date else "",
            f"{p.address_detail}{ward}".strip(", "),
            rec.get_kind_display(),
            rec.value,
            source,
            f"{rec.given_on:%d/%m/%Y}",
            by,
            rec.distribution.title if rec.distribution_id else "",
            note,
        ]
        if not rec.voided_at:
            total += rec.value
        for col, value in enumerate(values):
            if isinstance(value, int):
                sheet.write_number(r, col, value, money)
            else:
                sheet.write_string(r, col, value, cell)
    r += 1
    sheet.merge_range(r, 0, r, 5, _("Cộng"), head)
    sheet.write_number(r, 6, total, money)
    r += 2
    sheet.merge_range(
        r, 7, r, last, f"…, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}", italic_c
    )
    sheet.merge_range(r + 1, 0, r + 1, 4, _("NGƯỜI LẬP BIỂU"), bold_c)
    sheet.merge_range(r + 1, 7, r + 1, last, _("TM. BAN THƯỜNG VỤ"), bold_c)
    sheet.merge_range(r + 2, 7, r + 2, last, _("CHỦ TỊCH"), bold_c)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    book.close()
    return buffer.getvalue()
