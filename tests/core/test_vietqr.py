"""VietQR payloads: structure, CRC-16/CCITT-FALSE, and the parser's refusals (rules.md)."""

from __future__ import annotations

import pytest

from nhandao.core import vietqr


def _crc_by_table(data: bytes) -> int:
    """An independent CRC-16/CCITT-FALSE: the byte-wise table form of the same polynomial."""
    table = []
    for n in range(256):
        c = n << 8
        for _ in range(8):
            c = ((c << 1) ^ 0x1021) & 0xFFFF if c & 0x8000 else (c << 1) & 0xFFFF
        table.append(c)
    crc = 0xFFFF
    for b in data:
        crc = ((crc << 8) & 0xFFFF) ^ table[((crc >> 8) ^ b) & 0xFF]
    return crc


def test_crc_check_value_of_the_standard():
    # The catalogue check value of CRC-16/CCITT-FALSE for the ASCII digits 1 to 9.
    assert vietqr.crc16("123456789") == 0x29B1
    assert vietqr.crc16(b"") == 0xFFFF
    assert vietqr.crc16("A") == 0xB915


@pytest.mark.parametrize("text", ["0002010102116304", "hello world", "Nguyễn"])
def test_crc_agrees_with_a_table_implementation(text):
    assert vietqr.crc16(text) == _crc_by_table(text.encode())


def test_static_payload_written_out_field_by_field():
    account = "0006970436" + "0113" + "0011001234567"  # 00 BIN, 01 account
    merchant = "0010A000000727" + "0127" + account + "0208QRIBFTTA"
    body = "000201" + "010211" + "3857" + merchant + "5303704" + "5802VN" + "6304"
    expected = body + f"{_crc_by_table(body.encode()):04X}"
    assert vietqr.payload("970436", "0011001234567") == expected
    assert len(merchant) == 57 and len(account) == 27


def test_dynamic_payload_carries_amount_and_cleaned_note():
    text = vietqr.payload("970415", "113000123456", 500_000, "bão3hn uh2345abc Đào")
    assert "010212" in text
    assert "540650000" + "0" in text  # 54, length 06, "500000"
    assert "62240820BAO3HN UH2345ABC DAO" in text
    assert text[-8:-4] == "6304"
    assert text[-4:] == f"{_crc_by_table(text[:-4].encode()):04X}"


def test_parse_round_trip():
    text = vietqr.payload("970436", "0011001234567", 1_250_000, "BAO3HN UHABCDEFG")
    got = vietqr.parse(text)
    assert got["method"] == "12" and got["static"] is False
    assert got["bin"] == "970436" and got["account"] == "0011001234567"
    assert got["amount"] == 1_250_000 and got["note"] == "BAO3HN UHABCDEFG"
    assert got["currency"] == "704" and got["country"] == "VN"
    assert got["service"] == "QRIBFTTA"
    static = vietqr.parse(vietqr.payload("970436", "0011001234567"))
    assert static["static"] is True and static["amount"] is None and static["note"] == ""


def test_note_is_cut_to_what_banks_carry():
    text = vietqr.payload("970436", "123456", 10_000, "x" * 40)
    assert vietqr.parse(text)["note"] == "X" * vietqr.NOTE_MAX


def test_parse_refuses_a_changed_character():
    text = vietqr.payload("970436", "0011001234567", 500_000)
    tampered = text.replace("500000", "900000")
    with pytest.raises(ValueError, match="CRC"):
        vietqr.parse(tampered)


def _with_crc(body: str) -> str:
    body += "6304"
    return body + f"{vietqr.crc16(body):04X}"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("000201010211380" + "5", "cấu trúc"),  # length runs past the end
        ("000202010211", "EMVCo"),
        ("000201010213", "tĩnh"),
        ("0002010102115303704", "NAPAS"),
        ("0002010102113814" + "0010A000000728", "VietQR"),
        (
            "000201010212"
            + "3857"
            + "0010A000000727"
            + "0127"
            + "0006970436"
            + "0113"
            + "0011001234567"
            + "0208QRIBFTTA",
            "số tiền",
        ),
        ("000201000201", "lặp lại"),
    ],
)
def test_parse_refuses_malformed_payloads(body, message):
    with pytest.raises(ValueError, match=message):
        vietqr.parse(_with_crc(body))


def test_parse_refuses_a_payload_without_crc_last():
    with pytest.raises(ValueError, match="CRC"):
        vietqr.parse("000201010211")
    with pytest.raises(ValueError, match="4 chữ số"):
        vietqr.parse("0002010102116304ZZZZ")


@pytest.mark.parametrize(
    ("bin_code", "account", "amount"),
    [
        ("97043", "1", None),
        ("970436", "", None),
        ("970436", "12 34", None),
        ("970436", "1234", 0),
        ("970436", "1234", -5),
        ("970436", "1234", 1.5),
        ("970436", "1234", True),
        ("970436", "1" * 20, None),
    ],
)
def test_payload_refuses_bad_input(bin_code, account, amount):
    with pytest.raises(ValueError):
        vietqr.payload(bin_code, account, amount)
