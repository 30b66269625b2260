"""Workbooks of volunteers and of staff in the official layout (unit, national motto, title,
columns, signatures). Every cell is written as text or number, never as a formula."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

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
    today: dt.date,
    headers: Sequence[tuple[str, int]],
    rows: Sequence[Sequence[Any]],
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
    sheet = book.add_worksheet(sheet_name[:31])
    font = {"font_name": "Times New Roman", "font_size": 12}
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
            "bg_color": "#F2F2F2",
        }
    )
    cell = book.add_format({**font, "border": 1, "valign": "top", "text_wrap": True})
    number = book.add_format({**font, "border": 1, "valign": "top"})
    last = len(headers) - 1
    half = max(last // 2, 1)
    sheet.merge_range(0, 0, 0, half - 1, unit_name.upper(), bold_c)
    sheet.merge_range(0, half, 0, last, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold_c)
    sheet.merge_range(1, half, 1, last, "Độc lập - Tự do - Hạnh phúc", motto)
    sheet.merge_range(3, 0, 3, last, title, big)
    sheet.merge_range(4, 0, 4, last, _("(Số liệu đến ngày %s)") % f"{today:%d/%m/%Y}", italic_c)
    header_row = 6
    for col, (label, width) in enumerate(headers):
        sheet.write_string(header_row, col, label, head)
        sheet.set_column(col, col, width)
    sheet.repeat_rows(header_row)
    r = header_row
    for n, values in enumerate(rows, 1):
        r = header_row + n
        for col, value in enumerate(values):
            if isinstance(value, int) and not isinstance(value, bool):
                sheet.write_number(r, col, value, number)
            else:
                sheet.write_string(r, col, str(value), cell)
    r += 2
    sheet.merge_range(
        r,
        half,
        r,
        last,
        f"…, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}",
        italic_c,
    )
    sheet.merge_range(r + 1, 0, r + 1, half - 1, _("NGƯỜI LẬP BIỂU"), bold_c)
    sheet.merge_range(r + 1, half, r + 1, last, _("TM. BAN THƯỜNG VỤ"), bold_c)
    sheet.merge_range(r + 2, half, r + 2, last, _("CHỦ TỊCH"), bold_c)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    book.close()
    return buffer.getvalue()


def _flag(value: bool | None) -> str:
    if value is None:
        return ""
    return _("Có") if value else _("Không")


def volunteers_workbook(
    *, rows: Sequence[Any], active: dict[int, bool | None], unit_name: str, today: dt.date
) -> bytes:
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
            v.person.phone,
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
        today=today,
        headers=VOLUNTEER_HEADERS,
        rows=table,
    )


def term_display(start: dt.date, end: dt.date | None) -> str:
    if end and start.month == 1 and start.day == 1 and end.month == 12 and end.day == 31:
        return f"{start.year}–{end.year}"
    return f"{start:%d/%m/%Y} – " + (f"{end:%d/%m/%Y}" if end else "…")


def staff_workbook(*, rows: Sequence[Any], unit_name: str, today: dt.date, show_pii: bool) -> bytes:
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
        today=today,
        headers=STAFF_HEADERS,
        rows=table,
    )
