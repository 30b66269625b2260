"""Statement files for the tests, written as the banks export them: a title block with the account
number above the header row, then one row per transaction."""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Sequence
from typing import Any

import xlsxwriter

VCB_HEADER = ["STT", "Ngày giao dịch", "Số tham chiếu", "Số tiền ghi nợ", "Số tiền ghi có", "Mô tả"]
VTB_HEADER = [
    "STT",
    "Ngày giao dịch",
    "Nội dung chi tiết",
    "Ghi nợ",
    "Ghi có",
    "Số dư",
    "Tên đối ứng",
    "Tài khoản đối ứng",
    "Số giao dịch",
]


def d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def vcb_rows(lines: Sequence[dict[str, Any]]) -> list[list[Any]]:
    """Vietcombank rows: each line {day, ref, credit | debit, text}."""
    return [
        [
            n,
            d(line["day"]) + " 09:15:00",
            line.get("ref", ""),
            line.get("debit", ""),
            line.get("credit", ""),
            line.get("text", ""),
        ]
        for n, line in enumerate(lines, start=1)
    ]


def vtb_rows(lines: Sequence[dict[str, Any]]) -> list[list[Any]]:
    return [
        [
            n,
            d(line["day"]),
            line.get("text", ""),
            line.get("debit", ""),
            line.get("credit", ""),
            "",
            line.get("who", ""),
            line.get("who_account", ""),
            line.get("ref", ""),
        ]
        for n, line in enumerate(lines, start=1)
    ]


def top(account: str, bank: str = "NGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM") -> list[list[Any]]:
    return [
        [bank],
        ["SAO KÊ TÀI KHOẢN"],
        [f"Số tài khoản: {account}"],
        ["Tên tài khoản: HOI CHU THAP DO TP HA NOI"],
        [],
    ]


def xlsx(rows: Sequence[Sequence[Any]]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("SaoKe")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value not in ("", None):
                sheet.write(r, c, value)
    book.close()
    return out.getvalue()


TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters precomposed (â, ơ, ư…), tones
    as combining marks."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in TONES))
            out += base.encode("cp1258") + "".join(p for p in parts if p in TONES).encode("cp1258")
    return bytes(out)


def csv_bytes(
    rows: Sequence[Sequence[Any]], encoding: str = "utf-8-sig", delimiter: str = ","
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    for row in rows:
        writer.writerow(row)
    if encoding == "cp1258":
        return cp1258(out.getvalue())
    return out.getvalue().encode(encoding)


def vcb_xlsx(lines: Sequence[dict[str, Any]], account: str = "0011001234567") -> bytes:
    return xlsx([*top(account), VCB_HEADER, *vcb_rows(lines), [], ["", "Tổng cộng", "", "", ""]])


def vtb_csv(
    lines: Sequence[dict[str, Any]], account: str = "0011001234567", encoding: str = "utf-8-sig"
) -> bytes:
    return csv_bytes([*top(account, "VIETINBANK"), VTB_HEADER, *vtb_rows(lines)], encoding=encoding)
