"""The official-list workbook (.xlsx) every app's exports share: the managing and issuing bodies
on the left, the national name and motto on the right, the title, the columns, the date line and
the signatures (rules.md "Official documents").

Cells are written as strings or numbers, never formulas: a name starting with "=" stays text."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

Row = Sequence[Any]


def _book() -> tuple[io.BytesIO, Any]:
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
    return buffer, book


def official_list(
    *,
    title: str,
    subtitle: str | Sequence[str],
    unit_name: str,
    parent_name: str,
    headers: Sequence[tuple[str, int]],
    rows: Iterable[Row],
    today: dt.date,
    extra_sheets: Callable[[Any], None] | None = None,
    sheet_name: str = "",
    totals: Mapping[int, int] | None = None,
) -> bytes:
    """One list in the official layout: the managing and issuing bodies on the left, the national
    name and motto on the right, the title and its subtitle line(s), the columns, a "Cộng" row
    when ``totals`` (column -> amount) is given, the date line and the signatures."""
    buffer, book = _book()
    sheet = book.add_worksheet((sheet_name or title)[:31])
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
            "bg_color": "#F2F2F2",
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
    lines = [subtitle] if isinstance(subtitle, str) else list(subtitle)
    for i, line in enumerate(lines):
        sheet.merge_range(4 + i, 0, 4 + i, last, line, italic_c)
    header_row = 5 + len(lines)
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
    if totals:
        r += 1
        first = min(totals)
        if first > 1:
            sheet.merge_range(r, 0, r, first - 1, _("Cộng"), head)
        elif first == 1:
            sheet.write_string(r, 0, _("Cộng"), head)
        for col, amount in totals.items():
            sheet.write_number(r, col, amount, number)
    r += 2
    date_text = f"…, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}"
    sheet.merge_range(r, split, r, last, date_text, italic_c)
    sheet.merge_range(r + 1, 0, r + 1, split - 1, _("NGƯỜI LẬP BIỂU"), bold_c)
    sheet.merge_range(r + 1, split, r + 1, last, _("TM. BAN THƯỜNG VỤ"), bold_c)
    sheet.merge_range(r + 2, split, r + 2, last, _("CHỦ TỊCH"), bold_c)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    if extra_sheets is not None:
        extra_sheets(book)
    book.close()
    return buffer.getvalue()
