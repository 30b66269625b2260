"""Bank statement layouts: which column of an exported statement holds what.

A layout maps the fields of a statement line (:data:`FIELDS`) to columns of the file. The
"generic" layout takes the mapping from the user (column letters or header texts), or proposes one
from the header texts it recognises; each preset knows the header texts of one bank's
internet-banking export, so a file is recognised by its header row (:func:`detect`).

Header texts are compared folded (lower case, no diacritics, punctuation as spaces); a bilingual
header such as "Ngày giao dịch/Transaction Date" is also recognised by either half.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nhandao.core.errors import ApplicationError
from nhandao.core.text import fold

# The fields of a line, with their labels; "date" and one of "credit"/"amount" are needed.
FIELDS: dict[str, Any] = {
    "date": gettext_lazy("Ngày giao dịch"),
    "credit": gettext_lazy("Số tiền ghi có"),
    "debit": gettext_lazy("Số tiền ghi nợ"),
    "amount": gettext_lazy("Số tiền (âm là ghi nợ)"),
    "description": gettext_lazy("Nội dung, mô tả"),
    "reference": gettext_lazy("Số tham chiếu, mã giao dịch"),
    "counterparty": gettext_lazy("Tên đối ứng (người chuyển)"),
    "counterparty_account": gettext_lazy("Tài khoản đối ứng"),
}

# Folded header texts that name each field, for the generic layout's proposal.
ALIASES: dict[str, tuple[str, ...]] = {
    "date": (
        "ngay giao dich",
        "ngay gd",
        "ngay",
        "ngay hach toan",
        "ngay hieu luc",
        "ngay gio giao dich",
        "thoi gian giao dich",
        "transaction date",
        "posting date",
        "date",
    ),
    "credit": (
        "so tien ghi co",
        "ghi co",
        "co",
        "phat sinh co",
        "tien vao",
        "credit",
        "credit amount",
    ),
    "debit": (
        "so tien ghi no",
        "ghi no",
        "no",
        "phat sinh no",
        "tien ra",
        "debit",
        "debit amount",
    ),
    "amount": ("so tien", "so tien giao dich", "amount"),
    "description": (
        "mo ta",
        "mo ta giao dich",
        "noi dung",
        "noi dung chi tiet",
        "noi dung giao dich",
        "noi dung chuyen khoan",
        "dien giai",
        "description",
        "details",
        "transaction details",
    ),
    "reference": (
        "so tham chieu",
        "so giao dich",
        "ma giao dich",
        "so but toan",
        "so ct",
        "so chung tu",
        "ma gd",
        "reference",
        "reference no",
        "ref no",
        "transaction no",
    ),
    "counterparty": (
        "ten doi ung",
        "ten nguoi chuyen",
        "nguoi chuyen",
        "doi tac",
        "ten doi tac",
        "ten tai khoan doi ung",
        "ten khach hang doi ung",
        "counterparty",
        "remitter",
        "remitter name",
    ),
    "counterparty_account": (
        "so tai khoan doi ung",
        "tai khoan doi ung",
        "so tk doi ung",
        "tk doi ung",
        "tai khoan doi tac",
        "so tai khoan nguoi chuyen",
        "counter account",
        "remitter account",
    ),
}


@dataclass(frozen=True)
class Preset:
    """One bank's export: for each field, the folded header text of its column."""

    code: str
    label: str
    columns: dict[str, str]


PRESETS: dict[str, Preset] = {
    p.code: p
    for p in (
        # Vietcombank (VCB Digibank, "Sao kê tài khoản"): account number and period on top.
        Preset(
            "vietcombank",
            "Vietcombank",
            {
                "date": "ngay giao dich",
                "reference": "so tham chieu",
                "debit": "so tien ghi no",
                "credit": "so tien ghi co",
                "description": "mo ta",
            },
        ),
        # VietinBank (iPay / eFAST "Lịch sử giao dịch").
        Preset(
            "vietinbank",
            "VietinBank",
            {
                "date": "ngay giao dich",
                "description": "noi dung chi tiet",
                "debit": "ghi no",
                "credit": "ghi co",
                "counterparty": "ten doi ung",
                "counterparty_account": "tai khoan doi ung",
                "reference": "so giao dich",
            },
        ),
        # BIDV (SmartBanking / iBank "Sao kê tài khoản").
        Preset(
            "bidv",
            "BIDV",
            {
                "date": "ngay hieu luc",
                "reference": "so but toan",
                "debit": "phat sinh no",
                "credit": "phat sinh co",
                "description": "noi dung giao dich",
                "counterparty": "ten tai khoan doi ung",
            },
        ),
        # Techcombank (bilingual headers, "Ngày giao dịch/Transaction Date").
        Preset(
            "techcombank",
            "Techcombank",
            {
                "date": "ngay giao dich transaction date",
                "counterparty": "doi tac remitter",
                "counterparty_account": "tai khoan doi tac remitter account",
                "description": "dien giai details",
                "debit": "no debit",
                "credit": "co credit",
                "reference": "so but toan transaction no",
            },
        ),
    )
}

GENERIC = "generic"
AUTO = "auto"
LAYOUT_CHOICES: list[tuple[str, Any]] = [
    (AUTO, gettext_lazy("Tự nhận biết theo dòng tiêu đề")),
    *[(p.code, p.label) for p in PRESETS.values()],
    (GENERIC, gettext_lazy("Mẫu chung (tự chọn cột)")),
]


def header_keys(value: Any) -> set[str]:
    """The folded forms a header cell answers to: the whole text, and each half of a bilingual
    "Vietnamese/English" header."""
    if value is None:
        return set()
    text = str(value)
    keys = {fold(text)}
    for part in re.split(r"[/\n(]", text):
        folded = fold(part)
        if folded:
            keys.add(folded)
    keys.discard("")
    return keys


def preset_columns(preset: Preset, header: Sequence[Any]) -> dict[str, int] | None:
    """The preset's mapping on this header row, or None when one of its columns is missing."""
    keys = [header_keys(cell) for cell in header]
    found: dict[str, int] = {}
    for name, text in preset.columns.items():
        for index, cell_keys in enumerate(keys):
            if text in cell_keys:
                found[name] = index
                break
        else:
            return None
    return found


def detect(header: Sequence[Any]) -> Preset | None:
    """The preset whose every column is in this header row (the most specific one)."""
    best: Preset | None = None
    for preset in PRESETS.values():
        if preset_columns(preset, header) is not None and (
            best is None or len(preset.columns) > len(best.columns)
        ):
            best = preset
    return best


def propose(header: Sequence[Any]) -> dict[str, int]:
    """A mapping proposed from the header texts recognised (the generic layout's first guess)."""
    keys = [header_keys(cell) for cell in header]
    found: dict[str, int] = {}
    taken: set[int] = set()
    # Longer aliases first, so "số tiền ghi có" goes to credit before "số tiền" to amount.
    pairs = sorted(
        ((alias, name) for name, aliases in ALIASES.items() for alias in aliases),
        key=lambda p: -len(p[0]),
    )
    for alias, name in pairs:
        if name in found:
            continue
        for index, cell_keys in enumerate(keys):
            if index not in taken and alias in cell_keys:
                found[name] = index
                taken.add(index)
                break
    if "credit" in found and "amount" in found:
        del found["amount"]
    return found


def looks_like_header(row: Sequence[Any]) -> bool:
    """A date column and a money column are recognised in this row."""
    mapping = propose(row)
    return "date" in mapping and bool({"credit", "amount"} & set(mapping))


def column_index(text: str) -> int | None:
    """0-based index of a column letter ("A" → 0, "AB" → 27), or None when not letters."""
    text = text.strip().upper()
    if not re.fullmatch(r"[A-Z]{1,3}", text):
        return None
    index = 0
    for ch in text:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def parse_mapping(spec: Any) -> dict[str, str]:
    """A mapping typed as "date=A,credit=D,description=Nội dung" (or given as a dict): field →
    column letter or header text. Unknown fields are refused by name."""
    if not spec:
        return {}
    if isinstance(spec, dict):
        pairs = [(str(k), str(v)) for k, v in spec.items()]
    else:
        pairs = []
        for part in str(spec).split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise ApplicationError(
                    _(
                        "Cách ghép cột «%(part)s» không hợp lệ; "
                        "ví dụ: date=A,credit=D,description=F."
                    )
                    % {"part": part.strip()},
                    field="mapping",
                )
            key, value = part.split("=", 1)
            pairs.append((key, value))
    out: dict[str, str] = {}
    for key, value in pairs:
        key = key.strip().lower()
        if key not in FIELDS:
            raise ApplicationError(
                _("Trường «%(key)s» không có; các trường: %(fields)s.")
                % {"key": key, "fields": ", ".join(FIELDS)},
                field="mapping",
            )
        if str(value).strip():
            out[key] = str(value).strip()
    return out


def resolve_mapping(spec: dict[str, str], header: Sequence[Any] | None) -> dict[str, int]:
    """Turn field → (column letter or header text) into field → column index."""
    found: dict[str, int] = {}
    keys = [header_keys(cell) for cell in header] if header is not None else []
    for name, target in spec.items():
        index = column_index(target)
        if index is None:
            wanted = fold(target)
            index = next((i for i, k in enumerate(keys) if wanted in k), None)
            if index is None:
                raise ApplicationError(
                    _("Không thấy cột «%(col)s» (cho trường %(field)s) trong dòng tiêu đề.")
                    % {"col": target, "field": FIELDS[name]},
                    field="mapping",
                )
        found[name] = index
    return found


def missing_fields(mapping: dict[str, int]) -> list[str]:
    """Labels of what a mapping still lacks: the date, and a credit (or signed amount) column."""
    missing: list[str] = []
    if "date" not in mapping:
        missing.append(str(FIELDS["date"]))
    if "credit" not in mapping and "amount" not in mapping:
        missing.append(str(FIELDS["credit"]))
    return missing
