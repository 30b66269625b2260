"""The receipt ("GIẤY XÁC NHẬN ỦNG HỘ") as a PDF, for the donor who opens it on a phone: the same
content as the .docx (``receipts.receipt_content``) in the same Decree 30 layout as
``nhandao.core.documents`` (A4, margins 20/20/30/15 mm, the two-column header with the national
name and motto, "Số: …" and the place and date line, title, body, items table, "Nơi nhận:" and the
signature block; page numbers centred at the top from page 2). One page, flowing on when the items
table is long. A voided receipt says so in red at the top and across every page.

Written with fpdf2 in DejaVu Serif (Times New Roman is not free to ship), which has every
Vietnamese letter; the TTF files come from the npm package dejavu-fonts-ttf, found through the
setting ``NHANDAO_PDF_FONT_DIR``, and are subset and embedded in the file.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from nhandao.core.documents import MARGINS_MM, MOTTO, NATIONAL_NAME, date_line, place_of
from nhandao.core.errors import ApplicationError
from nhandao.orgs.selectors import unit_parent_name

from .models import Receipt
from .receipts import ReceiptContent, receipt_content

FAMILY = "DejaVuSerif"
FONT_FILES = {
    "": "DejaVuSerif.ttf",
    "B": "DejaVuSerif-Bold.ttf",
    "I": "DejaVuSerif-Italic.ttf",
    "BI": "DejaVuSerif-BoldItalic.ttf",
}
PT = 0.3528  # millimetres in a point
RED = (176, 0, 0)


def _t(text: Any) -> str:
    """Text as composed Unicode (NFC): one glyph per Vietnamese letter in the font."""
    return unicodedata.normalize("NFC", "" if text is None else str(text))


def font_dir() -> Path:
    """The folder of the DejaVu TTF files; a clear message when they are not installed."""
    folder = Path(settings.NHANDAO_PDF_FONT_DIR)
    missing = [name for name in FONT_FILES.values() if not (folder / name).is_file()]
    if missing:
        raise ApplicationError(
            _(
                "Không tìm thấy phông chữ để tạo tệp PDF (%(files)s trong %(folder)s). Hãy chạy "
                "“make install” hoặc đặt NHANDAO_PDF_FONT_DIR."
            )
            % {"files": ", ".join(missing), "folder": folder}
        )
    return folder


class _OfficialPdf(FPDF):
    """An A4 page in the Decree 30 layout, written top to bottom like ``OfficialDocument``."""

    def __init__(self, *, watermark: str = "") -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        folder = font_dir()
        for style, name in FONT_FILES.items():
            self.add_font(FAMILY, style, str(folder / name))
        self.set_margins(MARGINS_MM["left"], MARGINS_MM["top"], MARGINS_MM["right"])
        self.set_auto_page_break(True, margin=MARGINS_MM["bottom"])
        self.watermark = watermark
        self.set_text_color(0)
        self.add_page()

    @property
    def width(self) -> float:
        return float(self.w - self.l_margin - self.r_margin)

    def line_h(self, size: float) -> float:
        return size * PT * 1.3

    def font(self, size: float, style: str = "") -> None:
        self.set_font(FAMILY, style, size)

    def header(self) -> None:
        if self.page_no() > 1:
            self.font(13)
            self.set_xy(self.l_margin, 10)
            self.cell(self.width, 5, str(self.page_no()), align=Align.C)
        if self.watermark:
            self.font(60, "B")
            self.set_text_color(240, 200, 200)
            x, y = self.w / 2, self.h / 2
            with self.rotation(45, x, y):
                text = _t(self.watermark)
                self.text(x - self.get_string_width(text) / 2, y, text)
            self.set_text_color(0)
        self.set_xy(self.l_margin, self.t_margin)

    def centred(
        self,
        text: str,
        size: float,
        style: str = "",
        *,
        x: float | None = None,
        w: float | None = None,
        fit: bool = False,
    ) -> None:
        """One centred block (wrapped if long) in the column [x, x + w]; ``fit`` shrinks the font
        to keep it on one line, as the national name must be."""
        x = self.l_margin if x is None else x
        w = self.width if w is None else w
        text = _t(text)
        self.font(size, style)
        if fit:
            while size > 8 and self.get_string_width(text) > w - 1:
                size -= 0.5
                self.font(size, style)
        self.set_x(x)
        self.multi_cell(w, self.line_h(size), text, align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)

    def columns(
        self, left: Sequence[Any], right: Sequence[Any], widths: tuple[float, float]
    ) -> None:
        """Two columns side by side from the current line, each a list of ``centred`` arguments
        (text, size, style, extra options); goes on below the longer one."""
        top = self.get_y()
        bottom = top
        x = self.l_margin
        for blocks, w in ((left, widths[0]), (right, widths[1])):
            self.set_y(top)
            for text, size, style, *options in blocks:
                self.centred(text, size, style, x=x, w=w, **(options[0] if options else {}))
            bottom = max(bottom, self.get_y())
            x += w
        self.set_xy(self.l_margin, bottom)

    def blank(self, size: float = 14) -> None:
        self.ln(self.line_h(size))

    def paragraph(
        self, text: str, *, size: float = 13, style: str = "", indent: float = 10
    ) -> None:
        """A justified paragraph with a first-line indent, 6 pt after."""
        self.font(size, style)
        with (
            self.text_columns(text_align=Align.J, line_height=1.3) as column,
            column.paragraph(first_line_indent=indent, bottom_margin=6 * PT) as para,
        ):
            para.write(_t(text))
        self.set_x(self.l_margin)

    def table_of(self, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """A bordered table (headings repeated on each page); numbers right-aligned."""
        widths = (12, 50, 20, 20, 30, 33)[: len(headers)]
        align = ("C", "L", "L", "R", "R", "R")[: len(headers)]
        self.font(11)
        with self.table(
            align=Align.L,
            col_widths=widths,
            text_align=align,
            width=self.width,
            line_height=self.line_h(11),
            padding=1,
        ) as table:
            heading = table.row()
            for label in headers:
                heading.cell(_t(label), align=Align.C)
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(_t(value))
        self.ln(self.line_h(11))

    def signature(self, *, on_behalf: str, position: str, recipients: Sequence[str]) -> None:
        """ "Nơi nhận:" on the left, the signing office on the right with room for the signature;
        kept whole on one page."""
        needed = self.line_h(14) * 7
        if self.get_y() + needed > self.h - self.b_margin:
            self.add_page()
        left = [(_t("Nơi nhận:"), 12, "BI")]
        archive = "Lưu: VT"
        names = [f"- {name};" for name in recipients] + [f"- {archive}."]
        top = self.get_y()
        self.font(12, "BI")
        self.cell(75, self.line_h(12), left[0][0], new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.font(11)
        for name in names:
            self.set_x(self.l_margin)
            self.multi_cell(75, self.line_h(11), _t(name), align=Align.L, new_x=XPos.LEFT)
        bottom = self.get_y()
        self.set_y(top)
        x = self.l_margin + 75
        if on_behalf:
            self.centred(on_behalf.upper(), 14, "B", x=x, w=self.width - 75)
        self.centred(position.upper(), 14, "B", x=x, w=self.width - 75)
        self.set_xy(self.l_margin, max(bottom, self.get_y() + self.line_h(14) * 4))

    def render(self) -> bytes:
        return bytes(self.output())


def _write(pdf: _OfficialPdf, receipt: Receipt, content: ReceiptContent) -> None:
    unit = receipt.unit
    managing = unit_parent_name(unit)
    code = unit.short_code or "HCTĐ"
    left: list[Any] = []
    if managing:
        left.append((managing.upper(), 12, ""))
    left += [(unit.name.upper(), 12, "B"), ("_______", 12, "")]
    right = [(NATIONAL_NAME, 12, "B", {"fit": True}), (MOTTO, 13, "BU", {"fit": True})]
    pdf.columns(left, right, (65, pdf.width - 65))
    pdf.ln(2)
    pdf.columns(
        [(f"Số: {receipt.code}/GXN-{code}", 12, "")],
        [(date_line(place_of(unit.name), receipt.issued_on), 13, "I")],
        (65, pdf.width - 65),
    )
    pdf.blank()
    pdf.centred(content.title.upper(), 14, "B")
    pdf.centred(content.subtitle, 14, "B")
    if content.void_note:
        pdf.ln(2)
        pdf.set_text_color(*RED)
        pdf.set_draw_color(*RED)
        pdf.font(14, "B")
        mark = _t(_("ĐÃ HỦY"))
        w = pdf.get_string_width(mark) + 12
        pdf.set_x((pdf.w - w) / 2)
        pdf.cell(w, 9, mark, border=1, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0)
        pdf.set_draw_color(0)
        pdf.ln(2)
        pdf.paragraph(content.void_note, style="I")
    else:
        pdf.blank()
    pdf.paragraph(content.intro)
    for label, value in content.lines:
        pdf.paragraph(f"{label}: {value}")
    if content.item_rows:
        pdf.table_of(content.item_headers, content.item_rows)
    pdf.paragraph(content.thanks)
    pdf.ln(2)
    pdf.signature(
        on_behalf=content.on_behalf, position=content.position, recipients=content.recipients
    )


def receipt_pdf(receipt: Receipt) -> bytes:
    """The receipt as an A4 PDF with the fonts embedded."""
    pdf = _OfficialPdf(watermark=_("ĐÃ HỦY") if receipt.voided else "")
    content = receipt_content(receipt)
    pdf.set_title(_t(f"{content.title} {content.subtitle}"))
    pdf.set_author(_t(receipt.unit.name))
    pdf.set_creator("nhandao")
    _write(pdf, receipt, content)
    return pdf.render()
