"""Downloads of a fund's public list of donations: CSV streamed whole, .xlsx capped.

Both hold exactly the columns of the page (date, public name, amount, note): an anonymous gift
is "Nhà hảo tâm" without its note, as on the page.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterator
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from nhandao.core.money import format_vnd
from nhandao.funds.models import Fund
from nhandao.funds.public import XLSX_CAP, DonationFilter, donations_iter


def headers() -> list[str]:
    return [_("Ngày nhận"), _("Người ủng hộ"), _("Số tiền (đồng)"), _("Lời nhắn")]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_lines(fund: Fund, flt: DonationFilter) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so spreadsheet programs read UTF-8
    yield writer.writerow(headers())
    for d in donations_iter(fund, flt):
        yield writer.writerow(
            [d.received_on.strftime("%d/%m/%Y"), _safe(d.name), d.amount, _safe(d.note)]
        )


def xlsx_file(fund: Fund, flt: DonationFilter, today: dt.date) -> tuple[Any, int]:
    """The latest ``XLSX_CAP`` matching donations as a workbook in a temporary file (written row
    by row in constant memory); returns the open file and the number of rows."""
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - handed to FileResponse
    book = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = book.add_worksheet(_("Danh sách ủng hộ")[:31])
    font = {"font_name": "Times New Roman", "font_size": 12}
    bold = book.add_format({**font, "bold": True})
    italic = book.add_format({**font, "italic": True})
    head = book.add_format({**font, "bold": True, "border": 1, "bg_color": "#F2F2F2"})
    cell = book.add_format({**font, "border": 1})
    number = book.add_format({**font, "border": 1, "num_format": "#,##0"})
    for col, width in enumerate((12, 40, 16, 50)):
        sheet.set_column(col, col, width)
    sheet.write_string(0, 0, fund.unit.name.upper(), bold)
    sheet.write_string(1, 0, _("DANH SÁCH ỦNG HỘ: %(name)s") % {"name": fund.name.upper()}, bold)
    line = _("Tổng số %(n)s lượt ủng hộ, %(money)s; lập ngày %(day)s.") % {
        "n": f"{fund.donations_count:,}".replace(",", "."),
        "money": format_vnd(fund.received_money + fund.received_goods),
        "day": today.strftime("%d/%m/%Y"),
    }
    sheet.write_string(2, 0, line, italic)
    if fund.donations_count > XLSX_CAP or not flt.empty:
        cap = _(
            "Tệp này có tối đa %(cap)s khoản mới nhất; danh sách đầy đủ có ở tệp CSV trên "
            "trang công khai."
        ) % {"cap": f"{XLSX_CAP:,}".replace(",", ".")}
        sheet.write_string(3, 0, cap, italic)
    for col, label in enumerate(headers()):
        sheet.write_string(5, col, label, head)
    r = 5
    for r, d in enumerate(donations_iter(fund, flt, limit=XLSX_CAP), start=6):
        sheet.write_string(r, 0, d.received_on.strftime("%d/%m/%Y"), cell)
        sheet.write_string(r, 1, d.name, cell)
        sheet.write_number(r, 2, d.amount, number)
        sheet.write_string(r, 3, d.note, cell)
    book.close()
    out.seek(0)
    return out, r - 5
