"""The campaign report as a workbook (the official list layout) and as an official document
(.docx, Decree 30/2020 layout through core.documents).

Cells are written as text or numbers, never as formulas (a name starting with "=" stays text)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nhandao.core.dates import format_date
from nhandao.core.documents import OfficialDocument, date_line, place_of
from nhandao.core.money import format_vnd
from nhandao.orgs.selectors import unit_parent_name

from .models import Metric
from .reports import CampaignReport, table_rows

PRINT_LIMIT = 5_000  # households on one printed list; past that, print per branch


def _num(value: int | None) -> str:
    return "" if value is None else f"{value:,}".replace(",", ".")


def _subject(report: CampaignReport) -> str:
    return _("Kết quả %(campaign)s") % {"campaign": report.campaign.name}


def _summary(report: CampaignReport) -> list[str]:
    c, cov = report.campaign, report.coverage
    gifts, value = report.result(Metric.GIFTS), report.result(Metric.VALUE)
    lines = [
        _("Thực hiện %(campaign)s (từ %(start)s đến %(end)s), %(unit)s báo cáo kết quả như sau:")
        % {
            "campaign": c.name,
            "start": format_date(c.starts_on),
            "end": format_date(c.ends_on),
            "unit": report.unit.name,
        },
        _("Đã trao %(gifts)s suất, tổng giá trị %(value)s.")
        % {"gifts": _num(gifts), "value": format_vnd(value)},
    ]
    if cov.eligible:
        lines.append(
            _(
                "Trong %(eligible)s hộ/người thuộc diện của phong trào, %(covered)s đã được hỗ trợ"
                " (%(percent)s%%), còn %(uncovered)s chưa được hỗ trợ."
            )
            % {
                "eligible": _num(cov.eligible),
                "covered": _num(cov.covered),
                "percent": f"{cov.percent:.0f}",
                "uncovered": _num(cov.uncovered),
            }
        )
    return lines


def _unit_headers(report: CampaignReport) -> list[str]:
    headers = [_("STT"), _("Đơn vị")]
    target, result = _("chỉ tiêu"), _("kết quả")
    for label in report.metric_labels:
        headers += [f"{label} – {target}", f"{label} – {result}", "%"]
    return headers


def _unit_rows(report: CampaignReport) -> list[list[str]]:
    out = []
    for n, row in enumerate(table_rows(report), 1):
        out.append([str(n), row[0], *(_num(v) for v in row[1:])])
    return out


def _group_rows(report: CampaignReport) -> list[list[str]]:
    return [
        [str(n), g.name, _num(g.target), _num(g.gifts), _num(g.households), _num(g.value)]
        for n, g in enumerate(report.groups, 1)
    ]


def _source_rows(report: CampaignReport) -> list[list[str]]:
    return [
        [str(n), s.label, _num(s.gifts), _num(s.value)] for n, s in enumerate(report.sources, 1)
    ]


def _example_rows(report: CampaignReport) -> list[list[str]]:
    return [
        [str(n), e.title, e.who, e.unit.name, e.description]
        for n, e in enumerate(report.examples, 1)
    ]


GROUP_HEADERS = [
    gettext_lazy("STT"),
    gettext_lazy("Đối tượng"),
    gettext_lazy("Chỉ tiêu (suất)"),
    gettext_lazy("Số suất"),
    gettext_lazy("Số hộ"),
    gettext_lazy("Giá trị (đồng)"),
]
SOURCE_HEADERS = [
    gettext_lazy("STT"),
    gettext_lazy("Nguồn"),
    gettext_lazy("Số suất"),
    gettext_lazy("Giá trị (đồng)"),
]
EXAMPLE_HEADERS = [
    gettext_lazy("STT"),
    gettext_lazy("Gương, mô hình"),
    gettext_lazy("Tập thể, cá nhân"),
    gettext_lazy("Đơn vị"),
    gettext_lazy("Nội dung"),
]


def _texts(headers: list[Any]) -> list[str]:
    return [str(h) for h in headers]


def report_workbook(report: CampaignReport, *, today: dt.date) -> bytes:
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
    sheet = book.add_worksheet(_("Báo cáo"))
    font = {"font_name": "Times New Roman", "font_size": 12}
    f = {
        "plain_c": book.add_format({**font, "align": "center"}),
        "bold_c": book.add_format({**font, "bold": True, "align": "center"}),
        "motto": book.add_format({**font, "bold": True, "align": "center", "underline": 1}),
        "title": book.add_format({**font, "bold": True, "align": "center", "font_size": 14}),
        "italic_c": book.add_format({**font, "italic": True, "align": "center"}),
        "bold": book.add_format({**font, "bold": True}),
        "text": book.add_format({**font, "text_wrap": True, "valign": "top"}),
        "head": book.add_format(
            {
                **font,
                "bold": True,
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
                "bg_color": "#F2F2F2",
            }
        ),
        "cell": book.add_format({**font, "border": 1, "valign": "top", "text_wrap": True}),
        "num": book.add_format({**font, "border": 1, "valign": "top", "align": "right"}),
    }
    headers = _unit_headers(report)
    last = max(len(headers) - 1, 6)
    half = last // 2
    sheet.merge_range(0, 0, 0, half - 1, unit_parent_name(report.unit).upper(), f["plain_c"])
    sheet.merge_range(1, 0, 1, half - 1, report.unit.name.upper(), f["bold_c"])
    sheet.merge_range(0, half, 0, last, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", f["bold_c"])
    sheet.merge_range(1, half, 1, last, "Độc lập - Tự do - Hạnh phúc", f["motto"])
    sheet.merge_range(3, 0, 3, last, _("BÁO CÁO KẾT QUẢ PHONG TRÀO"), f["title"])
    sheet.merge_range(4, 0, 4, last, report.campaign.name, f["bold_c"])
    sheet.merge_range(5, 0, 5, last, _("(Số liệu đến ngày %s)") % format_date(today), f["italic_c"])
    r = 7
    for text in _summary(report):
        sheet.merge_range(r, 0, r, last, text, f["text"])
        r += 1

    def table(title: str, heads: list[str], rows: list[list[str]], start: int) -> int:
        sheet.merge_range(start, 0, start, last, title, f["bold"])
        for col, label in enumerate(heads):
            sheet.write_string(start + 1, col, label, f["head"])
        row_no = start + 1
        for row_no, values in enumerate(rows, start + 2):
            for col, value in enumerate(values):
                style = f["num"] if col > 1 and value[:1].isdigit() else f["cell"]
                sheet.write_string(row_no, col, value, style)
        return row_no + 2

    r = table(_("1. Chỉ tiêu và kết quả theo đơn vị"), headers, _unit_rows(report), r + 1)
    r = table(_("2. Kết quả theo đối tượng"), _texts(GROUP_HEADERS), _group_rows(report), r)
    r = table(_("3. Nguồn hỗ trợ"), _texts(SOURCE_HEADERS), _source_rows(report), r)
    r = table(_("4. Gương điển hình"), _texts(EXAMPLE_HEADERS), _example_rows(report), r)
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, 1, 30)
    sheet.set_column(2, last, 13)
    place = place_of(report.unit.name)
    sheet.merge_range(r, half, r, last, date_line(place, today), f["italic_c"])
    sheet.merge_range(r + 1, 0, r + 1, half - 1, _("NGƯỜI LẬP BIỂU"), f["bold_c"])
    sheet.merge_range(r + 1, half, r + 1, last, _("TM. BAN THƯỜNG VỤ"), f["bold_c"])
    sheet.merge_range(r + 2, half, r + 2, last, _("CHỦ TỊCH"), f["bold_c"])
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    book.close()
    return buffer.getvalue()


def report_document(report: CampaignReport, *, today: dt.date) -> bytes:
    unit = report.unit
    doc = OfficialDocument(
        managing_body=unit_parent_name(unit),
        issuing_body=unit.name,
        doc_type="BC",
        issuer_code="HCTĐ",
        place=place_of(unit.name),
        date=today,
    )
    doc.title("BÁO CÁO", _subject(report))
    for text in _summary(report):
        doc.paragraph(text)
    doc.heading(_("1. Chỉ tiêu và kết quả theo đơn vị"))
    doc.table(_unit_headers(report), _unit_rows(report), size=11)
    doc.heading(_("2. Kết quả theo đối tượng"))
    doc.table(_texts(GROUP_HEADERS), _group_rows(report), size=11)
    doc.heading(_("3. Nguồn hỗ trợ"))
    doc.table(_texts(SOURCE_HEADERS), _source_rows(report), size=11)
    doc.heading(_("4. Gương điển hình"))
    if report.examples:
        doc.table(_texts(EXAMPLE_HEADERS), _example_rows(report), size=11)
    else:
        doc.paragraph(_("Chưa ghi nhận gương điển hình."), italic=True)
    parent = unit_parent_name(unit)
    doc.signature(
        on_behalf="TM. BAN THƯỜNG VỤ",
        position="CHỦ TỊCH",
        recipients=[parent] if parent else [],
    )
    return doc.render()
