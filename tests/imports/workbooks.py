"""Builders of real files for the import tests: .xlsx (xlsxwriter), .ods (written by hand: no
ODS writer is installed, and an ODS file is a ZIP of a few XML parts), CSV in several encodings,
and the bad files of the corpus (encrypted, zip bomb, HTML saved as .xls…)."""

from __future__ import annotations

import datetime
import io
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from typing import Any
from xml.sax.saxutils import escape

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

Value = str | int | float | bool | datetime.date | datetime.datetime | None


def xlsx(build: Callable[[Workbook], None]) -> bytes:
    """An .xlsx file built by ``build(workbook)``."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    build(workbook)
    workbook.close()
    return buffer.getvalue()


def write_rows(sheet: Worksheet, rows: Sequence[Sequence[Value]], *, first_row: int = 0) -> None:
    for r, row in enumerate(rows, start=first_row):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(r, c, value)  # never a formula, even "=…"
            else:
                sheet.write(r, c, value)


def simple_xlsx(rows: Sequence[Sequence[Value]], sheet_name: str = "Danh sách") -> bytes:
    def build(workbook: Workbook) -> None:
        write_rows(workbook.add_worksheet(sheet_name), rows)

    return xlsx(build)


def ods(rows: Sequence[Sequence[Any]], sheet_name: str = "Danh sách") -> bytes:
    """A minimal OpenDocument spreadsheet. A cell given as ``(text, span)`` spans ``span``
    columns (followed by covered cells), like a merged title."""

    def cell(value: Any) -> str:
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, tuple):
            text, span = value
            return (
                f'<table:table-cell table:number-columns-spanned="{span}" '
                f'office:value-type="string"><text:p>{escape(text)}</text:p></table:table-cell>'
                + "<table:covered-table-cell/>"
                * (span - 1)
            )
        if isinstance(value, int | float) and not isinstance(value, bool):
            return (
                f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>"
            )
        return (
            f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p>'
            "</table:table-cell>"
        )

    body = "".join(
        "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{escape(sheet_name)}">'
        f"{body}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def csv_text(rows: Sequence[Sequence[str]], delimiter: str = ",") -> str:
    """CSV text with quoting where needed (as Excel writes it)."""
    import csv

    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Windows-1258 bytes as Vietnamese Windows writes them: letters with circumflex, breve or
    horn are single bytes, tone marks are separate combining bytes."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
        tones = "".join(c for c in decomposed if c in _TONES)
        out += (base + tones).encode("cp1258")
    return bytes(out)


def encrypted_ooxml() -> bytes:
    """What Excel writes for a password-protected .xlsx: an OLE2 compound file whose directory
    holds the "EncryptionInfo" and "EncryptedPackage" streams. Only the parts the reader looks
    at are real: the signature, a header, and the two directory entry names."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[0x18:0x1A] = (0x003E).to_bytes(2, "little")  # minor version
    header[0x1A:0x1C] = (0x0003).to_bytes(2, "little")  # major version 3
    header[0x1C:0x1E] = (0xFFFE).to_bytes(2, "little")  # little-endian
    header[0x1E:0x20] = (9).to_bytes(2, "little")  # 512-byte sectors

    def entry(name: str) -> bytes:
        raw = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        raw[0 : len(encoded)] = encoded
        raw[64:66] = len(encoded).to_bytes(2, "little")
        raw[66] = 2  # stream
        return bytes(raw)

    directory = entry("Root Entry") + entry("EncryptionInfo") + entry("EncryptedPackage")
    return bytes(header) + directory + bytes(512 - len(directory) % 512) + b"\x00" * 4096


def zip_bomb(megabytes: int = 200) -> bytes:
    """An .xlsx-looking ZIP whose sheet inflates to ``megabytes`` MB of zeros (~1 KB per MB)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(megabytes):
                member.write(chunk)
    return buffer.getvalue()


def docx_like() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()
