"""Workbooks the pipeline gives back: the file repeated with an error column and the failing cells
marked, and an empty template for each list."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import IO

import xlsxwriter
from django.utils.translation import gettext as _

from .headers import ColumnSpec
from .models import ImportJob, ImportResult, ImportRow, JobStatus, RowStatus
from .readers import Cell, cell_text, column_letter

OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


PROGRESS_EVERY = 10_000  # rows written between two calls of ``progress``


def write_error_workbook(
    target: IO[bytes],
    job: ImportJob,
    headers: Sequence[str],
    cells: dict[int, list[Cell]],
    progress: Callable[[int], None] | None = None,
) -> None:
    """The result workbook into ``target``. ``cells``: each data row's cells by row number, as
    ``services.job_cells`` reads them. Written row by row through temporary files
    (``constant_memory``): a list of a million rows is held once, as read, not a second time as
    the workbook's cells. ``progress`` hears the rows written so far, every ``PROGRESS_EVERY``."""
    book = xlsxwriter.Workbook(target, {**OPTIONS, "in_memory": False, "constant_memory": True})
    sheet = book.add_worksheet(_("Kết quả kiểm tra"))
    head = book.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2", "text_wrap": True})
    bad = book.add_format({"bg_color": "#F8D7DA", "border": 1})
    warn = book.add_format({"bg_color": "#FFF3CD", "border": 1})
    plain = book.add_format({"border": 1})
    wrapped = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    status_col = len(headers)
    sheet.write_string(0, 0, _("Dòng trong tệp gốc"), head)
    for col, text in enumerate(headers, 1):
        sheet.write_string(0, col, text or column_letter(col - 1), head)
    sheet.write_string(0, status_col + 1, _("Kết quả"), head)
    sheet.write_string(0, status_col + 2, _("Lỗi và cảnh báo"), head)
    sheet.set_column(status_col + 2, status_col + 2, 60)
    labels = {status: str(label) for status, label in RowStatus.choices}
    # After the commit a row says what became of it: written, or left out (a row to look at
    # again when the list was written without those).
    written: set[int] = set()
    if job.status == JobStatus.COMMITTED:
        written = set(
            ImportResult.objects.filter(job=job).values_list("row_number", flat=True).iterator()
        )
        labels[RowStatus.OK] = labels[RowStatus.WARNING] = _("Chưa ghi")
    written_label = _("Đã ghi vào sổ")
    # The staged values are not shown: not read (a JSON text per row).
    rows = ImportRow.objects.filter(job=job).order_by("row_number").defer("values")
    r = 0
    for r, row in enumerate(rows.iterator(), 1):
        marked = {p["column"]: p["level"] for p in row.problems}
        sheet.write_number(r, 0, row.row_number, plain)
        for col, value in enumerate(cells.get(row.row_number, ())):
            fmt = plain
            if marked:  # only a row with problems has cells to mark
                letter = column_letter(col)
                fmt = bad if marked.get(letter) == "error" else warn if letter in marked else plain
            sheet.write_string(r, col + 1, cell_text(value), fmt)
        label = written_label if row.row_number in written else labels.get(row.status, row.status)
        sheet.write_string(r, status_col + 1, label, plain)
        notes = [
            f"{p['column']}: {p['message']}" if p["column"] else p["message"] for p in row.problems
        ]
        if row.duplicate_of_row:
            notes.append(_("Trùng với dòng %d trong cùng tệp") % row.duplicate_of_row)
        if row.status == RowStatus.EXISTING:
            notes.append(_("Đã có trong sổ (nhập lần trước)"))
        for m in row.matches:
            if "outside_scope" in m:
                notes.append(_("Có %d hồ sơ giống ở đơn vị khác") % m["outside_scope"])
            else:
                notes.append(
                    _("Có thể trùng: %(name)s %(birth)s (%(unit)s)")
                    % {"name": m["name"], "birth": m["birth"], "unit": m["unit"]}
                )
        sheet.write_string(
            r, status_col + 2, "\n".join(notes), wrapped if len(notes) > 1 else plain
        )
        if progress is not None and r % PROGRESS_EVERY == 0:
            progress(r)
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, max(1, r), status_col + 2)
    book.close()
    if progress is not None:
        progress(r)


def template_workbook(
    title: str, columns: Sequence[ColumnSpec], examples: Sequence[Sequence[str]]
) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, OPTIONS)
    sheet = book.add_worksheet(_("Danh sách"))
    bold = book.add_format({"bold": True, "align": "center", "font_size": 13})
    head = book.add_format(
        {"bold": True, "border": 1, "bg_color": "#F2F2F2", "text_wrap": True, "align": "center"}
    )
    note = book.add_format({"italic": True, "font_color": "#555555"})
    labels = ["STT", *[c.label + (" (*)" if c.required else "") for c in columns]]
    sheet.merge_range(0, 0, 0, len(labels) - 1, title.upper(), bold)
    sheet.write_string(
        1,
        0,
        _(
            "(*) bắt buộc. Xóa các dòng ví dụ trước khi nhập. Ngày sinh: "
            "dd/mm/yyyy hoặc chỉ năm sinh."
        ),
        note,
    )
    for col, label in enumerate(labels):
        sheet.write_string(3, col, label, head)
        sheet.set_column(col, col, 6 if col == 0 else 18)
    for r, example in enumerate(examples, 4):
        for col, value in enumerate(example):
            sheet.write_string(r, col, value)
    book.close()
    return buffer.getvalue()
