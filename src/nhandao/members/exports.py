"""Workbooks of members and youth members in the official list layout: the managing and issuing
bodies on the left, the national name and motto on the right, the title, the columns, the date
line and the signatures. Every cell is written as text or number, never as a formula."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

Row = Sequence[Any]


def official_list(
    *,
    title: str,
    subtitle: str,
    unit_name: str,
    parent_name: str,
    headers: Sequence[tuple[str, int]],
    rows: Iterable[Row],
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
    plain_c = book.add_format({**font, "align": "center"})
    bold_c = book.add_format({**font, "bold": True, "align": "center"})
    motto = book.add_format({**font, "bold": True, "align": "center", "underline": 1})
    big = book.add_format({**font, "bold": True, "align": "center", "font_size": 14})
    italic_c = book.add_format({**font, "italic": True, "align": "center"})
    head = book.add_format(
        {
            **font,
            "bold": True,
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
        }
    )
    cell = book.add_format({**font, "border": 1, "valign": "top", "text_wrap": True})
    number = book.add_format({**font, "border": 1, "valign": "top", "num_format": "#,##0"})
    last = max(len(headers) - 1, 6)
    split = max(last // 2, 2)
    sheet.merge_range(0, 0, 0, split - 1, parent_name.upper(), plain_c)
    sheet.merge_range(1, 0, 1, split - 1, unit_name.upper(), bold_c)
    sheet.merge_range(0, split, 0, last, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold_c)
    sheet.merge_range(1, split, 1, last, "Độc lập - Tự do - Hạnh phúc", motto)
    sheet.merge_range(3, 0, 3, last, title.upper(), big)
    sheet.merge_range(4, 0, 4, last, subtitle, italic_c)
    header_row = 6
    for col, (label, width) in enumerate(headers):
        sheet.write_string(header_row, col, label, head)
        sheet.set_column(col, col, width)
    sheet.repeat_rows(header_row)
    r = header_row
    for r, values in enumerate(rows, header_row + 1):
        for col, value in enumerate(values):
            if isinstance(value, int) and not isinstance(value, bool):
                sheet.write_number(r, col, value, number)
            else:
                sheet.write_string(r, col, "" if value is None else str(value), cell)
    r += 2
    date_text = f"…, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}"
    sheet.merge_range(r, split, r, last, date_text, italic_c)
    sheet.merge_range(r + 1, 0, r + 1, split - 1, _("NGƯỜI LẬP BIỂU"), bold_c)
    sheet.merge_range(r + 1, split, r + 1, last, _("TM. BAN THƯỜNG VỤ"), bold_c)
    sheet.merge_range(r + 2, split, r + 2, last, _("CHỦ TỊCH"), bold_c)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    book.close()
    return buffer.getvalue()


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
