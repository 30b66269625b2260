"""Reading the spreadsheet or CSV file of an import into a plain table of cells.

:func:`read_table` takes the uploaded bytes and the file name and returns a :class:`Table`: the
rows of one sheet as lists of cells, where a cell is ``str`` (NFC, trimmed, runs of whitespace
made one space), ``int``/``float`` (numbers stay as the reader gives them: Excel numbers are
floats, whole or not, and the caller decides), ``datetime.date``/``datetime.datetime`` (cells
formatted as dates), ``bool`` or ``None`` (empty). ``rows[i]`` is the row the user sees as
number ``i + 1`` in Excel (rows above the data are kept, empty), and ``rows[i][j]`` is in column
:func:`column_letter` ``(j)``; every row has the same length.

Formats: .xlsx, .xlsm, .xls and .ods through python-calamine (cached values of formulas are read;
text that starts with "=" stays text; error values such as #N/A read as empty; a cell formatted
as a time of day reads as "10:30"), .csv and .txt (every cell is text) with the encoding
(UTF-8 with or without BOM, UTF-16 with BOM, Windows-1258, Windows-1252/Latin-1) and the
delimiter (``,`` ``;`` tab ``|``) detected. Merged cells of .xlsx and .xls files have their
value copied into every cell of the range, so that titles and group headers above the header row
read the same in each column they span; this also copies a value merged down over several data
rows (a household's address) into each of them, so ``Table.merged`` lists the ranges and
``Table.merged_origin`` tells a copied cell (a merged amount must not be counted twice).
calamine gives no merge information for .ods. Text typed in the old TCVN3 or VNI fonts is
detected column by column and converted to Unicode (see :mod:`nhandao.imports.legacy_encoding`).

Whole-file problems raise :class:`ImportFileError` with a Vietnamese message naming the file; a
cell longer than the limit is cut and noted in ``Table.cell_problems`` for the validator to report
on its row.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import io
import math
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, cast

from django.utils.translation import gettext as _

from nhandao.core.errors import ApplicationError
from nhandao.core.text import fold, nfc

from . import legacy_encoding, xlsx_head

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "Cell",
    "CellProblem",
    "ImportFileError",
    "MergedRange",
    "Table",
    "cell_text",
    "column_letter",
    "read_table",
]

Cell = str | int | float | datetime.date | datetime.datetime | bool | None


def cell_text(value: Cell) -> str:
    """A cell as the person who typed it sees it in Excel, for pages and the result workbook:
    a whole number without ".0" (a year, a row number), a date as dd/mm/yyyy (with the time
    when it has one)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime.datetime):
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_EXTENSIONS = (".csv", ".txt")
SUPPORTED_EXTENSIONS = WORKBOOK_EXTENSIONS + TEXT_EXTENSIONS

# Zip-bomb guards for .xlsx/.xlsm/.ods (ZIP containers), checked before the file is parsed.
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_TOTAL_FACTOR = 20  # total uncompressed size at most this many times max_bytes
ZIP_MAX_RATIO = 500  # an entry over ZIP_RATIO_MIN_SIZE may not be compressed more than this
ZIP_RATIO_MIN_SIZE = 10 * 1024 * 1024
# Merged ranges are filled only up to this many cells in all (a merged whole column is common).
MERGE_FILL_LIMIT = 5_000_000
# A sheet may hold at most max_rows × this many cells (a stray value in column XFD would make
# every row 16,384 cells wide).
MAX_COLUMNS_PER_ROW_AVERAGE = 30

_ZIP_MAGIC = b"PK\x03\x04"
_ZIP_EMPTY_MAGIC = b"PK\x05\x06"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")


def column_letter(index: int) -> str:
    """Excel's column name of a 0-based column index: 0 → "A", 25 → "Z", 26 → "AA", 27 → "AB"."""
    if index < 0:
        raise ValueError("column index must not be negative")
    letters = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(ord("A") + r) + letters
    return letters


def _int(n: int) -> str:
    """1234567 → "1.234.567" (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


def _size(n: int) -> str:
    """A byte count for people: "12,5 MB", "800 KB"."""
    if n >= 1024 * 1024:
        value = f"{n / (1024 * 1024):.1f}".replace(".", ",").removesuffix(",0")
        return f"{value} MB"
    if n >= 1024:
        return f"{_int(round(n / 1024))} KB"
    return f"{_int(n)} byte"


class ImportFileError(ApplicationError):
    """The file as a whole cannot be read; ``message`` (Vietnamese) names the file.

    ``code`` says what went wrong, for the interface and the tests: "empty", "no_rows",
    "unsupported_type", "too_large", "too_many_rows", "zip_bomb", "encrypted", "corrupt",
    "not_a_spreadsheet", "pdf", "html", "xml_spreadsheet", "text_not_workbook",
    "sheet_not_found", "too_many_cells".
    """

    def __init__(
        self, message: str, *, code: str, filename: str, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message, extra={"code": code, "filename": filename, **(extra or {})})
        self.code = code
        self.filename = filename


@dataclass(frozen=True)
class CellProblem:
    """A problem with one cell that does not stop the import (the validator reports it on its
    row). ``row`` and ``col`` are 0-based indexes into ``Table.rows``."""

    row: int
    col: int
    message: str

    @property
    def excel_row(self) -> int:
        return self.row + 1

    @property
    def column(self) -> str:
        return column_letter(self.col)


@dataclass(frozen=True)
class MergedRange:
    """A merged block of cells, 0-based and inclusive."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int

    def __contains__(self, cell: object) -> bool:
        if not isinstance(cell, tuple) or len(cell) != 2:
            return False
        row, col = cell
        return self.first_row <= row <= self.last_row and self.first_col <= col <= self.last_col


@dataclass
class Table:
    """One sheet of a workbook, or a CSV file, as rows of cells (see the module docstring)."""

    filename: str
    file_format: str  # "xlsx", "xlsm", "xls", "ods" or "csv"
    sheet_name: str  # "" for CSV
    sheet_names: list[str]
    rows: list[list[Cell]]
    charset: str | None = None  # CSV only: "utf-8", "utf-8-sig", "utf-16", "cp1258", "cp1252"…
    legacy_encoding: str | None = None  # "tcvn3" or "vni" when old-font text was converted
    delimiter: str | None = None  # CSV only
    cell_problems: list[CellProblem] = field(default_factory=list)
    merged: list[MergedRange] = field(default_factory=list)
    merge_info: bool = False  # whether the format told us about merged cells (.xlsx/.xls)
    # Every text cell is already in NFC, printable and with its spaces tidied (the reader did it
    # while converting the cells), so the last pass over the cells has nothing to do.
    tidy: bool = False

    @property
    def source_encoding(self) -> str | None:
        """The old font encoding when one was detected ("tcvn3", "vni"), else the CSV charset."""
        return self.legacy_encoding or self.charset

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    def merged_origin(self, row: int, col: int) -> tuple[int, int] | None:
        """The top-left cell whose value was copied into (row, col), if the cell is merged and
        is not itself the top-left one."""
        for block in self.merged:
            if (row, col) in block and (row, col) != (block.first_row, block.first_col):
                return block.first_row, block.first_col
        return None

    def where(self, row: int, col: int | None = None) -> str:
        """Vietnamese description of a place: "dòng 8, cột B, trang «DS», tệp «x.xlsx»"."""
        parts = [_("dòng %(row)s") % {"row": _int(row + 1)}]
        if col is not None:
            parts.append(_("cột %(col)s") % {"col": column_letter(col)})
        if self.sheet_name:
            parts.append(_("trang «%(sheet)s»") % {"sheet": self.sheet_name})
        parts.append(_("tệp «%(file)s»") % {"file": self.filename})
        return ", ".join(parts)


# --------------------------------------------------------------------------------------------
# Entry point


def read_table(
    data: bytes,
    filename: str,
    *,
    sheet: str | int | None = None,
    max_bytes: int = 50 * 1024 * 1024,
    max_rows: int = 2_000_000,
    max_cell_chars: int = 10_000,
    head_rows: int | None = None,
) -> Table:
    """Read one sheet of an uploaded spreadsheet, or a CSV file, into a :class:`Table`.

    ``sheet`` is a sheet name or 0-based index; by default the first visible worksheet that has
    data. ``head_rows``: keep only the first rows (to find the header of a big file; the whole
    file is still checked for its size, its row count and, for workbooks, its integrity). Raises
    :class:`ImportFileError` for a file that cannot be read as a whole.
    """
    name = PurePath(filename).name or filename
    ext = PurePath(name).suffix.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        raise ImportFileError(
            _(
                "Tệp «%(file)s» có định dạng không được hỗ trợ. Hệ thống chỉ nhận tệp Excel "
                "(.xlsx, .xlsm, .xls), OpenDocument (.ods) hoặc CSV (.csv, .txt)."
            )
            % {"file": name},
            code="unsupported_type",
            filename=name,
        )
    if not data:
        raise ImportFileError(
            _("Tệp «%(file)s» rỗng (0 byte). Hãy kiểm tra lại tệp rồi tải lên lại.")
            % {"file": name},
            code="empty",
            filename=name,
        )
    if len(data) > max_bytes:
        raise ImportFileError(
            _(
                "Tệp «%(file)s» có dung lượng %(size)s, vượt giới hạn %(max)s. Hãy chia danh "
                "sách thành nhiều tệp nhỏ hơn."
            )
            % {"file": name, "size": _size(len(data)), "max": _size(max_bytes)},
            code="too_large",
            filename=name,
        )
    reader = _Reader(name, ext, max_bytes, max_rows, max_cell_chars)
    reader.head_rows = head_rows
    kind = _sniff(data)
    if kind in ("zip", "ole"):
        return reader.read_workbook(data, kind, sheet)
    if ext in WORKBOOK_EXTENSIONS:
        raise _not_a_workbook(name, ext, kind)
    if kind in ("pdf", "html", "mht", "binary", "xml"):
        raise _not_a_workbook(name, ext, kind)
    return reader.read_csv(data)


# --------------------------------------------------------------------------------------------
# What the bytes really are


def _sniff(data: bytes) -> str:
    if data.startswith((_ZIP_MAGIC, _ZIP_EMPTY_MAGIC)):
        return "zip"
    if data.startswith(_OLE_MAGIC):
        return "ole"
    if data.startswith(b"%PDF"):
        return "pdf"
    head = data[:4096]
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if head.startswith(bom):
            if bom != codecs.BOM_UTF8:
                head = head.decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
            else:
                head = head[len(bom) :]
            break
    lowered = head.lstrip().lower()
    if lowered.startswith(b"mime-version:") or b"multipart/related" in lowered[:1024]:
        return "mht"
    if lowered.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in lowered:
        return "xml_spreadsheet"
    if lowered.startswith((b"<!doctype html", b"<html", b"<table")) or (
        lowered.startswith(b"<") and (b"<html" in lowered or b"<table" in lowered)
    ):
        return "html"
    if lowered.startswith(b"<?xml"):
        return "xml"
    if b"\x00" in head and not _looks_utf16(head):
        return "binary"
    return "text"


def _looks_utf16(sample: bytes) -> bool:
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    zeros_even, zeros_odd = sample[0::2].count(0), sample[1::2].count(0)
    half = max(len(sample) // 2, 1)
    return max(zeros_even, zeros_odd) > 0.3 * half and min(zeros_even, zeros_odd) < 0.05 * half


def _not_a_workbook(name: str, ext: str, kind: str) -> ImportFileError:
    if kind == "pdf":
        return ImportFileError(
            _(
                "Tệp «%(file)s» thực chất là tệp PDF, không phải bảng tính. Hệ thống không đọc "
                "được danh sách từ tệp PDF; hãy tải lên tệp Excel gốc (.xlsx)."
            )
            % {"file": name},
            code="pdf",
            filename=name,
        )
    if kind in ("html", "mht"):
        return ImportFileError(
            _(
                "Tệp «%(file)s» thực chất là một trang web (HTML) được đặt đuôi %(ext)s, không "
                "phải tệp Excel thật; các phần mềm thường xuất danh sách theo cách này. Hãy mở "
                "tệp bằng Excel, chọn Lưu thành (Save As) kiểu «Excel Workbook (.xlsx)» rồi tải "
                "lên tệp mới."
            )
            % {"file": name, "ext": ext},
            code="html",
            filename=name,
        )
    if kind == "xml_spreadsheet":
        return ImportFileError(
            _(
                "Tệp «%(file)s» là bảng tính dạng XML cũ (XML Spreadsheet 2003), không phải tệp "
                "Excel thông thường. Hãy mở tệp bằng Excel, chọn Lưu thành (Save As) kiểu «Excel "
                "Workbook (.xlsx)» rồi tải lên tệp mới."
            )
            % {"file": name},
            code="xml_spreadsheet",
            filename=name,
        )
    if kind == "text":
        return ImportFileError(
            _(
                "Tệp «%(file)s» thực chất là tệp văn bản (có thể là CSV) được đặt đuôi %(ext)s, "
                "không phải tệp Excel. Hãy đổi đuôi tệp thành .csv, hoặc mở bằng Excel và lưu "
                "thành tệp .xlsx, rồi tải lên lại."
            )
            % {"file": name, "ext": ext},
            code="text_not_workbook",
            filename=name,
        )
    return ImportFileError(
        _(
            "Tệp «%(file)s» không phải là bảng tính Excel, OpenDocument hay CSV hợp lệ (nội dung "
            "tệp không khớp với đuôi %(ext)s). Hãy kiểm tra lại tệp rồi tải lên lại."
        )
        % {"file": name, "ext": ext},
        code="not_a_spreadsheet",
        filename=name,
    )


# --------------------------------------------------------------------------------------------
# The reader


class _Reader:
    def __init__(
        self, name: str, ext: str, max_bytes: int, max_rows: int, max_cell_chars: int
    ) -> None:
        self.name = name
        self.ext = ext
        self.max_bytes = max_bytes
        self.max_rows = max_rows
        self.max_cell_chars = max_cell_chars
        self.problems: list[CellProblem] = []
        self.sheet_name = ""
        self.head_rows: int | None = None

    # --- errors ---------------------------------------------------------------------------

    def corrupt(self, detail: str = "") -> ImportFileError:
        return ImportFileError(
            _(
                "Tệp «%(file)s» bị hỏng hoặc không đúng định dạng bảng tính nên không đọc được. "
                "Hãy mở thử tệp bằng Excel, lưu lại (Save As .xlsx) rồi tải lên lại."
            )
            % {"file": self.name},
            code="corrupt",
            filename=self.name,
            extra={"detail": detail},
        )

    def encrypted(self) -> ImportFileError:
        return ImportFileError(
            _(
                "Tệp «%(file)s» được đặt mật khẩu (mã hóa) nên hệ thống không đọc được. Hãy mở "
                "tệp bằng Excel, gỡ mật khẩu (Tệp → Thông tin → Bảo vệ sổ làm việc → Mã hóa bằng "
                "mật khẩu, xóa mật khẩu), lưu lại rồi tải lên tệp mới."
            )
            % {"file": self.name},
            code="encrypted",
            filename=self.name,
        )

    def bomb(self, declared: int) -> ImportFileError:
        return ImportFileError(
            _(
                "Tệp «%(file)s» khi giải nén có dung lượng bất thường (%(size)s) so với kích "
                "thước tệp, vượt giới hạn an toàn nên hệ thống từ chối đọc. Nếu đây là danh sách "
                "thật, hãy chia thành nhiều tệp nhỏ hơn."
            )
            % {"file": self.name, "size": _size(declared)},
            code="zip_bomb",
            filename=self.name,
        )

    def too_many_rows(self, count: int) -> ImportFileError:
        where = (
            _("Trang «%(sheet)s» của tệp «%(file)s»")
            % {"sheet": self.sheet_name, "file": self.name}
            if self.sheet_name
            else _("Tệp «%(file)s»") % {"file": self.name}
        )
        return ImportFileError(
            _(
                "%(where)s có %(count)s dòng, vượt giới hạn %(max)s dòng. Hãy chia danh sách "
                "thành nhiều tệp nhỏ hơn."
            )
            % {"where": where, "count": _int(count), "max": _int(self.max_rows)},
            code="too_many_rows",
            filename=self.name,
        )

    def too_many_cells(self, height: int, width: int) -> ImportFileError:
        return ImportFileError(
            _(
                "Trang «%(sheet)s» của tệp «%(file)s» trải rộng %(rows)s dòng × %(cols)s cột "
                "(đến cột %(last)s), quá lớn để đọc. Thường là do có ô chứa dữ liệu nằm rất xa "
                "bên phải hoặc bên dưới danh sách: hãy xóa các cột, dòng thừa rồi lưu lại."
            )
            % {
                "sheet": self.sheet_name,
                "file": self.name,
                "rows": _int(height),
                "cols": _int(width),
                "last": column_letter(width - 1),
            },
            code="too_many_cells",
            filename=self.name,
        )

    def no_rows(self) -> ImportFileError:
        if self.sheet_name:
            message = _(
                "Trang «%(sheet)s» của tệp «%(file)s» không có dữ liệu (mọi ô đều trống)."
            ) % {"sheet": self.sheet_name, "file": self.name}
        else:
            message = _("Tệp «%(file)s» không có dữ liệu (không có dòng nào có nội dung).") % {
                "file": self.name
            }
        return ImportFileError(message, code="no_rows", filename=self.name)

    # --- workbooks ------------------------------------------------------------------------

    def read_workbook(self, data: bytes, kind: str, sheet: str | int | None) -> Table:
        import python_calamine

        heights: dict[str, int] = {}
        if kind == "zip":
            file_format = self._check_zip(data)
            if self.head_rows is not None and file_format == "xlsx":
                # Only the head is wanted: big sheets cut after it (their row counts kept).
                head = xlsx_head.cut(data, self.head_rows)
                if head is not None:
                    data, heights = head.data, head.heights
        else:
            if _ENCRYPTED_PACKAGE in data or _ENCRYPTION_INFO in data:
                raise self.encrypted()
            file_format = "xls"
        try:
            workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        except python_calamine.PasswordError:
            raise self.encrypted() from None
        except Exception as exc:  # calamine raises CalamineError and friends, or worse
            raise self.corrupt(str(exc)) from exc
        with workbook:
            sheet_names = list(workbook.sheet_names)
            calamine_sheet = self._pick_sheet(workbook, sheet_names, sheet)
            self.sheet_name = calamine_sheet.name
            try:
                end = calamine_sheet.end
                height = heights.get(calamine_sheet.name) or (end[0] + 1 if end else 0)
                if height > self.max_rows:
                    raise self.too_many_rows(height)
                width = end[1] + 1 if end else 0
                if height * width > self.max_rows * MAX_COLUMNS_PER_ROW_AVERAGE:
                    raise self.too_many_cells(height, width)
                if self.head_rows is not None:
                    raw = calamine_sheet.to_python(skip_empty_area=False, nrows=self.head_rows)
                else:
                    raw = calamine_sheet.to_python(skip_empty_area=False)
                merged_raw = calamine_sheet.merged_cell_ranges
            except ImportFileError:
                raise
            except python_calamine.PasswordError:
                raise self.encrypted() from None
            except Exception as exc:
                raise self.corrupt(str(exc)) from exc
        # Converted row by row (a sheet of two million rows is big enough once), each cell once:
        # empty cells to None; text of a usual length to NFC (which returns a text already in
        # NFC as it is) and, when printable, its spaces tidied here rather than in a second pass
        # over every cell; anything else (numbers, dates, long text) by ``_cell``. A text cell
        # left untidy (unprintable, or made by ``_cell``) leaves that pass to ``_finish``.
        rows = cast("list[list[Cell]]", raw)
        cell, longest, normalize = self._cell, self.max_cell_chars, unicodedata.normalize
        untidy = False

        def tidied(value: Any, r: int, c: int) -> Cell:
            """A cell the quick way below does not take: text to tidy or to leave to
            ``_finish``, and anything ``_cell`` converts."""
            nonlocal untidy
            if type(value) is str and len(value) <= longest:
                text = normalize("NFC", value)
                if not text.isprintable():
                    untidy = True
                    return text
                return " ".join(text.split()) or None
            converted = cell(value, r, c)
            if type(converted) is str:
                untidy = True
            return converted

        for r, row in enumerate(rows):
            rows[r] = [
                None
                if v is None or v == ""
                else w
                if type(v) is str
                and len(v) <= longest
                and (w := normalize("NFC", v)).isprintable()
                and "  " not in w
                and w[0] != " "
                and w[-1] != " "
                else tidied(v, r, c)
                for c, v in enumerate(row)
            ]
        merged = [MergedRange(a[0], a[1], b[0], b[1]) for a, b in merged_raw or ()]
        if file_format == "xlsx" and self.ext == ".xlsm":
            file_format = "xlsm"
        table = Table(
            filename=self.name,
            file_format=file_format,
            sheet_name=self.sheet_name,
            sheet_names=sheet_names,
            rows=rows,
            merged=merged,
            merge_info=merged_raw is not None,
            tidy=not untidy,
        )
        return self._finish(table)

    def _pick_sheet(self, workbook: Any, names: list[str], sheet: str | int | None) -> Any:
        import python_calamine

        listed = ", ".join(f"«{n}»" for n in names) or "—"

        def not_found(wanted: str) -> ImportFileError:
            return ImportFileError(
                _("Tệp «%(file)s» không có trang «%(sheet)s». Các trang có trong tệp: %(names)s.")
                % {"file": self.name, "sheet": wanted, "names": listed},
                code="sheet_not_found",
                filename=self.name,
            )

        try:
            if isinstance(sheet, int):
                if not 0 <= sheet < len(names):
                    raise ImportFileError(
                        _(
                            "Tệp «%(file)s» chỉ có %(count)s trang, không có trang thứ "
                            "%(number)s. Các trang có trong tệp: %(names)s."
                        )
                        % {
                            "file": self.name,
                            "count": _int(len(names)),
                            "number": _int(sheet + 1),
                            "names": listed,
                        },
                        code="sheet_not_found",
                        filename=self.name,
                    )
                return workbook.get_sheet_by_index(sheet)
            if isinstance(sheet, str):
                if sheet in names:
                    return workbook.get_sheet_by_name(sheet)
                folded = [n for n in names if fold(n) == fold(sheet)]
                if len(folded) == 1:
                    return workbook.get_sheet_by_name(folded[0])
                raise not_found(sheet)
            if not names:
                raise self.no_rows()
            # The first visible worksheet with data; else the first sheet.
            metadata = list(workbook.sheets_metadata)
            for index, meta in enumerate(metadata):
                if meta.visible != python_calamine.SheetVisibleEnum.Visible:
                    continue
                if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                    continue
                candidate = workbook.get_sheet_by_index(index)
                if candidate.end is not None:
                    return candidate
            return workbook.get_sheet_by_index(0)
        except ImportFileError:
            raise
        except python_calamine.PasswordError:
            raise self.encrypted() from None
        except Exception as exc:
            raise self.corrupt(str(exc)) from exc

    def _check_zip(self, data: bytes) -> str:
        """Refuse zip bombs, encrypted and non-spreadsheet ZIP files before parsing; return the
        format found inside ("xlsx" or "ods")."""
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            infos = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
            raise self.corrupt(str(exc)) from exc
        total = sum(info.file_size for info in infos)
        if len(infos) > ZIP_MAX_ENTRIES or total > ZIP_MAX_TOTAL_FACTOR * self.max_bytes:
            raise self.bomb(total)
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > ZIP_RATIO_MIN_SIZE and ratio > ZIP_MAX_RATIO:
                raise self.bomb(total)
        names = {info.filename for info in infos}
        if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
            file_format = "xlsx"
        elif "content.xml" in names:
            file_format = "ods"
            if "META-INF/manifest.xml" in names:
                manifest = archive.read("META-INF/manifest.xml")
                if b"encryption-data" in manifest:
                    raise self.encrypted()
        else:
            raise ImportFileError(
                _(
                    "Tệp «%(file)s» là tệp nén (ZIP) nhưng không phải bảng tính Excel hay "
                    "OpenDocument (có thể là tệp Word hoặc một thư mục nén). Hãy tải lên đúng tệp "
                    "danh sách."
                )
                % {"file": self.name},
                code="not_a_spreadsheet",
                filename=self.name,
            )
        # Decompress once as a stream: the sizes declared in the directory must be the real ones
        # (CRC checked), and the whole must stay under the limit.
        seen = 0
        try:
            for info in infos:
                with archive.open(info) as member:
                    while chunk := member.read(1024 * 1024):
                        seen += len(chunk)
                        if seen > ZIP_MAX_TOTAL_FACTOR * self.max_bytes:
                            raise self.bomb(seen)
        except ImportFileError:
            raise
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
            if "encrypted" in str(exc).lower():
                raise self.encrypted() from exc
            raise self.corrupt(str(exc)) from exc
        return file_format

    # --- CSV ------------------------------------------------------------------------------

    def read_csv(self, data: bytes) -> Table:
        lines_in_file = None
        if self.head_rows is not None and len(data) > HEAD_BYTES and not _wide_text(data):
            # The head of a big file: its first megabytes, cut at a line end (row count checked
            # on the whole).
            lines_in_file = data.count(b"\n") + 1
            if lines_in_file > self.max_rows:
                raise self.too_many_rows(lines_in_file)
            data = data[: data.rfind(b"\n", 0, HEAD_BYTES) + 1] or data
        text, charset = _decode_text(data)
        delimiter = _sniff_delimiter(text)
        limit = csv.field_size_limit()
        if limit < len(text) + 1:
            # Process-wide, but only ever raised: a long cell is cut below with a notice rather
            # than failing the whole file.
            csv.field_size_limit(len(text) + 1)
        text = nfc_lines(text)
        lines = lines_in_file or text.count("\n") + 1
        if self.head_rows is not None and lines > self.max_rows:
            raise self.too_many_rows(lines)
        rows: list[list[Cell]] = []
        longest = self.max_cell_chars
        head = self.head_rows
        untidy = False

        def tidied(value: str) -> Cell:
            """A cell the quick way below does not take: spaces to tidy, or unprintable
            characters, left to ``_finish``."""
            nonlocal untidy
            if not value.isprintable():
                untidy = True
                return value
            return " ".join(value.split()) or None

        try:
            for r, record in enumerate(
                csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            ):
                if r >= self.max_rows:
                    raise self.too_many_rows(max(r + 1, lines))
                if head is not None and r >= head:
                    break
                if record and max(map(len, record)) > longest:
                    rows.append([self._cell(value, r, c) for c, value in enumerate(record)])
                    untidy = True
                else:
                    # Every text is in NFC already (the whole file was): a printable cell needs
                    # at most its spaces tidied, done here rather than in a second pass.
                    rows.append(
                        [
                            None
                            if not v
                            else v
                            if v.isprintable() and "  " not in v and v[0] != " " and v[-1] != " "
                            else tidied(v)
                            for v in record
                        ]
                    )
        except csv.Error as exc:
            raise self.corrupt(str(exc)) from exc
        del text
        table = Table(
            filename=self.name,
            file_format="csv",
            sheet_name="",
            sheet_names=[],
            rows=rows,
            charset=charset,
            delimiter=delimiter,
            tidy=not untidy,
        )
        return self._finish(table)

    # --- cells ----------------------------------------------------------------------------

    def _cell(self, value: Any, row: int, col: int) -> Cell:
        """First pass: keep text raw (NFC only) so that legacy-font characters survive."""
        if isinstance(value, str):
            if not value:
                return None
            if len(value) > self.max_cell_chars:
                self.problems.append(
                    CellProblem(
                        row,
                        col,
                        _(
                            "Ô %(cell)s (dòng %(row)s, cột %(col)s%(sheet)s, tệp «%(file)s») dài "
                            "%(length)s ký tự, vượt giới hạn %(max)s ký tự; chỉ giữ lại "
                            "%(max)s ký tự đầu."
                        )
                        % {
                            "cell": f"{column_letter(col)}{row + 1}",
                            "row": _int(row + 1),
                            "col": column_letter(col),
                            "sheet": (
                                _(", trang «%(sheet)s»") % {"sheet": self.sheet_name}
                                if self.sheet_name
                                else ""
                            ),
                            "file": self.name,
                            "length": _int(len(value)),
                            "max": _int(self.max_cell_chars),
                        },
                    )
                )
                value = value[: self.max_cell_chars]
            return unicodedata.normalize("NFC", value)
        if isinstance(value, bool | datetime.date):
            return value
        if isinstance(value, int | float):
            if isinstance(value, float) and not math.isfinite(value):
                return None
            return value
        if isinstance(value, datetime.time):
            return value.isoformat(timespec="seconds" if value.second else "minutes")
        if isinstance(value, datetime.timedelta):
            return str(value)
        if value is None:
            return None
        return str(value)

    def _finish(self, table: Table) -> Table:
        rows = table.rows
        width = max((len(r) for r in rows), default=0)
        for row in rows:
            if len(row) < width:
                row.extend([None] * (width - len(row)))
        _fill_merged(rows, table.merged)
        _, table.legacy_encoding = legacy_encoding.fix_table(rows)
        if table.legacy_encoding:
            for row in rows:
                for c, value in enumerate(row):
                    if type(value) is str:
                        row[c] = nfc(value) or None
        elif not table.tidy:
            # Every text cell is in NFC already. ``nfc`` would also drop invisible and control
            # characters and turn other whitespace into spaces: all of those are unprintable, so
            # a printable cell needs at most its spaces tidied, and only an unprintable one the
            # whole of ``nfc`` (1M rows of an .xlsx: 12 s of ``nfc`` for every cell before).
            for row in rows:
                for c, value in enumerate(row):
                    if type(value) is str:
                        if not value.isprintable():
                            row[c] = nfc(value) or None
                        elif "  " in value or value[:1] == " " or value[-1:] == " ":
                            row[c] = " ".join(value.split()) or None
        while rows and all(v is None for v in rows[-1]):
            rows.pop()
        if not rows:
            raise self.no_rows()
        # Trailing columns that are empty in every row.
        width = len(rows[0])
        while width and all(row[width - 1] is None for row in rows):
            width -= 1
        if width < len(rows[0]):
            for row in rows:
                del row[width:]
        table.cell_problems = self.problems
        return table


def _fill_merged(rows: list[list[Cell]], merged: list[MergedRange]) -> None:
    budget = MERGE_FILL_LIMIT
    for block in merged:
        if block.first_row >= len(rows):
            continue
        source_row = rows[block.first_row]
        if block.first_col >= len(source_row):
            continue
        value = source_row[block.first_col]
        if value is None:
            continue
        for r in range(block.first_row, min(block.last_row, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(block.first_col, min(block.last_col, len(row) - 1) + 1):
                if row[c] is None:
                    row[c] = value
                    budget -= 1
                    if budget <= 0:
                        return


# --------------------------------------------------------------------------------------------
# Text files


HEAD_BYTES = 4 * 1024 * 1024


def nfc_lines(text: str) -> str:
    """NFC of a whole text, line by line: NFC of the whole is NFC of each line (a line end
    composes with nothing), and so of each cell. A line already in NFC is kept as it is: checking
    is quick where normalising is not, and ``unicodedata.is_normalized`` of a long text that is
    not in NFC costs a full normalisation (a 168 MB list with 8,000 decomposed lines: 3.0 s for
    the whole text, 0.7 s line by line)."""
    if text.isascii():
        return text
    lines = text.split("\n")
    is_nfc, normalize = unicodedata.is_normalized, unicodedata.normalize
    changed = False
    for k, line in enumerate(lines):
        if not is_nfc("NFC", line):
            lines[k] = normalize("NFC", line)
            changed = True
    return "\n".join(lines) if changed else text


def _wide_text(data: bytes) -> bool:
    """UTF-16 or UTF-32 (a byte-order mark, or zero bytes in the first kilobytes)."""
    head = data[:8192]
    return head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head


def _decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes; return the text and the name of the encoding used."""
    for bom, codec, label in (
        (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), label
    sample = data[:8192]
    if b"\x00" in sample and _looks_utf16(sample):
        codec = "utf-16-le" if sample[1::2].count(0) > sample[0::2].count(0) else "utf-16-be"
        return data.decode(codec, errors="replace"), codec
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates: list[tuple[str, str]] = []
    with contextlib.suppress(UnicodeDecodeError):
        candidates.append((data.decode("cp1258"), "cp1258"))
    try:
        candidates.append((data.decode("cp1252"), "cp1252"))
    except UnicodeDecodeError:
        candidates.append((data.decode("latin-1"), "latin-1"))
    return max(candidates, key=lambda c: _vietnamese_score(c[0]))


def _vietnamese_score(text: str) -> int:
    """How many words of the text read as Vietnamese syllables, after converting TCVN3/VNI if
    the text looks typed in one of them."""
    sample = unicodedata.normalize("NFC", text[:200_000])
    lines = sample.splitlines()
    encoding = legacy_encoding.detect(lines)
    if encoding is not None:
        sample = legacy_encoding.convert(sample, encoding)
    words = [w for w in sample.replace(",", " ").replace(";", " ").split() if not w.isascii()]
    return sum(1 for w in words if legacy_encoding.is_vietnamese_syllable(w.strip(".:()\"'")))


_DELIMITERS = (",", ";", "\t", "|")


def _sniff_delimiter(text: str) -> str:
    lines = [line for line in text[:65536].splitlines()[:100] if line.strip()]
    if not lines:
        return ","
    best: tuple[float, int, int] | None = None
    choice = ","
    for rank, delimiter in enumerate(_DELIMITERS):
        try:
            counts = [
                len(r) for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
            ]
        except csv.Error:
            continue
        counts = [n for n in counts if n > 1]
        if not counts:
            continue
        mode, frequency = Counter(counts).most_common(1)[0]
        score = (frequency / len(lines), mode, -rank)
        if best is None or score > best:
            best, choice = score, delimiter
    return choice
