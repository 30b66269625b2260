"""VietQR (NAPAS 247 over the EMVCo merchant-presented QR): build a payload for an account, and
read one back with its structure and checksum verified (rules.md, "VietQR").

A payload is a run of TLV fields: a two-digit id, a two-digit length and the value. The root
fields used here:

* ``00`` payload format "01"; ``01`` "11" for a static QR (no amount) or "12" for a dynamic one;
* ``38`` the NAPAS account: ``00`` "A000000727", ``01`` = {``00`` bank BIN (6 digits), ``01``
  account number}, ``02`` "QRIBFTTA" (transfer to an account);
* ``53`` currency "704" (VND); ``54`` the amount in whole đồng (dynamic only); ``58`` "VN";
* ``62`` additional data: ``08`` the transfer note, ASCII upper case without diacritics;
* ``63`` CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF, no reflection, no final xor)
  over everything before it *including* "6304", as four upper-case hex digits. It is last.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from .text import fold

__all__ = ["NOTE_MAX", "clean_note", "crc16", "parse", "payload"]

NAPAS_AID = "A000000727"
SERVICE_ACCOUNT = "QRIBFTTA"  # transfer to an account number
SERVICE_CARD = "QRIBFTTC"  # transfer to a card number (accepted when reading)
CURRENCY_VND = "704"
COUNTRY = "VN"
NOTE_MAX = 25  # banks cut longer notes; the reference must fit
ACCOUNT_RE = re.compile(r"^[0-9A-Za-z]{1,19}$")
BIN_RE = re.compile(r"^[0-9]{6}$")
AMOUNT_MAX = 10**13 - 1  # 13 digits: far above any single transfer


def crc16(data: str | bytes) -> int:
    """CRC-16/CCITT-FALSE of ``data`` (UTF-8 when text): ``crc16("123456789") == 0x29B1``."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    crc = 0xFFFF
    for byte in raw:
        crc ^= byte << 8
        for _bit in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(_("Trường %(tag)s của mã QR dài quá 99 ký tự.") % {"tag": tag})
    return f"{tag}{len(value):02d}{value}"


def clean_note(note: str) -> str:
    """The transfer note as banks carry it: without diacritics (đ → D), upper case, letters,
    digits and single spaces only, at most ``NOTE_MAX`` characters."""
    text = fold(note or "").upper()
    return text[:NOTE_MAX].rstrip()


def payload(bin: str, account: str, amount: int | None = None, note: str = "") -> str:
    """The VietQR text of an account: static ("11") without ``amount``, dynamic ("12") with a
    whole-đồng amount. ``note`` is cleaned by :func:`clean_note` (a longer note is cut)."""
    bin_code = (bin or "").strip()
    account_no = (account or "").strip()
    if not BIN_RE.match(bin_code):
        raise ValueError(_("Mã BIN ngân hàng phải gồm đúng 6 chữ số."))
    if not ACCOUNT_RE.match(account_no):
        raise ValueError(_("Số tài khoản chỉ gồm chữ và số, tối đa 19 ký tự."))
    if amount is not None:
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise ValueError(_("Số tiền trong mã QR phải là số đồng nguyên."))
        if amount <= 0 or amount > AMOUNT_MAX:
            raise ValueError(_("Số tiền trong mã QR phải lớn hơn 0 và không quá 13 chữ số."))
    account_info = _tlv("00", bin_code) + _tlv("01", account_no)
    merchant = _tlv("00", NAPAS_AID) + _tlv("01", account_info) + _tlv("02", SERVICE_ACCOUNT)
    parts = [
        _tlv("00", "01"),
        _tlv("01", "11" if amount is None else "12"),
        _tlv("38", merchant),
        _tlv("53", CURRENCY_VND),
    ]
    if amount is not None:
        parts.append(_tlv("54", str(amount)))
    parts.append(_tlv("58", COUNTRY))
    text = clean_note(note)
    if text:
        parts.append(_tlv("62", _tlv("08", text)))
    body = "".join(parts) + "6304"
    return f"{body}{crc16(body):04X}"


def _fields(text: str, where: str) -> list[tuple[str, str]]:
    """Split ``text`` into its (id, value) pairs; ValueError (Vietnamese) when malformed."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        head = text[i : i + 4]
        if len(head) < 4 or not head.isdigit():
            raise ValueError(
                _("Mã QR sai cấu trúc: %(where)s, vị trí %(pos)s không phải mã trường và độ dài.")
                % {"where": where, "pos": i + 1}
            )
        tag, length = head[:2], int(head[2:])
        value = text[i + 4 : i + 4 + length]
        if len(value) < length:
            raise ValueError(
                _("Mã QR sai cấu trúc: trường %(tag)s (%(where)s) ngắn hơn độ dài khai báo.")
                % {"tag": tag, "where": where}
            )
        out.append((tag, value))
        i += 4 + length
    return out


def _unique(pairs: list[tuple[str, str]], where: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag, value in pairs:
        if tag in found:
            raise ValueError(
                _("Mã QR sai cấu trúc: trường %(tag)s (%(where)s) lặp lại.")
                % {"tag": tag, "where": where}
            )
        found[tag] = value
    return found


def parse(text: str) -> dict[str, Any]:
    """Read a VietQR payload: its TLV structure, its CRC and the NAPAS account are checked
    (ValueError with a Vietnamese message otherwise). Returns ``method`` ("11"/"12"), ``static``,
    ``bin``, ``account``, ``service``, ``currency``, ``amount`` (int or None), ``country``,
    ``note`` and ``crc``."""
    text = (text or "").strip()
    if len(text) < 8 or text[-8:-4] != "6304":
        raise ValueError(_("Mã QR không kết thúc bằng trường kiểm tra CRC (6304…)."))
    given = text[-4:].upper()
    if not re.fullmatch(r"[0-9A-F]{4}", given):
        raise ValueError(_("Mã kiểm tra CRC của mã QR phải gồm 4 chữ số hệ 16."))
    expected = f"{crc16(text[:-4]):04X}"
    if given != expected:
        raise ValueError(
            _("Mã QR bị sai hoặc chép thiếu: CRC là %(given)s, tính lại được %(expected)s.")
            % {"given": given, "expected": expected}
        )
    root_pairs = _fields(text, _("gốc"))
    if root_pairs[-1][0] != "63":
        raise ValueError(_("Trường CRC (63) phải là trường cuối của mã QR."))
    root = _unique(root_pairs, _("gốc"))
    if root.get("00") != "01":
        raise ValueError(_("Mã QR không đúng định dạng EMVCo (trường 00 phải là 01)."))
    method = root.get("01", "")
    if method not in ("11", "12"):
        raise ValueError(_("Trường 01 của mã QR phải là 11 (tĩnh) hoặc 12 (động)."))
    if "38" not in root:
        raise ValueError(_("Mã QR không có thông tin tài khoản NAPAS (trường 38)."))
    merchant = _unique(_fields(root["38"], "38"), "38")
    if merchant.get("00") != NAPAS_AID:
        raise ValueError(_("Mã QR không phải VietQR (trường 38.00 phải là A000000727)."))
    account_info = _unique(_fields(merchant.get("01", ""), "38.01"), "38.01")
    bin_code, account_no = account_info.get("00", ""), account_info.get("01", "")
    if not BIN_RE.match(bin_code):
        raise ValueError(_("Mã BIN ngân hàng trong mã QR phải gồm đúng 6 chữ số."))
    if not account_no:
        raise ValueError(_("Mã QR không có số tài khoản."))
    service = merchant.get("02", "")
    if service not in (SERVICE_ACCOUNT, SERVICE_CARD):
        raise ValueError(_("Mã dịch vụ trong mã QR (38.02) không hợp lệ."))
    amount: int | None = None
    if "54" in root:
        if not root["54"].isdigit() or int(root["54"]) <= 0:
            raise ValueError(_("Số tiền trong mã QR (trường 54) phải là số đồng nguyên dương."))
        amount = int(root["54"])
    if method == "12" and amount is None:
        raise ValueError(_("Mã QR động (12) phải có số tiền (trường 54)."))
    note = ""
    if "62" in root:
        note = _unique(_fields(root["62"], "62"), "62").get("08", "")
    return {
        "method": method,
        "static": method == "11",
        "bin": bin_code,
        "account": account_no,
        "service": service,
        "currency": root.get("53", ""),
        "amount": amount,
        "country": root.get("58", ""),
        "note": note,
        "crc": given,
    }
