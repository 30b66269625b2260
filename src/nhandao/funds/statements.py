"""Bank statements of a fund's account: reading a file into lines, importing them once, matching
each credit to a donation, and the queue of what is left (RES-4).

Reading (:func:`statement_read`, no database): the file through the import pipeline's reader
(.xlsx/.xls/.ods/.csv; UTF-8 with or without BOM, Windows-1258/1252), a layout (a bank preset found
by its header row, or the generic mapping), the account number printed above the header, and one
:class:`Line` per transaction. A malformed file or row is refused with the file, row and column.

Importing (:func:`statement_import`): the account must be the fund's; each line's dedupe key (the
bank's reference, else a hash of date, amount, note, counterparty and the ordinal of identical
lines in the file) is looked up per batch, the new lines are matched in memory (:class:`Matcher`)
and written in one bulk load (COPY on PostgreSQL), all in one transaction: a failed import leaves
nothing. Matching, in this order: (a) a reference code in the transfer note (a donation's, or a
payment request's, which becomes its donation); (b) the same amount within ``match_days`` days and
the donor's name ≥ 85 % alike, when one donation fits clearly (every other at least 10 points
below it); else the line waits in the queue.

Queue actions (each audited with the line and the donation): match to a donation, record as a
new donation (also in bulk), not a donation (ignored, with the reason), and undo.

Large files (over :data:`BACKGROUND_LINES` lines) run as a background job (django_tasks); the
upload and its progress are kept in the default storage (:class:`PendingUpload`), so the page and
the worker share them without a table of their own.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import re
import secrets
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task
from rapidfuzz import fuzz, process

from nhandao.core.audit import audit_record
from nhandao.core.collector import collector_paused
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.core.money import format_vnd
from nhandao.core.scoping import get_visible_or_404
from nhandao.core.text import STORED_LANGUAGE, fold, nfc
from nhandao.imports.readers import Table, read_table
from nhandao.imports.sql import bulk_load, is_pg

from . import bank_layouts as layouts
from . import services
from .ledger import Earmark
from .models import (
    Donation,
    DonationMethod,
    DonationStatus,
    Donor,
    Fund,
    MatchStatus,
    PaymentRequest,
    Statement,
    StatementLine,
)

A = AuditEvent.Action
BACKGROUND_LINES = 20_000  # above this, the import runs as a background job
BATCH = 5_000
ANALYZE_LINES = 50_000  # PostgreSQL: refresh the table's statistics after an import this big
MAX_BYTES = 200 * 1024 * 1024
MAX_ERRORS = 20  # row problems listed before giving up
HEADER_SCAN = 40  # rows searched for the header
NAME_SCORE = 85  # rapidfuzz score (0-100) of folded names for a match by amount + date + name
NAME_MARGIN = 10  # … and every other donation of the amount and days this many points below it
NAME_NEAR = NAME_SCORE - NAME_MARGIN  # scores below this are not even looked at
QUEUE_WINDOW = 14  # days either side for the candidates shown in the queue

REF_RE = re.compile(
    f"(?=({services.REF_PREFIX}[{services.REF_ALPHABET}]{{{services.REF_LENGTH}}}))"
)
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")
_DATE_RE = re.compile(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?!\d)")
_ISO_RE = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_GROUPED = re.compile(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*")
_ACCOUNT_RE = re.compile(
    r"(?:so tai khoan|so tk|tai khoan so|account number|account no|tai khoan)"
    r"[^0-9]{0,12}?(\d[\d .-]{3,40}\d)"
)
_FOOTER_WORDS = (
    "tong cong",
    "tong so",
    "cong phat sinh",
    "so du",
    "total",
    "balance",
    "ket thuc",
    "doanh so",
)


# --- reading ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Line:
    """One transaction read from a file; ``amount`` is positive for a credit."""

    row: int  # as the user sees it in the spreadsheet (1-based)
    posted_on: dt.date
    amount: int
    description: str
    counterparty: str
    counterparty_account: str
    bank_ref: str
    dedupe_key: str = ""


@dataclass
class Parsed:
    file_name: str
    sha256: str
    layout: str
    account_no: str  # as printed above the header ("" when the file does not say)
    header_row: int | None  # 1-based
    columns: dict[str, int]
    lines: list[Line]
    skipped: int = 0  # empty, total and balance rows


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_DATE_CACHE: dict[str, dt.date] = {}


def parse_date(value: Any) -> dt.date:
    """A transaction date: a date cell, an Excel serial number, or text dd/mm/yyyy (also with -
    or ., a two-digit year, a time after it) or yyyy-mm-dd. ValueError when it is none of them."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # an Excel serial day (1954-2119)
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
        raise ValueError(str(value))
    text = str(value)
    head = text[:10]
    found = _DATE_CACHE.get(head)
    if found is not None:
        return found
    m = _DATE_RE.match(text)
    if m:
        day, month, year = int(m[1]), int(m[2]), int(m[3])
        if year < 100:
            year += 2000
    else:
        m = _ISO_RE.match(text)
        if not m:
            raise ValueError(text)
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    result = dt.date(year, month, day)  # ValueError for 31/02
    if len(_DATE_CACHE) < 100_000:
        _DATE_CACHE[head] = result
    return result


def parse_money(value: Any) -> int:
    """Whole đồng from a cell: a number, or text such as "1.500.000", "1,500,000", "1500000",
    "1,500,000.00", "1.500.000 VND", "-500.000", "(500.000)". 0 for an empty cell or "-".
    ValueError (Vietnamese) for anything else, e.g. a fraction of a đồng."""
    if value is None:
        return 0
    if isinstance(value, bool):
        raise ValueError(_("không phải số tiền"))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(_("số tiền có phần lẻ dưới một đồng"))
        return int(value)
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    plain = text.replace(".", "").replace(",", "")
    if plain.isdigit() and _GROUPED.fullmatch(text):
        return int(plain)
    body = text.replace(" ", "").replace("\u00a0", "")
    for suffix in ("VND", "VNĐ", "vnd", "vnđ", "đ", "Đ", "d"):
        if body.endswith(suffix):
            body = body[: -len(suffix)]
            break
    if body in ("", "-"):
        return 0
    negative = False
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1]
    if body[:1] in "+-":
        negative, body = body[0] == "-", body[1:]
    # Zero decimals as some banks print them: "1,500,000.00", "1.500.000,00", "1500000.00".
    m = re.fullmatch(r"(.*?)([.,])(\d{1,2})", body)
    if m and (m[2] not in m[1]) and len(m[3]) != 3:
        if int(m[3]) != 0:
            raise ValueError(_("số tiền có phần lẻ dưới một đồng"))
        body = m[1]
    if body.isdigit():
        amount = int(body)
    elif _GROUPED.fullmatch(body):
        amount = int(re.sub(r"[.,]", "", body))
    else:
        raise ValueError(_("«%(value)s» không phải số tiền") % {"value": text})
    return -amount if negative else amount


def ascii_key(text: str) -> str:
    """Upper-case ASCII letters and digits only: diacritics, spaces, dashes and other signs
    removed, "đ" read as "d" (where a reference code is looked for)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    plain = unicodedata.normalize("NFD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_ALNUM.sub("", plain.upper())


def references_in(text: str) -> list[str]:
    """Every reference code (UH + 7 characters of the code alphabet) in a transfer note."""
    if not text:
        return []
    key = _NOT_ALNUM.sub("", text.upper()) if text.isascii() else ascii_key(text)
    found: list[str] = []
    at = key.find(services.REF_PREFIX)
    while at >= 0:
        m = REF_RE.match(key, at)
        if m:
            found.append(m[1])
        at = key.find(services.REF_PREFIX, at + 1)
    return found


_NOT_ALNUM_LOWER = re.compile(r"[^0-9a-z]+")


def quick_fold(text: str) -> str:
    """``core.text.fold`` for names, in C-level steps: lower case ASCII letters and digits, words
    separated by one space (what name scores compare; a bank prints names without diacritics)."""
    if not text.isascii():
        text = text.replace("đ", "d").replace("Đ", "D")
        text = unicodedata.normalize("NFD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(_NOT_ALNUM_LOWER.sub(" ", text.lower()).split())


def _is_footer(row: Sequence[Any]) -> bool:
    words = fold(" ".join(str(c) for c in row if isinstance(c, str)))
    return any(w in words for w in _FOOTER_WORDS)


def _account_in(rows: Iterable[Sequence[Any]]) -> str:
    """The account number printed in the top lines ("Số tài khoản: 0011001234567")."""
    for row in rows:
        text = " ".join(_text(c) for c in row if not _blank(c))
        if not text:
            continue
        m = _ACCOUNT_RE.search(fold(text))
        if m and "doi ung" not in fold(text)[: m.start(1)][-20:]:
            return re.sub(r"\D", "", m[1])
    return ""


def _same_account(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return re.sub(r"[^0-9A-Za-z]", "", s).lstrip("0").upper()

    return norm(a) == norm(b)


def _decode(data: bytes) -> tuple[str, str]:
    """Text of a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1258 (the
    Vietnamese code page), else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    for charset in ("cp1258", "cp1252"):
        try:
            return data.decode(charset), charset
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def read_csv(data: bytes, filename: str) -> Table:
    """A CSV statement as a table of text cells (NFC, trimmed; None when empty), fast enough for
    half a million lines. The delimiter (, ; tab |) is the most frequent one in the first lines."""
    text, charset = _decode(data)
    head = text[:20_000].splitlines()[:30]
    delimiter = max(",;\t|", key=lambda d: sum(line.count(d) for line in head))
    rows: list[list[Any]] = []
    width = 0
    for raw in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        row: list[Any] = [
            (c if c.isascii() else nfc(c)) if (c := cell.strip()) else None for cell in raw
        ]
        if len(row) > width:
            width = len(row)
        rows.append(row)
    for row in rows:
        if len(row) < width:
            row.extend([None] * (width - len(row)))
    return Table(
        filename=PurePath(filename).name or filename,
        file_format="csv",
        sheet_name="",
        sheet_names=[],
        rows=rows,
        charset=charset,
        delimiter=delimiter,
    )


def read_file(data: bytes, filename: str, *, head_rows: int | None = None) -> Table:
    """A statement file as a table: CSV by :func:`read_csv`; workbooks (and anything that is not
    plain text) by the import pipeline's reader, which names what is wrong with a bad file."""
    is_text = PurePath(filename).suffix.lower() in (".csv", ".txt")
    if is_text and data and not data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")):
        if len(data) > MAX_BYTES:
            return read_table(data, filename, max_bytes=MAX_BYTES)  # its "too large" message
        table = read_csv(data if head_rows is None else data[:200_000], filename)
        if any(any(c is not None for c in row) for row in table.rows):
            return table
    return read_table(data, filename, max_bytes=MAX_BYTES, head_rows=head_rows)


def _where(table: Any, row: int, col: int | None = None) -> str:
    return table.where(row, col)


def _header(
    rows: list[list[Any]],
    *,
    layout: str,
    spec: dict[str, str],
    header_row: int | None,
    filename: str,
) -> tuple[str, int | None, dict[str, int]]:
    """(layout code, 0-based header index or None, field → column) for this file."""
    head = rows[:HEADER_SCAN]
    if header_row is not None:
        if not 1 <= header_row <= len(rows):
            raise ApplicationError(
                _("Tệp «%(file)s» không có dòng %(row)s.") % {"file": filename, "row": header_row},
                field="header_row",
            )
        candidates = [header_row - 1]
    else:
        candidates = list(range(len(head)))
    if layout in layouts.PRESETS:
        preset = layouts.PRESETS[layout]
        for i in candidates:
            columns = layouts.preset_columns(preset, rows[i])
            if columns is not None:
                columns.update(layouts.resolve_mapping(spec, rows[i]))
                return layout, i, columns
        wanted = ", ".join(f"«{t}»" for t in preset.columns.values())
        raise ApplicationError(
            _(
                "Không thấy dòng tiêu đề của sao kê %(bank)s trong tệp «%(file)s» (cần các cột "
                "%(cols)s). Hãy chọn đúng ngân hàng, hoặc chọn «Mẫu chung» và ghép cột."
            )
            % {"bank": preset.label, "file": filename, "cols": wanted},
            field="layout",
            extra={"need_mapping": True},
        )
    if layout == layouts.AUTO and not spec:
        for i in candidates:
            preset_found = layouts.detect(rows[i])
            if preset_found is not None:
                columns = layouts.preset_columns(preset_found, rows[i]) or {}
                return preset_found.code, i, columns
    # The generic layout: the user's mapping over the proposal from the header texts.
    header_index: int | None = None
    for i in candidates:
        if layouts.looks_like_header(rows[i]) or (
            spec
            and header_row is None
            and any(layouts.column_index(v) is None for v in spec.values())
            and _resolves(spec, rows[i])
        ):
            header_index = i
            break
    if header_index is None and header_row is not None:
        header_index = header_row - 1
    header = rows[header_index] if header_index is not None else None
    columns = layouts.propose(header) if header is not None else {}
    if spec:
        columns = {k: v for k, v in columns.items() if k not in spec}
        columns.update(layouts.resolve_mapping(spec, header))
        if "credit" in columns and "amount" in spec and "credit" not in spec:
            del columns["credit"]
    missing = layouts.missing_fields(columns)
    if missing:
        raise ApplicationError(
            _(
                "Không nhận ra các cột của tệp «%(file)s» (chưa có: %(missing)s). Hãy chọn ngân "
                "hàng, hoặc ghép cột: ngày giao dịch, số tiền ghi có, nội dung…"
            )
            % {"file": filename, "missing": ", ".join(missing)},
            field="mapping",
            extra={"need_mapping": True, "header_index": header_index},
        )
    return layouts.GENERIC, header_index, columns


def _resolves(spec: dict[str, str], row: Sequence[Any]) -> bool:
    try:
        layouts.resolve_mapping(spec, row)
    except ApplicationError:
        return False
    return True


def preview_rows(data: bytes, filename: str, count: int = 12) -> list[list[str]]:
    """The first rows of a file as text (the mapping step shows them under the column letters)."""
    table = read_file(data, filename, head_rows=HEADER_SCAN)
    rows = [[_text(c) for c in row] for row in table.rows if any(not _blank(c) for c in row)]
    return rows[:count]


def statement_read(
    data: bytes,
    filename: str,
    *,
    layout: str = layouts.AUTO,
    mapping: Any = None,
    header_row: int | None = None,
) -> Parsed:
    """Read a statement file into lines (no database). ApplicationError names the file, the row
    and the column of what is wrong; ``extra["need_mapping"]`` when the columns are not known."""
    if layout not in (layouts.AUTO, layouts.GENERIC, *layouts.PRESETS):
        raise ApplicationError(_("Mẫu sao kê «%s» không có.") % layout, field="layout")
    spec = layouts.parse_mapping(mapping)
    table = read_file(data, filename)
    name = table.filename
    rows = table.rows
    code, header_index, columns = _header(
        rows, layout=layout, spec=spec, header_row=header_row, filename=name
    )
    c_date = columns["date"]
    c_credit = columns.get("credit")
    c_debit = columns.get("debit")
    c_amount = columns.get("amount")
    c_desc = columns.get("description")
    c_cp = columns.get("counterparty")
    c_cpacc = columns.get("counterparty_account")
    c_ref = columns.get("reference")
    width = table.width
    for index in columns.values():
        if index >= width:
            raise ApplicationError(
                _("Tệp «%(file)s» không có cột %(col)s.")
                % {"file": name, "col": layouts.column_letter(index)},
                field="mapping",
            )

    start = header_index + 1 if header_index is not None else 0
    lines: list[Line] = []
    errors: list[str] = []
    skipped = 0
    seen_data = header_index is not None
    for r in range(start, len(rows)):
        row = rows[r]
        cell = row[c_date]
        if _blank(cell):
            money = [row[c] for c in (c_credit, c_debit, c_amount) if c is not None]
            if all(_blank(v) for v in money) or _is_footer(row):
                skipped += 1
                continue
            errors.append(
                _("%(where)s: thiếu ngày giao dịch.") % {"where": _where(table, r, c_date)}
            )
            if len(errors) >= MAX_ERRORS:
                break
            continue
        try:
            posted_on = parse_date(cell)
        except ValueError:
            if not seen_data or _is_footer(row):
                skipped += 1  # the lines above the data, or a total with a label in this column
                continue
            errors.append(
                _("%(where)s: «%(value)s» không phải ngày (cần dd/mm/yyyy).")
                % {"where": _where(table, r, c_date), "value": _text(cell)}
            )
            if len(errors) >= MAX_ERRORS:
                break
            continue
        seen_data = True
        try:
            col = c_credit
            credit = parse_money(row[c_credit]) if c_credit is not None else 0
            col = c_debit
            debit = parse_money(row[c_debit]) if c_debit is not None else 0
            col = c_amount
            signed = parse_money(row[c_amount]) if c_amount is not None else 0
        except ValueError as exc:
            errors.append(
                _("%(where)s: %(problem)s.") % {"where": _where(table, r, col), "problem": str(exc)}
            )
            if len(errors) >= MAX_ERRORS:
                break
            continue
        amount = abs(credit) - abs(debit) if (credit or debit) else signed
        if (credit and debit) or amount == 0:
            problem = (
                _("dòng vừa ghi có vừa ghi nợ")
                if credit and debit
                else _("không có số tiền ghi có hoặc ghi nợ")
            )
            errors.append(
                _("%(where)s: %(problem)s.") % {"where": _where(table, r), "problem": problem}
            )
            if len(errors) >= MAX_ERRORS:
                break
            continue
        lines.append(
            Line(
                row=r + 1,
                posted_on=posted_on,
                amount=amount,
                description=_text(row[c_desc])[:500] if c_desc is not None else "",
                counterparty=_text(row[c_cp])[:255] if c_cp is not None else "",
                counterparty_account=_text(row[c_cpacc])[:40] if c_cpacc is not None else "",
                bank_ref=_text(row[c_ref]) if c_ref is not None else "",
            )
        )
    if errors:
        more = "" if len(errors) < MAX_ERRORS else " " + _("(và có thể còn lỗi khác)")
        raise ApplicationError(
            _("Sao kê chưa nhập được, chưa ghi gì: %(errors)s")
            % {"errors": " ".join(errors) + more},
            field="file",
            extra={"errors": errors},
        )
    if not lines:
        raise ApplicationError(
            _("Tệp «%(file)s» không có giao dịch nào dưới dòng tiêu đề.") % {"file": name},
            field="file",
        )
    top = rows[: header_index if header_index is not None else lines[0].row - 1]
    set_keys(lines)
    return Parsed(
        file_name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        layout=code,
        account_no=_account_in(top),
        header_row=header_index + 1 if header_index is not None else None,
        columns=columns,
        lines=lines,
        skipped=skipped,
    )


def set_keys(lines: list[Line]) -> None:
    """Each line's dedupe key: "r:" + the bank's reference (with "#n" for its n-th repeat in the
    file), else "h:" + a hash of date, amount, note, counterparty and the ordinal of identical
    lines in the file. The same statement, or an overlapping one, gives the same keys."""
    seen: dict[Any, int] = defaultdict(int)
    for line in lines:
        if line.bank_ref:
            ident: Any = line.bank_ref
            seen[ident] += 1
            n = seen[ident]
            key = "r:" + line.bank_ref + (f"#{n}" if n > 1 else "")
            if len(key) > 64:
                key = "r:" + hashlib.sha256(key.encode()).hexdigest()[:60]
        else:
            ident = (line.posted_on, line.amount, line.description, line.counterparty)
            seen[ident] += 1
            raw = "|".join(
                (
                    line.posted_on.isoformat(),
                    str(line.amount),
                    line.description,
                    line.counterparty,
                    str(seen[ident]),
                )
            )
            key = "h:" + hashlib.sha256(raw.encode()).hexdigest()[:40]
        line.dedupe_key = key


# --- matching --------------------------------------------------------------------------------


@dataclass(slots=True)
class Decision:
    status: str = MatchStatus.UNMATCHED
    donation_id: int | None = None
    note: str = ""
    request_id: int | None = None  # a payment request to turn into its donation


class Matcher:
    """Decides, in memory, which donation each credit line is. Loads once: the fund's transfer
    donations not yet on a statement line (reference → id; amount and day → ids), and its payment
    requests without a donation. A donation is given to one line at most."""

    def __init__(self, fund: Fund, *, days: int):
        self.days = days
        rows = (
            Donation.objects.filter(
                fund=fund,
                method=DonationMethod.TRANSFER,
                status=DonationStatus.RECORDED,
                statement_line__isnull=True,
            )
            .order_by()
            .values_list("id", "reference", "amount", "received_on", "donor_name")
        )
        self.by_ref: dict[str, int] = {}
        self.info: dict[int, tuple[int, dt.date, str]] = {}
        for pk, ref, amount, day, name in rows.iterator(chunk_size=20_000):
            self.by_ref[ref] = pk
            self.info[pk] = (amount, day, name)
        self.requests: dict[str, int] = dict(
            PaymentRequest.objects.filter(fund=fund, donation__isnull=True)
            .order_by()
            .values_list("reference", "id")
        )
        self.used: set[int] = set()
        self.used_requests: set[int] = set()
        # The notes, translated once (not once per line), stored in Vietnamese.
        with translation.override(STORED_LANGUAGE):
            self.by_code_note = _("mã %(ref)s")
            self.by_name_note = _("số tiền + ngày + tên %(score)s%%")
        self._by_amount_day: dict[tuple[int, dt.date], list[int]] | None = None
        self._keys: dict[tuple[int, dt.date], tuple[list[int], list[str], list[str]]] = {}

    def by_reference(self, amount: int, description: str) -> Decision | None:
        note = ""
        for ref in references_in(description):
            pk = self.by_ref.get(ref)
            if pk is not None and pk not in self.used:
                if self.info[pk][0] == amount:
                    self.used.add(pk)
                    return Decision(MatchStatus.AUTO, pk, self.by_code_note % {"ref": ref})
                with translation.override(STORED_LANGUAGE):
                    note = _("mã %(ref)s nhưng số tiền khác (%(amount)s)") % {
                        "ref": ref,
                        "amount": format_vnd(self.info[pk][0]),
                    }
                continue
            request = self.requests.get(ref)
            if request is not None and request not in self.used_requests:
                self.used_requests.add(request)
                with translation.override(STORED_LANGUAGE):
                    note = _("mã %(ref)s (yêu cầu mã QR)") % {"ref": ref}
                return Decision(MatchStatus.AUTO, None, note, request_id=request)
        return Decision(note=note) if note else None

    def _bucket(self, amount: int, day: dt.date) -> tuple[list[int], list[str], list[str]] | None:
        """Ids, folded names and sorted-word name keys of the donations of one amount on one day
        (built on first use)."""
        if self._by_amount_day is None:
            index: dict[tuple[int, dt.date], list[int]] = defaultdict(list)
            for pk, (value, received_on, _name) in self.info.items():
                if pk not in self.used:
                    index[(value, received_on)].append(pk)
            self._by_amount_day = index
        found = self._keys.get((amount, day))
        if found is None:
            ids = self._by_amount_day.get((amount, day))
            if not ids:
                return None
            names = [quick_fold(self.info[pk][2]) for pk in ids]
            keys = [" ".join(sorted(name.split())) for name in names]
            found = self._keys[(amount, day)] = (ids, names, keys)
        return found

    def scored(
        self, amount: int, day: dt.date, counterparty: str, description: str, days: int
    ) -> list[tuple[int, int]]:
        """(score, donation id) of the unused donations of this amount within ``days`` days whose
        name scores at least :data:`NAME_NEAR` against the counterparty: the better of the names
        compared as written and with their words sorted (``token_sort_ratio``), each in one C loop
        over the candidates. With no counterparty: the name found inside the transfer note."""
        ids: list[int] = []
        names: list[str] = []
        keys: list[str] = []
        for delta in range(-days, days + 1):
            bucket = self._bucket(amount, day + dt.timedelta(days=delta))
            if bucket is not None:
                ids += bucket[0]
                names += bucket[1]
                keys += bucket[2]
        if not ids:
            return []
        best: dict[int, float] = {}
        if counterparty:
            who = quick_fold(counterparty)
            for query, choices in ((who, names), (" ".join(sorted(who.split())), keys)):
                for _choice, score, i in process.extract(
                    query, choices, scorer=fuzz.ratio, score_cutoff=NAME_NEAR, limit=None
                ):
                    if score > best.get(i, 0):
                        best[i] = score
        else:
            text = quick_fold(description)
            for i, name in enumerate(names):
                if len(name) >= 6 and " " in name:
                    score = fuzz.partial_ratio(name, text, score_cutoff=NAME_NEAR)
                    if score:
                        best[i] = score
        return [(int(score), ids[i]) for i, score in best.items() if ids[i] not in self.used]

    def by_amount_name(
        self, amount: int, day: dt.date, counterparty: str, description: str
    ) -> Decision | None:
        # One donation alike (≥ NAME_SCORE) and a clear winner (every other at least NAME_MARGIN
        # points below): a typo in the right name must not let a look-alike win.
        near = sorted(self.scored(amount, day, counterparty, description, self.days), reverse=True)
        if not near or near[0][0] < NAME_SCORE:
            return None
        if len(near) > 1 and near[1][0] > near[0][0] - NAME_MARGIN:
            return None
        score, pk = near[0]
        self.used.add(pk)
        return Decision(MatchStatus.AUTO, pk, self.by_name_note % {"score": score})

    def decide_all(self, lines: Sequence[Any]) -> list[Decision]:
        """One decision per line (``amount``, ``posted_on``, ``description``, ``counterparty``);
        references first for every line, then amount + day + name for those left."""
        decisions: list[Decision] = []
        for line in lines:
            if line.amount <= 0:
                decisions.append(Decision(MatchStatus.DEBIT))
                continue
            decisions.append(self.by_reference(line.amount, line.description) or Decision())
        if self.info and any(d.status == MatchStatus.UNMATCHED for d in decisions):
            for line, decision in zip(lines, decisions, strict=True):
                if decision.status == MatchStatus.UNMATCHED:
                    found = self.by_amount_name(
                        line.amount, line.posted_on, line.counterparty, line.description
                    )
                    if found is not None:
                        decision.status, decision.donation_id, decision.note = (
                            found.status,
                            found.donation_id,
                            found.note,
                        )
        return decisions


def _donation_from_request(
    actor: Any, fund: Fund, request_id: int, line: Any
) -> tuple[int | None, str]:
    """Record the donation a paid payment request stands for (its reference, donor, earmark; the
    amount and day of the line). (donation id, "") or (None, why not): the reason is stored as the
    line's note, so in Vietnamese."""
    with translation.override(STORED_LANGUAGE):
        return _record_request(actor, fund, request_id, line)


def _record_request(actor: Any, fund: Fund, request_id: int, line: Any) -> tuple[int | None, str]:
    request = PaymentRequest.objects.select_for_update().get(pk=request_id)
    if request.donation_id is not None:
        return None, _("mã %(ref)s đã có khoản ủng hộ") % {"ref": request.reference}
    data = services.DonationData(
        fund=fund,
        amount=line.amount,
        received_on=min(line.posted_on, timezone.localdate()),
        method=DonationMethod.TRANSFER,
        donor=request.donor,
        donor_name=request.donor_name,
        anonymous=request.anonymous,
        note=request.note,
        earmark=Earmark.of(request),
        reference=request.reference,
    )
    try:
        donation = services.donation_record(actor=actor, unit=fund.unit, data=data)
    except ApplicationError as exc:
        return None, _("mã %(ref)s: %(why)s") % {"ref": request.reference, "why": exc.message}
    request.donation = donation
    request.save(update_fields=["donation"])
    return donation.pk, ""


# --- importing -------------------------------------------------------------------------------

LINE_COLUMNS = (
    "statement_id",
    "fund_id",
    "unit_id",
    "row",
    "posted_on",
    "amount",
    "description",
    "counterparty",
    "counterparty_account",
    "bank_ref",
    "dedupe_key",
    "status",
    "donation_id",
    "match_note",
    "matched_by_id",
    "matched_at",
)

Progress = Callable[[int, int], None]


def check_account(fund: Fund, parsed: Parsed) -> None:
    """A statement of another account is refused (one account per appeal)."""
    if not parsed.account_no:
        return
    if fund.account_no and not _same_account(parsed.account_no, fund.account_no):
        raise ApplicationError(
            _(
                "Sao kê «%(file)s» là của tài khoản %(file_no)s, không phải tài khoản %(fund_no)s "
                "của «%(fund)s». Không nhập sao kê của tài khoản khác."
            )
            % {
                "file": parsed.file_name,
                "file_no": parsed.account_no,
                "fund_no": fund.account_no,
                "fund": fund.name,
            },
            field="file",
        )
    if not fund.account_no:
        for other in Fund.objects.exclude(pk=fund.pk).exclude(account_no=""):
            if _same_account(other.account_no, parsed.account_no):
                raise ApplicationError(
                    _("Sao kê «%(file)s» là của tài khoản %(no)s của «%(other)s».")
                    % {"file": parsed.file_name, "no": parsed.account_no, "other": other.name},
                    field="file",
                )


def _existing_keys(fund: Fund, keys: list[str]) -> set[str]:
    """The keys among ``keys`` already imported for the fund: one query per batch, each key a
    probe of the unique (fund, dedupe key) index."""
    found: set[str] = set()
    step = BATCH if is_pg() else 900
    with connection.cursor() as cursor:
        for i in range(0, len(keys), step):
            chunk = keys[i : i + step]
            if is_pg():
                cursor.execute(
                    "SELECT k FROM unnest(%s::text[]) AS k WHERE EXISTS (SELECT 1 FROM "
                    "funds_statementline l WHERE l.fund_id = %s AND l.dedupe_key = k)",
                    [chunk, fund.pk],
                )
            else:
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    "SELECT dedupe_key FROM funds_statementline "  # noqa: S608 - marks only
                    f"WHERE fund_id = %s AND dedupe_key IN ({marks})",
                    [fund.pk, *chunk],
                )
            found.update(k for (k,) in cursor.fetchall())
    return found


@dataclass
class ImportResult:
    statement: Statement
    timings: dict[str, float] = field(default_factory=dict)
    skipped: int = 0


def statement_import(
    *,
    actor: Any,
    fund: Fund,
    data: bytes,
    filename: str,
    layout: str = layouts.AUTO,
    mapping: Any = None,
    header_row: int | None = None,
    progress: Progress | None = None,
) -> Statement:
    return statement_import_timed(
        actor=actor,
        fund=fund,
        data=data,
        filename=filename,
        layout=layout,
        mapping=mapping,
        header_row=header_row,
        progress=progress,
    ).statement


def statement_import_timed(
    *,
    actor: Any,
    fund: Fund,
    data: bytes,
    filename: str,
    layout: str = layouts.AUTO,
    mapping: Any = None,
    header_row: int | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a statement of ``fund``'s account and match its credits, all or nothing; seconds
    per step in ``timings`` (read, dedupe, match, insert, commit)."""
    services.require(actor, "donation.record", fund.unit)
    with collector_paused():
        return _import(
            actor=actor,
            fund=fund,
            data=data,
            filename=filename,
            layout=layout,
            mapping=mapping,
            header_row=header_row,
            progress=progress,
        )


def _import(
    *,
    actor: Any,
    fund: Fund,
    data: bytes,
    filename: str,
    layout: str,
    mapping: Any,
    header_row: int | None,
    progress: Progress | None,
) -> ImportResult:
    import time

    clock = time.perf_counter()
    timings: dict[str, float] = {}
    parsed = statement_read(data, filename, layout=layout, mapping=mapping, header_row=header_row)
    check_account(fund, parsed)
    timings["read"] = time.perf_counter() - clock
    total = len(parsed.lines)
    if progress:
        progress(0, total)
    with transaction.atomic():
        fund = Fund.objects.select_for_update().get(pk=fund.pk)  # one import of a fund at a time
        clock = time.perf_counter()
        existing = _existing_keys(fund, [line.dedupe_key for line in parsed.lines])
        new = [line for line in parsed.lines if line.dedupe_key not in existing]
        timings["dedupe"] = time.perf_counter() - clock
        if progress:
            progress(total // 4, total)
        clock = time.perf_counter()
        days = services.rules_on().match_days
        if any(line.amount > 0 for line in new):
            decisions = Matcher(fund, days=days).decide_all(new)
        else:
            decisions = [Decision(MatchStatus.DEBIT) for _line in new]
        now = timezone.now()
        for line, decision in zip(new, decisions, strict=True):
            if decision.request_id is not None:
                pk, why = _donation_from_request(actor, fund, decision.request_id, line)
                decision.donation_id = pk
                if pk is None:
                    decision.status, decision.note = MatchStatus.UNMATCHED, why
        timings["match"] = time.perf_counter() - clock
        if progress:
            progress(total // 2, total)
        clock = time.perf_counter()
        statement = Statement.objects.create(
            fund=fund,
            unit=fund.unit,
            file_name=parsed.file_name[:255],
            sha256=parsed.sha256,
            layout=parsed.layout,
            account_no=parsed.account_no[:30],
            period_from=min(line.posted_on for line in parsed.lines),
            period_to=max(line.posted_on for line in parsed.lines),
            lines_total=total,
            lines_new=len(new),
            lines_duplicate=total - len(new),
            matched_auto=sum(1 for d in decisions if d.status == MatchStatus.AUTO),
            imported_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        rows = (
            (
                statement.pk,
                fund.pk,
                fund.unit_id,
                line.row,
                line.posted_on,
                line.amount,
                line.description,
                line.counterparty,
                line.counterparty_account,
                line.bank_ref[:64],
                line.dedupe_key,
                d.status,
                d.donation_id,
                d.note[:255],
                None,
                now if d.donation_id else None,
            )
            for line, d in zip(new, decisions, strict=True)
        )
        with connection.cursor() as cursor:
            bulk_load(cursor, StatementLine._meta.db_table, LINE_COLUMNS, rows)
            if is_pg() and len(new) >= ANALYZE_LINES:
                # Fresh statistics, so the next import's look-ups use the (fund, key) index.
                cursor.execute("ANALYZE funds_statementline")
        timings["insert"] = time.perf_counter() - clock
        audit_record(
            actor=actor,
            action=A.CREATE,
            obj=statement,
            unit_path=fund.unit.path,
            changes={
                "fund": fund.code,
                "layout": statement.layout,
                "account_no": statement.account_no,
                "lines_total": statement.lines_total,
                "lines_new": statement.lines_new,
                "lines_duplicate": statement.lines_duplicate,
                "matched_auto": statement.matched_auto,
            },
        )
        clock = time.perf_counter()
    # The commit runs the foreign-key checks PostgreSQL defers to it (a few per new line).
    timings["commit"] = time.perf_counter() - clock
    if progress:
        progress(total, total)
    return ImportResult(statement=statement, timings=timings, skipped=parsed.skipped)


@transaction.atomic
def statement_rematch(*, actor: Any, fund: Fund) -> int:
    """Match again the fund's credits still in the queue (donations recorded since, payment
    requests paid); returns how many were matched."""
    services.require(actor, "donation.record", fund.unit)
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    lines = list(
        StatementLine.objects.filter(
            fund=fund, status=MatchStatus.UNMATCHED, amount__gt=0
        ).order_by("posted_on", "id")
    )
    if not lines:
        return 0
    decisions = Matcher(fund, days=services.rules_on().match_days).decide_all(lines)
    now = timezone.now()
    changed: list[StatementLine] = []
    for line, decision in zip(lines, decisions, strict=True):
        if decision.request_id is not None:
            pk, why = _donation_from_request(actor, fund, decision.request_id, line)
            decision.donation_id = pk
            if pk is None:
                decision.status, decision.note = MatchStatus.UNMATCHED, why
        if decision.status == MatchStatus.AUTO or decision.note != line.match_note:
            line.status = decision.status
            line.donation_id = decision.donation_id
            line.match_note = decision.note[:255]
            line.matched_at = now if decision.donation_id else None
            changed.append(line)
    StatementLine.objects.bulk_update(
        changed, ["status", "donation_id", "match_note", "matched_at"], batch_size=500
    )
    matched = sum(1 for line in changed if line.status == MatchStatus.AUTO)
    if matched:
        audit_record(
            actor=actor,
            action=A.UPDATE,
            obj=fund,
            unit_path=fund.unit.path,
            changes={"statement_rematch": matched},
        )
    return matched


# --- the queue -------------------------------------------------------------------------------


def _audit_line(actor: Any, line: StatementLine, action: str, changes: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=line,
        unit_path=line.unit.path,
        changes={
            "statement": line.statement_id,
            "row": line.row,
            "amount": line.amount,
            "donation": line.donation.reference if line.donation is not None else None,
            **changes,
        },
    )


def _lock_line(line: StatementLine, *statuses: str) -> StatementLine:
    locked = StatementLine.objects.select_for_update().select_related("unit").get(pk=line.pk)
    if statuses and locked.status not in statuses:
        raise ApplicationError(
            _("Dòng sao kê này đã được xử lý (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def line_match(*, actor: Any, line: StatementLine, donation: Donation) -> StatementLine:
    """Match a queued credit to a donation of the same fund and amount (status MANUAL)."""
    services.require(actor, "donation.record", line.unit)
    line = _lock_line(line, MatchStatus.UNMATCHED)
    donation = Donation.objects.select_for_update().get(pk=donation.pk)
    if line.amount <= 0:
        raise ApplicationError(_("Dòng ghi nợ không khớp với khoản ủng hộ."))
    if donation.fund_id != line.fund_id:
        raise ApplicationError(_("Khoản ủng hộ thuộc quỹ khác."), field="donation")
    if donation.status != DonationStatus.RECORDED:
        raise ApplicationError(_("Khoản ủng hộ đã hủy."), field="donation")
    if donation.amount != line.amount:
        raise ApplicationError(
            _("Số tiền khác nhau: dòng sao kê %(a)s, khoản ủng hộ %(b)s.")
            % {"a": format_vnd(line.amount), "b": format_vnd(donation.amount)},
            field="donation",
        )
    if StatementLine.objects.filter(donation=donation).exists():
        raise ApplicationError(
            _("Khoản ủng hộ %(ref)s đã khớp với dòng sao kê khác.") % {"ref": donation.reference},
            field="donation",
        )
    line.status = MatchStatus.MANUAL
    line.donation = donation
    with translation.override(STORED_LANGUAGE):
        line.match_note = _("khớp thủ công")
    line.matched_by = actor if getattr(actor, "is_authenticated", False) else None
    line.matched_at = timezone.now()
    line.save(update_fields=["status", "donation", "match_note", "matched_by", "matched_at"])
    _audit_line(actor, line, A.UPDATE, {"status": ["unmatched", "manual"]})
    return line


@dataclass
class RecordData:
    donor: Donor | None = None
    donor_name: str = ""  # the counterparty's name when empty
    anonymous: bool = False
    note: str = ""


@transaction.atomic
def line_record(
    *, actor: Any, line: StatementLine, data: RecordData | None = None
) -> StatementLine:
    """Record a queued credit as a new transfer donation (status CREATED): the line's amount and
    date, the donor's name from the counterparty unless given, no earmark."""
    data = data or RecordData()
    services.require(actor, "donation.record", line.unit)
    line = _lock_line(line, MatchStatus.UNMATCHED)
    if line.amount <= 0:
        raise ApplicationError(_("Dòng ghi nợ không ghi thành khoản ủng hộ được."))
    fund = Fund.objects.get(pk=line.fund_id)
    name = data.donor_name.strip() or line.counterparty.strip()
    if data.donor is not None and not data.donor_name.strip():
        name = ""
    donation = services.donation_record(
        actor=actor,
        unit=fund.unit,
        data=services.DonationData(
            fund=fund,
            amount=line.amount,
            received_on=min(line.posted_on, timezone.localdate()),
            method=DonationMethod.TRANSFER,
            donor=data.donor,
            donor_name=nfc(name),
            anonymous=data.anonymous,
            note=nfc(data.note or line.description)[:255],
        ),
    )
    line.status = MatchStatus.CREATED
    line.donation = donation
    with translation.override(STORED_LANGUAGE):
        line.match_note = _("ghi thành khoản ủng hộ mới")
    line.matched_by = actor if getattr(actor, "is_authenticated", False) else None
    line.matched_at = timezone.now()
    line.save(update_fields=["status", "donation", "match_note", "matched_by", "matched_at"])
    _audit_line(actor, line, A.UPDATE, {"status": ["unmatched", "created"]})
    return line


@transaction.atomic
def lines_record(
    *, actor: Any, lines: Sequence[StatementLine], anonymous: bool = False
) -> list[StatementLine]:
    """Record several queued credits as new donations at once (all or none)."""
    return [
        line_record(actor=actor, line=line, data=RecordData(anonymous=anonymous)) for line in lines
    ]


@transaction.atomic
def line_ignore(*, actor: Any, line: StatementLine, reason: str) -> StatementLine:
    """Mark a queued credit as not a donation (bank interest, a refund…), with the reason."""
    services.require(actor, "donation.record", line.unit)
    if not reason.strip():
        raise ApplicationError(_("Cần ghi lý do (ví dụ: lãi tiền gửi)."), field="reason")
    line = _lock_line(line, MatchStatus.UNMATCHED)
    line.status = MatchStatus.IGNORED
    line.match_note = nfc(reason)[:255]
    line.matched_by = actor if getattr(actor, "is_authenticated", False) else None
    line.matched_at = timezone.now()
    line.save(update_fields=["status", "match_note", "matched_by", "matched_at"])
    _audit_line(actor, line, A.UPDATE, {"status": ["unmatched", "ignored"], "reason": reason})
    return line


@transaction.atomic
def line_unmatch(*, actor: Any, line: StatementLine) -> StatementLine:
    """Undo a match (manual or automatic) or an "ignored": the line goes back to the queue. A
    line recorded as a new donation goes back only when that donation is reversed."""
    services.require(actor, "donation.record", line.unit)
    line = _lock_line(line)
    if line.status == MatchStatus.CREATED:
        raise ApplicationError(
            _("Dòng này đã ghi thành khoản ủng hộ %(ref)s; hãy hủy khoản ủng hộ đó (bút toán đảo).")
            % {"ref": line.donation.reference if line.donation is not None else ""}
        )
    if line.status not in (MatchStatus.MANUAL, MatchStatus.AUTO, MatchStatus.IGNORED):
        raise ApplicationError(_("Dòng sao kê này không có gì để hoàn tác."))
    old = line.status
    donation_ref = line.donation.reference if line.donation is not None else None
    line.status = MatchStatus.UNMATCHED
    line.donation = None
    line.match_note = ""
    line.matched_by = None
    line.matched_at = None
    line.save(update_fields=["status", "donation", "match_note", "matched_by", "matched_at"])
    _audit_line(actor, line, A.UPDATE, {"status": [old, "unmatched"], "donation_was": donation_ref})
    return line


# --- selectors -------------------------------------------------------------------------------


def fund_get(*, user: Any, pk: Any) -> Fund:
    return get_visible_or_404(Fund.objects.select_related("unit"), user, pk=pk)


def statement_get(*, user: Any, pk: Any) -> Statement:
    return get_visible_or_404(Statement.objects.select_related("fund", "unit"), user, pk=pk)


def line_get(*, user: Any, pk: Any, fund: Fund | None = None) -> StatementLine:
    line = get_visible_or_404(
        StatementLine.objects.select_related("unit", "fund", "donation"), user, pk=pk
    )
    if fund is not None and line.fund_id != fund.pk:
        from django.http import Http404

        raise Http404
    return line


def statement_list(*, user: Any, fund: Fund) -> QuerySet[Statement]:
    return (
        Statement.objects.visible_to(user)
        .filter(fund=fund)
        .select_related("imported_by")
        .order_by("-imported_at", "-id")
    )


def statement_figures(statement: Statement) -> dict[str, int]:
    """Figures of a statement page: counts by status now, and the credits and debits it added."""
    agg = StatementLine.objects.filter(statement=statement).aggregate(
        credits=Sum("amount", filter=Q(amount__gt=0)),
        debits=Sum("amount", filter=Q(amount__lt=0)),
        unmatched=Count("id", filter=Q(status=MatchStatus.UNMATCHED)),
        auto=Count("id", filter=Q(status=MatchStatus.AUTO)),
        manual=Count("id", filter=Q(status=MatchStatus.MANUAL)),
        created=Count("id", filter=Q(status=MatchStatus.CREATED)),
        ignored=Count("id", filter=Q(status=MatchStatus.IGNORED)),
        debit=Count("id", filter=Q(status=MatchStatus.DEBIT)),
    )
    return {k: int(v or 0) for k, v in agg.items()}


@dataclass
class QueueFilter:
    status: str = MatchStatus.UNMATCHED  # "" for every status
    q: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    amount: int | None = None
    statement_id: int | None = None


def queue_lines(
    *, user: Any, fund: Fund, filters: QueueFilter | None = None
) -> QuerySet[StatementLine]:
    """The fund's statement lines through the user's scope: by default the credits waiting."""
    f = filters or QueueFilter()
    qs = StatementLine.objects.visible_to(user).filter(fund=fund)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.status in ("", MatchStatus.UNMATCHED):
        qs = qs.filter(amount__gt=0) if f.status else qs
    if f.q.strip():
        text = f.q.strip()
        qs = qs.filter(
            Q(description__icontains=text)
            | Q(counterparty__icontains=text)
            | Q(bank_ref__icontains=text)
        )
    if f.date_from:
        qs = qs.filter(posted_on__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(posted_on__lte=f.date_to)
    if f.amount:
        qs = qs.filter(amount=f.amount)
    if f.statement_id:
        qs = qs.filter(statement_id=f.statement_id)
    return qs.select_related("donation", "statement").order_by("posted_on", "id")


@dataclass
class Candidate:
    donation: Donation
    score: int
    days: int


def candidates_for(lines: Sequence[StatementLine], *, limit: int = 5) -> dict[int, list[Candidate]]:
    """For a page of queued credits: the fund's donations not on a statement line with the same
    amount within two weeks, best name first (one query for the page)."""
    credits = [line for line in lines if line.amount > 0 and line.status == MatchStatus.UNMATCHED]
    if not credits:
        return {}
    window = dt.timedelta(days=QUEUE_WINDOW)
    pool = list(
        Donation.objects.filter(
            fund_id__in={line.fund_id for line in credits},
            status=DonationStatus.RECORDED,
            statement_line__isnull=True,
            amount__in={line.amount for line in credits},
            received_on__gte=min(line.posted_on for line in credits) - window,
            received_on__lte=max(line.posted_on for line in credits) + window,
        ).order_by("received_on", "id")[:5000]
    )
    by_amount: dict[tuple[int, int], list[Donation]] = defaultdict(list)
    for donation in pool:
        by_amount[(donation.fund_id, donation.amount)].append(donation)
    folded: dict[int, str] = {}
    out: dict[int, list[Candidate]] = {}
    for line in credits:
        who = fold(line.counterparty or line.description)
        found: list[Candidate] = []
        for donation in by_amount.get((line.fund_id, line.amount), ()):
            gap = abs((donation.received_on - line.posted_on).days)
            if gap > QUEUE_WINDOW:
                continue
            name = folded.get(donation.pk)
            if name is None:
                name = folded[donation.pk] = fold(donation.donor_name)
            score = (
                fuzz.token_sort_ratio(who, name)
                if line.counterparty
                else fuzz.partial_ratio(name, who)
                if who
                else 0
            )
            found.append(Candidate(donation, round(score), gap))
        found.sort(key=lambda c: (-c.score, c.days, c.donation.pk))
        out[line.pk] = found[:limit]
    return out


# --- background import of a large file --------------------------------------------------------

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,64}")


class PendingUpload:
    """An uploaded statement waiting for its column mapping or running as a background job: the
    file and a small JSON state ({fund, user, status, done, total, statement, message…}) in the
    default storage, shared by the page and the worker."""

    DIR = "funds/statements/pending"
    KEEP = dt.timedelta(days=2)  # an upload left at its mapping step (or a finished state) is
    # removed this long after its last change: a statement names people and their accounts

    def __init__(self, token: str):
        if not TOKEN_RE.fullmatch(token or ""):
            raise ApplicationError(_("Mã lượt nhập không hợp lệ."))
        self.token = token

    @property
    def data_path(self) -> str:
        return f"{self.DIR}/{self.token}.upload"

    @property
    def state_path(self) -> str:
        return f"{self.DIR}/{self.token}.json"

    @classmethod
    def create(
        cls, *, fund: Fund, actor: Any, data: bytes, filename: str, **options: Any
    ) -> PendingUpload:
        cls.sweep()
        pending = cls(secrets.token_urlsafe(24))
        default_storage.save(pending.data_path, ContentFile(data))
        pending.write(
            {
                "fund": fund.pk,
                "user": actor.pk,
                "filename": filename,
                "status": "new",
                "done": 0,
                "total": 0,
                **options,
            }
        )
        return pending

    @classmethod
    def sweep(cls, now: dt.datetime | None = None) -> int:
        """Remove the files of uploads untouched for ``KEEP``; returns how many were removed."""
        limit = (now or timezone.now()) - cls.KEEP
        try:
            _dirs, names = default_storage.listdir(cls.DIR)
        except FileNotFoundError:
            return 0
        removed = 0
        for name in names:
            path = f"{cls.DIR}/{name}"
            try:
                if default_storage.get_modified_time(path) < limit:
                    default_storage.delete(path)
                    removed += 1
            except FileNotFoundError:  # removed meanwhile by another process
                continue
        return removed

    def exists(self) -> bool:
        return bool(default_storage.exists(self.state_path))

    def read(self) -> dict[str, Any]:
        with default_storage.open(self.state_path, "rb") as fh:
            state: dict[str, Any] = json.loads(fh.read().decode("utf-8"))
        return state

    def write(self, state: dict[str, Any]) -> None:
        if default_storage.exists(self.state_path):
            default_storage.delete(self.state_path)
        default_storage.save(self.state_path, ContentFile(json.dumps(state).encode("utf-8")))

    def update(self, **changes: Any) -> dict[str, Any]:
        state = self.read() | changes
        self.write(state)
        return state

    def data(self) -> bytes:
        with default_storage.open(self.data_path, "rb") as fh:
            content: bytes = fh.read()
        return content

    def drop_data(self) -> None:
        if default_storage.exists(self.data_path):
            default_storage.delete(self.data_path)


def pending_for(*, user: Any, fund: Fund, token: str) -> tuple[PendingUpload, dict[str, Any]]:
    """A pending upload of this fund (404 when unknown or of another fund)."""
    from django.http import Http404

    try:
        pending = PendingUpload(token)
    except ApplicationError as exc:
        raise Http404 from exc
    if not pending.exists():
        raise Http404
    state = pending.read()
    if state.get("fund") != fund.pk:
        raise Http404
    return pending, state


def estimate_lines(data: bytes, filename: str) -> int:
    """A cheap count of a file's rows, to choose between inline and the background job."""
    if filename.lower().endswith((".csv", ".txt")):
        return data.count(b"\n")
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with archive.open(name) as fh:
                        head = fh.read(4096).decode("utf-8", "ignore")
                    m = re.search(r'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', head)
                    if m:
                        return int(m[1])
    except (zipfile.BadZipFile, OSError, ValueError):
        pass
    return len(data) // 100


def pending_run(token: str) -> None:
    """Run a pending import (the job, or inline): progress and outcome into its state."""
    from nhandao.orgs.models import User

    pending = PendingUpload(token)
    state = pending.update(status="running", done=0, message="")
    try:
        actor = User.objects.get(pk=state["user"])
        fund = Fund.objects.get(pk=state["fund"])
        last = [0.0]

        def progress(done: int, total: int) -> None:
            import time

            now = time.monotonic()
            if done in (0, total) or now - last[0] > 0.5:
                last[0] = now
                pending.update(done=done, total=total)

        statement = statement_import(
            actor=actor,
            fund=fund,
            data=pending.data(),
            filename=state["filename"],
            layout=state.get("layout") or layouts.AUTO,
            mapping=state.get("mapping") or None,
            header_row=state.get("header_row") or None,
            progress=progress,
        )
    except ApplicationError as exc:
        status = "mapping" if exc.extra.get("need_mapping") else "failed"
        pending.update(status=status, message=exc.message)
        if status == "failed":
            pending.drop_data()
        return
    except Exception:
        pending.update(status="failed", message=_("Lỗi hệ thống khi nhập sao kê; chưa ghi gì."))
        pending.drop_data()
        raise
    pending.update(status="done", statement=statement.pk, message="")
    pending.drop_data()


@task()
def statement_import_job(token: str) -> None:
    pending_run(token)


def pending_start(pending: PendingUpload) -> None:
    """Queue the background job of a pending upload."""
    pending.update(status="queued", message="")
    statement_import_job.enqueue(pending.token)
