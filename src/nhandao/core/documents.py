"""The official-document builder (.docx in the layout of Decree 30/2020/NĐ-CP, rules.md "Official
documents"): A4, margins 20/20/30/15 mm, Times New Roman, the two-column header (managing and
issuing body on the left, national name and motto on the right), "Số: …/BC-…" and the place and
date line, the title and subject, justified body paragraphs with a first-line indent, tables, the
signature block and "Nơi nhận:". Page numbers are centred at the top from page 2.

Every app writes its documents through this one class::

    doc = OfficialDocument(managing_body=..., issuing_body=..., doc_type="BC",
                           issuer_code="HCTĐ", place="Hà Nội", date=today)
    doc.title("BÁO CÁO", "Kết quả phong trào …")
    doc.paragraph("…")
    doc.table(["STT", "Đơn vị"], rows)
    doc.signature(on_behalf="TM. BAN THƯỜNG VỤ", position="CHỦ TỊCH", signer="",
                  recipients=["Như trên"])
    content = doc.render()
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

FONT = "Times New Roman"
NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TYPE_NAMES = {
    "BC": "BÁO CÁO",
    "KH": "KẾ HOẠCH",
    "QĐ": "QUYẾT ĐỊNH",
    "TB": "THÔNG BÁO",
    "HD": "HƯỚNG DẪN",
}
_PLACE_PREFIXES = (
    "hội chữ thập đỏ ",
    "thành phố ",
    "tỉnh ",
    "phường ",
    "xã ",
    "đặc khu ",
    "quận ",
    "huyện ",
    "thị xã ",
)


def date_line(place: str, day: dt.date) -> str:
    """ "Hà Nội, ngày 05 tháng 3 năm 2026": a leading zero for days below 10 and for months 1
    and 2 (Decree 30/2020)."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def place_of(unit_name: str, default: str = "Hà Nội") -> str:
    """The place name for the date line from a unit's name: "Hội Chữ thập đỏ thành phố Hà Nội"
    gives "Hà Nội"; the national unit gives ``default``."""
    name = unit_name.strip()
    if name.lower().startswith("trung ương"):
        return default
    changed = True
    while changed:
        changed = False
        for prefix in _PLACE_PREFIXES:
            if name.lower().startswith(prefix):
                name = name[len(prefix) :].strip()
                changed = True
    return name or default


def _font(run: Any, size: float, *, bold: bool = False, italic: bool = False) -> Any:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    return run


def _no_borders(table: Any) -> None:
    props = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    props.append(borders)


class OfficialDocument:
    def __init__(
        self,
        *,
        managing_body: str,
        issuing_body: str,
        doc_type: str = "BC",
        issuer_code: str = "HCTĐ",
        number: str = "",
        place: str,
        date: dt.date,
        landscape: bool = False,
    ):
        self.doc_type = doc_type
        self.document = Document()
        self._setup(landscape)
        self._header(managing_body, issuing_body, doc_type, issuer_code, number, place, date)

    # --- page and styles ---------------------------------------------------------------------

    def _setup(self, landscape: bool) -> None:
        section = self.document.sections[0]
        width, height = Mm(210), Mm(297)
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            width, height = height, width
        section.page_width, section.page_height = width, height
        section.top_margin = Mm(MARGINS_MM["top"])
        section.bottom_margin = Mm(MARGINS_MM["bottom"])
        section.left_margin = Mm(MARGINS_MM["left"])
        section.right_margin = Mm(MARGINS_MM["right"])
        normal = self.document.styles["Normal"]
        normal.font.name = FONT  # type: ignore[attr-defined]
        normal.font.size = Pt(14)  # type: ignore[attr-defined]
        fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()  # type: ignore[attr-defined]
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), FONT)
        normal.paragraph_format.space_after = Pt(0)  # type: ignore[attr-defined]
        # Page numbers centred at the top, from page 2 (the first page's header stays empty).
        section.different_first_page_header_footer = True
        para = section.header.paragraphs[0]
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "2"
        run.append(text)
        field.append(run)
        para._p.append(field)

    def _cell_line(
        self, cell: Any, text: str, size: float, *, bold: bool = False, italic: bool = False
    ) -> Any:
        para = cell.paragraphs[0] if not cell.paragraphs[0].text else cell.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(para.add_run(text), size, bold=bold, italic=italic)
        return para

    def _header(
        self,
        managing_body: str,
        issuing_body: str,
        doc_type: str,
        issuer_code: str,
        number: str,
        place: str,
        date: dt.date,
    ) -> None:
        table = self.document.add_table(rows=2, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _no_borders(table)
        left, right = table.rows[0].cells
        if managing_body:
            self._cell_line(left, managing_body.upper(), 13)
        self._cell_line(left, issuing_body.upper(), 13, bold=True)
        self._cell_line(left, "_______", 13)
        self._cell_line(right, NATIONAL_NAME, 12, bold=True)
        motto = self._cell_line(right, MOTTO, 13, bold=True)
        motto.runs[0].font.underline = True
        number_text = number or "      "
        self._cell_line(table.rows[1].cells[0], f"Số: {number_text}/{doc_type}-{issuer_code}", 13)
        self._cell_line(table.rows[1].cells[1], date_line(place, date), 14, italic=True)
        for row in table.rows:
            row.cells[0].width = Cm(6.5)
            row.cells[1].width = Cm(9.5)

    # --- content ----------------------------------------------------------------------------

    def title(self, kind: str = "", subject: str = "") -> None:
        self.document.add_paragraph()
        para = self.document.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(para.add_run((kind or TYPE_NAMES.get(self.doc_type, "")).upper()), 14, bold=True)
        if subject:
            para = self.document.add_paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(para.add_run(subject), 14, bold=True)
        self.document.add_paragraph()

    def heading(self, text: str) -> None:
        para = self.document.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        para.paragraph_format.first_line_indent = Cm(1)
        para.paragraph_format.space_before = Pt(6)
        _font(para.add_run(text), 14, bold=True)

    def paragraph(self, text: str, *, italic: bool = False) -> None:
        para = self.document.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        para.paragraph_format.first_line_indent = Cm(1)
        para.paragraph_format.space_after = Pt(6)
        _font(para.add_run(text), 14, italic=italic)

    def table(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        widths_cm: Sequence[float] | None = None,
        size: float = 12,
    ) -> Any:
        """A bordered table; numbers are right-aligned and written as given (format before)."""
        rows = list(rows)
        table = self.document.add_table(rows=1 + len(rows), cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for col, label in enumerate(headers):
            cell = table.rows[0].cells[col]
            self._cell_line(cell, str(label), size, bold=True)
        for r, values in enumerate(rows, 1):
            for col, value in enumerate(values):
                para = table.rows[r].cells[col].paragraphs[0]
                if isinstance(value, (int, float)) or (
                    isinstance(value, str) and value[:1].isdigit() and col > 0
                ):
                    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                _font(para.add_run("" if value is None else str(value)), size)
        if widths_cm:
            for row in table.rows:
                for col, width in enumerate(widths_cm):
                    row.cells[col].width = Cm(width)
        self.document.add_paragraph()
        return table

    def signature(
        self,
        *,
        on_behalf: str = "",
        position: str,
        signer: str = "",
        recipients: Sequence[str] = (),
        archive: str = "Lưu: VT",
    ) -> None:
        table = self.document.add_table(rows=1, cols=2)
        _no_borders(table)
        left, right = table.rows[0].cells
        para = left.paragraphs[0]
        _font(para.add_run("Nơi nhận:"), 12, bold=True, italic=True)
        for name in [*recipients, archive]:
            end = "." if name == archive else ";"
            _font(left.add_paragraph().add_run(f"- {name}{end}"), 11)
        if on_behalf:
            self._cell_line(right, on_behalf.upper(), 14, bold=True)
        self._cell_line(right, position.upper(), 14, bold=True)
        for _blank in range(4):
            right.add_paragraph()
        if signer:
            self._cell_line(right, signer, 14, bold=True)
        for row in table.rows:
            row.cells[0].width = Cm(7.5)
            row.cells[1].width = Cm(8.5)

    def render(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()
