"""The head of a big .xlsx without parsing all of it.

To show the header and the proposed mapping, an upload needs the first rows of a sheet, but the
reader (calamine) parses a whole sheet before it hands over any row: 6 s for a list of a million
rows, in the user's request. :func:`cut` writes a copy of the workbook in which every big
worksheet keeps only its first rows (and everything after its data: merged cells and the rest),
so that the reader parses a small sheet and sees the same head, the same merged cells and the
same styles. The row count of each cut sheet is taken from its last row while cutting, so an
upload over the row limit is still refused at once.

Anything unexpected (a part that is not laid out as the standard says, a sheet shorter than its
head) gives ``None``: the caller then reads the whole file as before. Validation always reads
the whole file."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

BIG_PART = 8 * 1024 * 1024  # uncompressed bytes of a worksheet worth cutting
CHUNK = 1 << 20
_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"  # some writers prefix every element ("x:row")
_ROW_END = re.compile(rb"</" + _PREFIX + rb"row>|<" + _PREFIX + rb"row\b[^>]*/>")
_DATA_END = re.compile(rb"</" + _PREFIX + rb"sheetData>")
_ROW_NUMBER = re.compile(rb"<" + _PREFIX + rb"row\b[^>]*?\br=\"(\d+)\"")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class Head:
    data: bytes  # the workbook with every big worksheet cut after its first rows
    heights: dict[str, int]  # sheet name -> the number of its last row (cut sheets)


def cut(data: bytes, rows: int) -> Head | None:
    """The workbook ``data`` with each big worksheet cut after ``rows`` rows, or ``None`` when
    there is nothing to cut or the file is not as expected."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        big = {
            info.filename
            for info in archive.infolist()
            if info.filename.startswith("xl/worksheets/")
            and info.filename.endswith(".xml")
            and info.file_size > BIG_PART
        }
        if not big:
            return None
        names = _sheet_parts(archive)
        if not big <= names.keys():
            return None
        out = io.BytesIO()
        heights: dict[str, int] = {}
        # Stored, not compressed: written and read back at the speed of a copy.
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as small:
            for info in archive.infolist():
                if info.filename in big:
                    part = _cut_part(archive, info, rows)
                    if part is None:
                        return None
                    xml, heights[names[info.filename]] = part
                    small.writestr(info.filename, xml)
                else:
                    small.writestr(info.filename, archive.read(info.filename))
        return Head(out.getvalue(), heights)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        ParseError,
        DefusedXmlException,
        KeyError,
        ValueError,
        OSError,
        EOFError,
    ):
        return None


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part path -> sheet name, from the workbook part and its relationships."""
    root_rels = fromstring(archive.read("_rels/.rels"))
    book = next(
        (
            r.get("Target", "")
            for r in root_rels.iter(f"{_PKG}Relationship")
            if r.get("Type", "").endswith("/officeDocument")
        ),
        "",
    ).lstrip("/")
    if not book:
        return {}
    folder, base = posixpath.split(book)
    rels = fromstring(archive.read(posixpath.join(folder, "_rels", base + ".rels")))
    targets = {}
    for r in rels.iter(f"{_PKG}Relationship"):
        target = r.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        targets[r.get("Id")] = posixpath.normpath(path)
    workbook = fromstring(archive.read(book))
    return {
        targets[s.get(_DOC_REL)]: s.get("name", "")
        for s in workbook.iter(f"{_MAIN}sheet")
        if s.get(_DOC_REL) in targets
    }


def _cut_part(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, rows: int
) -> tuple[bytes, int] | None:
    """The worksheet's XML up to the end of its ``rows``-th row element, then from the end of its
    data to the end; and the number of its last row."""
    with archive.open(info) as stream:
        head = bytearray()
        counted_to = 0  # the end of the last row element counted
        found = 0
        while found < rows:
            chunk = stream.read(CHUNK)
            if not chunk:
                return None  # fewer rows than the head: nothing worth cutting
            head += chunk
            for match in _ROW_END.finditer(head, counted_to):
                found += 1
                counted_to = match.end()
                if found == rows:
                    break
            if found < rows and _DATA_END.search(head, counted_to):
                return None
        # The rest of the rows is skipped a chunk at a time; ``window`` keeps the last bytes of
        # the one before, where the data's end or a row's start may have begun.
        window = bytes(head[counted_to:])
        del head[counted_to:]
        before = b""  # the text just before ``window``, to find the last row's number
        while True:
            end = _DATA_END.search(window) if b"sheetData>" in window else None
            if end is not None:
                numbers = _ROW_NUMBER.findall(before[-CHUNK:] + window[: end.start()])
                if not numbers:
                    return None
                tail = window[end.start() :] + stream.read()
                return bytes(head) + tail, int(numbers[-1])
            chunk = stream.read(CHUNK)
            if not chunk:
                return None
            before, window = window[:-64], window[-64:] + chunk
