"""Finding the header row of a list "as communes actually keep them" and mapping its columns.

A list kept by a commune chapter rarely starts at A1: there are title blocks (often merged
cells: "HỘI CHỮ THẬP ĐỎ XÃ HÒA AN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "DANH SÁCH ... NĂM
2025"), empty rows, then the header on any of the first rows, sometimes on two rows (a group header
such as "Năm sinh" over "Nam" and "Nữ"), a "STT" column, sometimes a row numbering the columns
"(1) (2) (3)", then the data, then a signature footer ("Người lập biểu", "TM. BAN THƯỜNG VỤ",
"Xác nhận của ...", "Tổng cộng").

:func:`find_header` scores each of the first rows (and each pair of consecutive rows) by how many
wanted fields its cells name, in any usual wording and case, with or without diacritics
(:class:`ColumnSpec` labels and synonyms compared after :func:`nhandao.core.text.fold`). A column
maps to at most one field; a field named by two columns is reported in ``duplicated`` and left
unmapped for the user to choose. :func:`data_rows` then yields the data rows with the row
numbers the user sees in Excel.

Matching a header text against a label or synonym (both folded):

* exact: the whole header is the label ("HỌ VÀ TÊN" = "họ và tên") — best, and longer labels
  beat shorter ones;
* containment: the label's words appear together inside the header with at most
  ``max(3, 2 × words)`` other words ("Số CCCD (12 số)" contains "số cccd"); the fewer the extra
  words and the longer the label, the better. Labels of one short word (four letters or fewer:
  "tên", "tt", "ấp", "sđt") only match exactly.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from django.utils.translation import gettext as _

from nhandao.core.errors import ApplicationError
from nhandao.core.text import fold

from .readers import Cell, column_letter

__all__ = [
    "DEFAULT_IGNORED",
    "PERSON_LIST_SPECS",
    "SEQUENCE_HEADERS",
    "ColumnSpec",
    "HeaderError",
    "HeaderMatch",
    "apply_mapping",
    "data_rows",
    "find_header",
    "mapping_to_remember",
    "shape_signature",
]


@dataclass(frozen=True)
class ColumnSpec:
    """A field the import wants, with the header texts that name it.

    ``kind`` tells the validator how to read the values ("text", "date", "sex", "id", "phone",
    "address", "money", "mark"); it plays no part in matching.
    """

    field: str
    label: str
    synonyms: tuple[str, ...] = ()
    required: bool = False
    kind: str = "text"

    def keys(self) -> tuple[str, ...]:
        """The folded label and synonyms, without repeats."""
        seen: dict[str, None] = {}
        for text in (self.label, *self.synonyms):
            key = fold(text)
            if key:
                seen.setdefault(key)
        return tuple(seen)


class HeaderError(ApplicationError):
    """No row in the scanned area looks like a header row."""


# Headers of the running-number column ("STT"); recognised but mapped to no field.
SEQUENCE_HEADERS = ("stt", "tt", "số tt", "số thứ tự", "thứ tự", "s tt", "no")
# Headers that are expected and carry nothing to import (unless a spec claims them).
DEFAULT_IGNORED = (
    "ký nhận",
    "ký tên",
    "chữ ký",
    "ký",
    "ký, ghi rõ họ tên",
    "ký và ghi rõ họ tên",
    "người nhận ký",
    "điểm chỉ",
    "ghi chú",
)

PERSON_LIST_SPECS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "full_name",
        "Họ và tên",
        (
            "Họ tên",
            "Tên",
            "Họ và tên người nhận",
            "Họ tên người nhận",
            "Người nhận",
            "Họ và tên đối tượng",
            "Họ tên đối tượng",
            "Tên đối tượng",
        ),
        required=True,
    ),
    ColumnSpec(
        "birth",
        "Năm sinh",
        (
            "Ngày sinh",
            "Ngày, tháng, năm sinh",
            "Ngày tháng năm sinh",
            "Ngày/tháng/năm sinh",
            "Sinh năm",
            "Năm sinh (ngày sinh)",
            "NS",
        ),
        required=True,
        kind="date",
    ),
    ColumnSpec(
        "birth_male", "Năm sinh Nam", ("Ngày sinh Nam", "Ngày tháng năm sinh Nam"), False, "date"
    ),
    ColumnSpec(
        "birth_female", "Năm sinh Nữ", ("Ngày sinh Nữ", "Ngày tháng năm sinh Nữ"), False, "date"
    ),
    ColumnSpec("sex", "Giới tính", ("Nam/Nữ", "Nam, nữ", "Nam hay nữ", "Giới", "Phái"), kind="sex"),
    ColumnSpec("sex_male", "Giới tính Nam", (), kind="mark"),
    ColumnSpec("sex_female", "Giới tính Nữ", (), kind="mark"),
    ColumnSpec(
        "id_number",
        "Số CCCD",
        (
            "CCCD",
            "Số căn cước",
            "Số căn cước công dân",
            "Căn cước công dân",
            "Căn cước",
            "Số CCCD/CMND",
            "CCCD/CMND",
            "CMND/CCCD",
            "Số CMND/CCCD",
            "Số định danh",
            "Số định danh cá nhân",
            "Mã định danh",
            "Định danh cá nhân",
            "CMND",
            "Số CMND",
            "Chứng minh nhân dân",
            "Số chứng minh nhân dân",
        ),
        kind="id",
    ),
    ColumnSpec(
        "phone",
        "Số điện thoại",
        ("Điện thoại", "SĐT", "Số ĐT", "ĐT", "ĐTDĐ", "Di động", "Số di động", "Điện thoại liên hệ"),
        kind="phone",
    ),
    ColumnSpec(
        "address",
        "Địa chỉ",
        (
            "Địa chỉ thường trú",
            "Địa chỉ liên hệ",
            "Nơi ở",
            "Nơi ở hiện nay",
            "Nơi cư trú",
            "Chỗ ở hiện nay",
            "Hộ khẩu thường trú",
            "Thường trú",
        ),
        kind="address",
    ),
    ColumnSpec(
        "address_detail",
        "Thôn/xóm",
        (
            "Thôn",
            "Xóm",
            "Ấp",
            "Bản",
            "Khóm",
            "Tổ",
            "Thôn, xóm",
            "Thôn/tổ",
            "Thôn/ấp",
            "Thôn, tổ dân phố",
            "Tổ dân phố",
            "Khu phố",
            "Ấp/khu vực",
        ),
    ),
    ColumnSpec("household_head", "Chủ hộ", ("Họ tên chủ hộ", "Tên chủ hộ", "Họ và tên chủ hộ")),
    ColumnSpec(
        "category",
        "Đối tượng",
        ("Diện đối tượng", "Loại đối tượng", "Thuộc diện", "Diện", "Đối tượng hưởng"),
    ),
    ColumnSpec("circumstances", "Hoàn cảnh", ("Hoàn cảnh gia đình", "Hoàn cảnh khó khăn")),
    ColumnSpec("ethnicity", "Dân tộc", ()),
    ColumnSpec(
        "amount",
        "Số tiền",
        (
            "Thành tiền",
            "Mức hỗ trợ",
            "Số tiền hỗ trợ",
            "Giá trị",
            "Giá trị quà",
            "Trị giá",
            "Tiền mặt",
            "Số tiền (đồng)",
        ),
        kind="money",
    ),
)


@dataclass
class HeaderMatch:
    """Where the header is and what each column holds.

    Row indexes are 0-based (``rows[i]``); the Excel row number is ``i + 1``. A field matched by
    two or more columns appears in ``duplicated`` only, not in ``mapping`` nor in
    ``missing_required``: the user chooses.
    """

    header_row: int  # the first (top) header row
    header_rows: tuple[int, ...]  # every header row: (r,) or (r, r + 1)
    header_texts: list[str]  # per column, the two rows combined; "" for a column without one
    mapping: dict[int, str]  # column index -> field
    unmapped: list[tuple[int, str]]  # columns with a header that names no wanted field
    missing_required: list[ColumnSpec]
    duplicated: list[tuple[str, list[int]]]  # field, the columns that all name it
    ignored: list[tuple[int, str]] = field(default_factory=list)  # "Ký nhận", "Ghi chú"…
    sequence_column: int | None = None  # the "STT" column
    specs: tuple[ColumnSpec, ...] = ()

    @property
    def data_start(self) -> int:
        """Index of the first row after the header."""
        return self.header_rows[-1] + 1

    @property
    def excel_header_row(self) -> int:
        return self.header_row + 1

    @property
    def ok(self) -> bool:
        """Every required field has exactly one column."""
        return not self.missing_required and not self.duplicated

    def column_of(self, field_name: str) -> int | None:
        for col, name in self.mapping.items():
            if name == field_name:
                return col
        return None

    def describe_column(self, col: int) -> str:
        """ "cột C «NĂM SINH»" for messages (the header text as written, or the letter only)."""
        text = self.header_texts[col] if col < len(self.header_texts) else ""
        if text:
            return _("cột %(col)s «%(header)s»") % {"col": column_letter(col), "header": text}
        return _("cột %(col)s") % {"col": column_letter(col)}


# --------------------------------------------------------------------------------------------
# Matching texts


def _header_text(value: Cell) -> str:
    """The text of a header cell: strings only (numbers and dates are data, not headers)."""
    if isinstance(value, str):
        return value
    return ""


def _match_score(header: str, key: str) -> int:
    """Score of a folded header text against one folded label (0: no match)."""
    if not header or not key:
        return 0
    if header == key:
        return 1000 + len(key)
    key_words = key.split()
    if len(key_words) == 1 and len(key) <= 4:
        return 0
    words = header.split()
    m = len(key_words)
    extra = len(words) - m
    if extra <= 0 or extra > max(3, 2 * m):
        return 0
    for i in range(len(words) - m + 1):
        if words[i : i + m] == key_words:
            return max(1, 500 + len(key) - 25 * extra)
    return 0


_SEQUENCE_KEYS = frozenset(fold(t) for t in SEQUENCE_HEADERS)


@dataclass
class _Evaluation:
    rows: tuple[int, ...]
    texts: list[str]
    best: dict[int, tuple[int, str]]  # column -> (score, field)
    sequence_column: int | None

    @property
    def fields(self) -> set[str]:
        return {f for _s, f in self.best.values()}

    @property
    def rank(self) -> tuple[int, int, int, int]:
        found = len(self.fields) + (1 if self.sequence_column is not None else 0)
        total = sum(score for score, _f in self.best.values())
        return (found, total, -len(self.rows), -self.rows[0])


def _evaluate(
    rows_index: tuple[int, ...], texts: list[str], keys: list[tuple[ColumnSpec, tuple[str, ...]]]
) -> _Evaluation:
    best: dict[int, tuple[int, str]] = {}
    sequence_column: int | None = None
    for col, text in enumerate(texts):
        folded = fold(text)
        if not folded:
            continue
        top: tuple[int, str] | None = None
        for spec, spec_keys in keys:
            score = max((_match_score(folded, k) for k in spec_keys), default=0)
            if score and (top is None or score > top[0]):
                top = (score, spec.field)
        if top is not None:
            best[col] = top
        elif folded in _SEQUENCE_KEYS and sequence_column is None:
            sequence_column = col
    return _Evaluation(rows_index, texts, best, sequence_column)


def _row_texts(rows: Sequence[Sequence[Cell]], r: int, width: int) -> list[str]:
    row = rows[r]
    return [_header_text(row[c]) if c < len(row) else "" for c in range(width)]


_NUMBERISH = re.compile(r"^\(?[0-9ivxlc]{1,4}\)?\.?$", re.IGNORECASE)


def _header_like(row: Sequence[Cell]) -> bool:
    """A row that could be the lower row of a two-row header: text only, not numbers."""
    texts = [v for v in row if v is not None and v != ""]
    if not texts:
        return False
    return all(isinstance(v, str) and not _NUMBERISH.match(v.strip()) for v in texts)


def _combine(upper: list[str], lower: list[str]) -> list[str]:
    """Texts of a two-row header. An empty upper cell over a non-empty lower one takes the group
    name from the left when the left column is also part of the group (for formats that give
    no merged-cell information)."""
    filled = list(upper)
    for c in range(1, len(filled)):
        if not filled[c] and lower[c] and filled[c - 1] and lower[c - 1]:
            filled[c] = filled[c - 1]
    combined: list[str] = []
    for up, down in zip(filled, lower, strict=True):
        if up and down and fold(up) != fold(down):
            combined.append(f"{up} {down}")
        else:
            combined.append(up or down)
    return combined


def find_header(
    rows: Sequence[Sequence[Cell]],
    specs: Sequence[ColumnSpec],
    *,
    max_scan: int = 30,
    ignored: Iterable[str] = DEFAULT_IGNORED,
    filename: str = "",
    sheet_name: str = "",
) -> HeaderMatch:
    """Find the header row (or two rows) among the first ``max_scan`` rows and map its columns.

    Raises :class:`HeaderError` when no row names at least two wanted fields (counting the
    "STT" column as one), or one when only one field is wanted. ``filename`` and
    ``sheet_name`` only serve the message.
    """
    specs = tuple(specs)
    keys = [(spec, spec.keys()) for spec in specs]
    width = max((len(r) for r in rows[:max_scan]), default=0)
    best: _Evaluation | None = None
    scan = min(max_scan, len(rows))
    for r in range(scan):
        texts = _row_texts(rows, r, width)
        if not any(texts):
            continue
        candidates = [_evaluate((r,), texts, keys)]
        if r + 1 < len(rows) and _header_like(rows[r + 1]):
            lower = _row_texts(rows, r + 1, width)
            combined = _combine(texts, lower)
            if combined != texts:
                candidates.append(_evaluate((r, r + 1), combined, keys))
        for candidate in candidates:
            if best is None or candidate.rank > best.rank:
                best = candidate
    needed = 1 if len(specs) <= 1 else 2
    if best is None or not best.fields or best.rank[0] < needed:
        raise HeaderError(_no_header_message(specs, max_scan, filename, sheet_name))
    return _build_match(best, specs, ignored)


def _no_header_message(
    specs: Sequence[ColumnSpec], max_scan: int, filename: str, sheet_name: str
) -> str:
    where = ""
    if sheet_name and filename:
        where = _(" của trang «%(sheet)s», tệp «%(file)s»") % {
            "sheet": sheet_name,
            "file": filename,
        }
    elif filename:
        where = _(" của tệp «%(file)s»") % {"file": filename}
    wanted = ", ".join(f"«{spec.label}»" for spec in specs)
    return _(
        "Không tìm thấy dòng tiêu đề cột trong %(count)s dòng đầu%(where)s. Hệ thống tìm các cột: "
        "%(wanted)s. Hãy kiểm tra bảng có một dòng ghi tên các cột (ví dụ «Họ và tên», «Năm "
        "sinh») phía trên dữ liệu."
    ) % {"count": max_scan, "where": where, "wanted": wanted}


def _build_match(
    evaluation: _Evaluation, specs: tuple[ColumnSpec, ...], ignored: Iterable[str]
) -> HeaderMatch:
    ignored_keys = {fold(t) for t in ignored}
    by_field: dict[str, list[tuple[int, int]]] = {}
    for col, (score, name) in evaluation.best.items():
        by_field.setdefault(name, []).append((score, col))
    mapping: dict[int, str] = {}
    duplicated: list[tuple[str, list[int]]] = []
    losers: set[int] = set()
    for name, scored in by_field.items():
        scored.sort(key=lambda sc: (-sc[0], sc[1]))
        top_score = scored[0][0]
        tied = [col for score, col in scored if _same_tier(score, top_score)]
        if len(tied) > 1:
            duplicated.append((name, sorted(tied)))
        else:
            mapping[scored[0][1]] = name
        losers.update(col for _score, col in scored if col not in tied)
    mapping = dict(sorted(mapping.items()))
    unmapped: list[tuple[int, str]] = []
    ignored_columns: list[tuple[int, str]] = []
    for col, text in enumerate(evaluation.texts):
        if not text or col in mapping or col == evaluation.sequence_column:
            continue
        if any(col in cols for _f, cols in duplicated):
            continue
        if fold(text) in ignored_keys and col not in losers:
            ignored_columns.append((col, text))
        else:
            unmapped.append((col, text))
    duplicated_fields = {name for name, _cols in duplicated}
    mapped_fields = set(mapping.values())
    missing = [
        spec
        for spec in specs
        if spec.required and spec.field not in mapped_fields and spec.field not in duplicated_fields
    ]
    return HeaderMatch(
        header_row=evaluation.rows[0],
        header_rows=evaluation.rows,
        header_texts=evaluation.texts,
        mapping=mapping,
        unmapped=unmapped,
        missing_required=missing,
        duplicated=sorted(duplicated, key=lambda d: d[1][0]),
        ignored=ignored_columns,
        sequence_column=evaluation.sequence_column,
        specs=specs,
    )


def _same_tier(score: int, top: int) -> bool:
    """Two exact matches tie whatever the label; containment matches tie on equal scores."""
    if top >= 1000:
        return score >= 1000
    return score == top


# --------------------------------------------------------------------------------------------
# Remembered mappings


def shape_signature(header_texts: Sequence[str]) -> str:
    """A stable fingerprint of a header row (folded texts, trailing empty columns ignored), to
    recognise the next file of the same shape."""
    folded = [fold(t or "") for t in header_texts]
    while folded and not folded[-1]:
        folded.pop()
    return hashlib.sha256("\x1f".join(folded).encode("utf-8")).hexdigest()[:32]


def mapping_to_remember(header_texts: Sequence[str], mapping: dict[int, str]) -> dict[str, str]:
    """The mapping keyed by folded header text, to store and reuse with :func:`apply_mapping`."""
    remembered: dict[str, str] = {}
    for col, name in mapping.items():
        if col < len(header_texts):
            key = fold(header_texts[col] or "")
            if key:
                remembered[key] = name
    return remembered


def apply_mapping(header_row_texts: Sequence[str], saved_mapping: dict[str, str]) -> dict[int, str]:
    """Reuse a mapping remembered by header text: column index -> field for each column whose
    folded header text is in ``saved_mapping`` (keys folded or not). When two columns would get
    the same field, neither gets it (the user chooses)."""
    saved = {fold(k): v for k, v in saved_mapping.items() if fold(k)}
    found: dict[str, list[int]] = {}
    for col, text in enumerate(header_row_texts):
        name = saved.get(fold(text or ""))
        if name:
            found.setdefault(name, []).append(col)
    return dict(sorted((cols[0], name) for name, cols in found.items() if len(cols) == 1))


# --------------------------------------------------------------------------------------------
# Data rows


# Footer markers, folded: a cell starting with one of these words ends the data.
_FOOTER_PREFIXES = tuple(
    fold(t).split()
    for t in (
        "Người lập",
        "Người lập biểu",
        "Người lập danh sách",
        "Người lập bảng",
        "TM.",
        "T/M",
        "KT.",
        "Xác nhận",
        "Xác nhận của",
        "Tổng cộng",
        "Tổng số",
        "Thủ trưởng",
        "Thủ trưởng đơn vị",
        "Kế toán",
        "Thủ quỹ",
        "Chủ tịch",
        "Phó chủ tịch",
        "Ban thường vụ",
        "Trưởng ban",
        "Trưởng thôn",
        "Giám đốc",
        "Lãnh đạo",
        "(Ký, ghi rõ họ tên)",
        "(Ký và ghi rõ họ tên)",
        "Ký tên",
        "Danh sách này có",
    )
)
# Cells that end the data only when they are the whole cell.
_FOOTER_EXACT = frozenset({"cong", "tong", "tm"})
_DATE_LINE = re.compile(r"\bngay\b.*\bthang\b.*\bnam\b")


def _is_footer_text(text: str) -> bool:
    folded = fold(text)
    if not folded:
        return False
    if folded in _FOOTER_EXACT:
        return True
    words = folded.split()
    if any(words[: len(prefix)] == prefix for prefix in _FOOTER_PREFIXES):
        return True
    return bool(_DATE_LINE.search(folded)) and len(words) <= 12


def _filled(row: Sequence[Cell]) -> list[tuple[int, Cell]]:
    return [(c, v) for c, v in enumerate(row) if v is not None and v != ""]


def _is_numeric_like(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and value.strip().rstrip(".").isdigit()


def _is_footer(row: Sequence[Cell], match: HeaderMatch) -> bool:
    filled = _filled(row)
    if not filled or len(filled) > 4:
        return False
    seq = match.sequence_column
    if seq is not None and seq < len(row) and _is_numeric_like(row[seq]):
        return False
    return any(isinstance(v, str) and _is_footer_text(v) for _c, v in filled)


def _is_numbering_row(row: Sequence[Cell]) -> bool:
    """The row under a header that numbers the columns: 1 2 3 … or (1) (2) (3) … or A B C."""
    filled = [v for _c, v in _filled(row)]
    if len(filled) < 3:
        return False
    numbers: list[int] = []
    for value in filled:
        if isinstance(value, bool):
            return False
        if isinstance(value, int | float) and float(value).is_integer():
            numbers.append(int(value))
            continue
        if isinstance(value, str):
            text = value.strip().strip("()").strip()
            if text.isdigit():
                numbers.append(int(text))
                continue
            if len(text) == 1 and text.isalpha():
                numbers.append(ord(text.upper()) - ord("A") + 1)
                continue
        return False
    return all(b == a + 1 for a, b in pairwise(numbers))


def _is_section_row(row: Sequence[Cell], match: HeaderMatch) -> bool:
    """A group title inside the data ("ẤP HÒA LỢI") spread over the row by a merged cell."""
    filled = _filled(row)
    if len(filled) < 2:
        return False
    values = {v for _c, v in filled}
    if len(values) != 1:
        return False
    seq = match.sequence_column
    return seq is None or seq >= len(row) or not _is_numeric_like(row[seq])


def _one_value(row: Sequence[Cell]) -> bool:
    """Whether the filled cells of ``row`` all hold one value (as a set of them would count),
    stopping at the second different one: in a list row, the number and the name."""
    first: Cell = None
    for value in row:
        if value is None or value == "":
            continue
        if first is None:
            first = value
        elif value != first:
            return False
    return first is not None


def data_rows(
    rows: Sequence[Sequence[Cell]], match: HeaderMatch, *, max_blank_run: int = 10
) -> list[tuple[int, list[Cell]]]:
    """The data rows after the header, as (Excel row number, row).

    Skipped: blank rows, a row numbering the columns right under the header, the header
    repeated (lists printed over several pages), group-title rows spread by a merged cell.
    The data ends at the signature footer ("Người lập biểu", "TM. BAN THƯỜNG VỤ", "Xác nhận
    của…", "Tổng cộng", a "…, ngày … tháng … năm …" line) or after ``max_blank_run`` blank rows in
    a row. A footer row has at most four filled cells and no number in the "STT" column, so a
    person whose position is "Chủ tịch" is still data.
    """
    header_keys = [fold(t) for t in match.header_texts]
    # The first column with a header text: a cheap first test for a repeated header row.
    probe = next((c for c, key in enumerate(header_keys) if key), None)
    result: list[tuple[int, list[Cell]]] = []
    blank_run = 0
    first = True
    for index in range(match.data_start, len(rows)):
        row = list(rows[index])
        # Cheap first: how many cells are filled (a list row has many, all different).
        filled = len(row) - row.count(None) - row.count("")
        if not filled:
            blank_run += 1
            if blank_run >= max_blank_run:
                break
            continue
        blank_run = 0
        if first:
            first = False
            if _is_numbering_row(row):
                continue
        if filled <= 4 and _is_footer(row, match):
            break
        if (
            probe is not None
            and probe < len(row)
            and isinstance(row[probe], str)
            and not str(row[probe]).isdigit()
            and fold(_header_text(row[probe])) == header_keys[probe]
            and [fold(_header_text(v)) for v in row[: len(header_keys)]] == header_keys
        ):
            continue
        if _one_value(row) and _is_section_row(row, match):
            continue
        result.append((index + 1, row))
    return result
