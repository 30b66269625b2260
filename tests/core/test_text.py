import itertools
import unicodedata
from datetime import date

import pytest

from nhandao.core.text import (
    NameParts,
    collation_key,
    fold,
    nfc,
    person_sort_key,
    person_sort_key_from_full,
    split_name,
    title_name,
)

DECOMPOSED_DAO = unicodedata.normalize("NFD", "Nguyễn Thị Đào")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Nguyễn   Thị\tĐào \n", "Nguyễn Thị Đào"),
        (DECOMPOSED_DAO, "Nguyễn Thị Đào"),
        ("Lê\u00a0Văn\u200bTám", "Lê VănTám"),
        ("\ufeffHà Nội", "Hà Nội"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_nfc(raw: str, expected: str) -> None:
    result = nfc(raw)
    assert result == expected
    assert unicodedata.is_normalized("NFC", result)


def test_nfc_composes_letters() -> None:
    assert len(DECOMPOSED_DAO) > len("Nguyễn Thị Đào")
    assert len(nfc(DECOMPOSED_DAO)) == len("Nguyễn Thị Đào")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Nguyễn Thị Đào", "nguyen thi dao"),
        ("NGUYỄN THỊ ĐÀO", "nguyen thi dao"),
        (DECOMPOSED_DAO, "nguyen thi dao"),
        ("Đặng Hữu Phước", "dang huu phuoc"),
        ("Trần Quốc Tuấn, Xóm 3", "tran quoc tuan xom 3"),
        ("Bà Rịa - Vũng Tàu", "ba ria vung tau"),
        ("Thôn Ê-Đê (buôn Ako Dhong)", "thon e de buon ako dhong"),
        ("ư ơ ă â ê ô", "u o a a e o"),
        ("  ", ""),
    ],
)
def test_fold(raw: str, expected: str) -> None:
    assert fold(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("nguyễn thị đào", "Nguyễn Thị Đào"),
        ("NGUYỄN THỊ ĐÀO", "Nguyễn Thị Đào"),
        ("nGUYỄN tHỊ đÀO", "Nguyễn Thị Đào"),
        (unicodedata.normalize("NFD", "đặng ữu ước"), "Đặng Ữu Ước"),
        ("  trần   văn   ơn ", "Trần Văn Ơn"),
        ("h'hen niê", "H'Hen Niê"),
        ("y-moan ênuôl", "Y-Moan Ênuôl"),
        ("", ""),
    ],
)
def test_title_name(raw: str, expected: str) -> None:
    result = title_name(raw)
    assert result == expected
    assert unicodedata.is_normalized("NFC", result)


@pytest.mark.parametrize(
    ("full", "family", "middle", "given"),
    [
        ("Nguyễn Thị Đào", "Nguyễn", "Thị", "Đào"),
        ("Trần Đào", "Trần", "", "Đào"),
        ("Lê Thị Minh Khai", "Lê", "Thị Minh", "Khai"),
        ("Tôn Nữ Thị Ninh", "Tôn", "Nữ Thị", "Ninh"),
        ("Hoa", "", "", "Hoa"),
        ("  Phạm   Văn   Đồng ", "Phạm", "Văn", "Đồng"),
        ("", "", "", ""),
    ],
)
def test_split_name(full: str, family: str, middle: str, given: str) -> None:
    parts = split_name(full)
    assert parts == NameParts(family=family, middle=middle, given=given, full=nfc(full))


def test_split_name_is_frozen() -> None:
    parts = split_name("Nguyễn Thị Đào")
    with pytest.raises(AttributeError):
        parts.given = "Mai"  # type: ignore[misc]


# Each list is in the expected Vietnamese order (rules.md).
ORDERED = [
    ["An", "Ân", "Bình"],
    ["An", "Ăn", "Ân"],
    ["Do", "Dung", "Đào"],
    ["Dương", "Đào"],
    ["Ha", "Hà", "Hả", "Hã", "Há", "Hạ"],
    ["Ê", "Ề", "Ể", "Ễ", "Ế", "Ệ"],
    ["Ơ", "Ờ", "Ở", "Ỡ", "Ớ", "Ợ"],
    ["Tư", "Từ", "Tử", "Tữ", "Tứ", "Tự"],
    ["Ăn", "Ằn", "Ắn", "Ầm", "Ân", "Ấn"],  # letters (m < n) before tones
    ["On", "Ôn", "Ơn"],
    ["U", "Ư"],
    ["Uyên", "Ưng"],
    ["Em", "Êm"],
    ["An", "An Bình", "Anh"],
    ["Ba", "Ba Ba", "Bà", "Bác"],
    ["Hoa", "Hòa", "Hoan", "Hoàng"],
    ["Tùng", "Tuyết", "Tư", "Từ", "Tứ", "Tửu"],
    ["Vy", "Xuân", "Yến"],
    ["Tổ 1", "Tổ 2", "Tổ A"],  # digits before letters
]


@pytest.mark.parametrize("expected", ORDERED, ids=lambda names: " < ".join(names))
def test_collation_order(expected: list[str]) -> None:
    shuffled = list(reversed(expected))
    assert sorted(shuffled, key=collation_key) == expected
    keys = [collation_key(name) for name in expected]
    assert all(a < b for a, b in itertools.pairwise(keys))


def test_collation_differs_from_code_point_order() -> None:
    names = ["Đào", "Dung", "Ân", "Bình", "An"]
    assert sorted(names) != sorted(names, key=collation_key)
    assert sorted(names, key=collation_key) == ["An", "Ân", "Bình", "Dung", "Đào"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("hòa", "hoà"),  # tone mark placement does not matter
        ("NGUYỄN", "nguyễn"),
        (DECOMPOSED_DAO, "Nguyễn Thị Đào"),
        ("  Lê   Lợi ", "Lê Lợi"),
        ("Bà Rịa - Vũng Tàu", "Bà Rịa Vũng Tàu"),
    ],
)
def test_collation_equivalences(a: str, b: str) -> None:
    assert collation_key(a) == collation_key(b)


@pytest.mark.parametrize("name", ["Nguyễn Thị Đào", "Ngô Bảo Châu", "H'Hen Niê", "Tổ 12", "Zoë"])
def test_collation_key_is_safe_ascii(name: str) -> None:
    key = collation_key(name)
    assert key
    assert set(key) <= set("0123456789abcdefghijklmnopqrstuvwxyz")
    assert len(key) % 2 == 0


def test_collation_key_empty() -> None:
    assert collation_key("") == ""
    assert collation_key(" - ") == ""


def test_person_sort_key_orders_given_middle_family_birth() -> None:
    people = [
        ("Trần Văn Bình", date(1990, 1, 1)),
        ("Nguyễn Thị Ân", None),
        ("Lê Thị Ân", date(1985, 5, 5)),
        ("Nguyễn Thị Ân", date(1970, 2, 3)),
        ("Phạm Anh", None),
        ("Đỗ Văn An", date(2000, 1, 1)),
        ("Nguyễn Thị Ân", date(1965, 12, 31)),
        ("Bùi Ân", None),
    ]
    ordered = sorted(people, key=lambda p: person_sort_key_from_full(p[0], p[1]))
    assert ordered == [
        ("Đỗ Văn An", date(2000, 1, 1)),
        ("Phạm Anh", None),  # "Anh" < "Ân": a < â decides before the length
        ("Bùi Ân", None),  # empty middle name before "Thị"
        ("Lê Thị Ân", date(1985, 5, 5)),
        ("Nguyễn Thị Ân", date(1965, 12, 31)),
        ("Nguyễn Thị Ân", date(1970, 2, 3)),
        ("Nguyễn Thị Ân", None),  # missing date of birth last
        ("Trần Văn Bình", date(1990, 1, 1)),
    ]


def test_person_sort_key_given_beats_family() -> None:
    # Family name "An" would come first in code-point order; the given name decides.
    a = person_sort_key(given="Bình", middle="Văn", family="An")
    b = person_sort_key(given="Anh", middle="Văn", family="Vũ")
    assert b < a


def test_person_sort_key_shorter_given_name_first() -> None:
    a = person_sort_key(given="An", middle="Văn", family="Trần")
    b = person_sort_key(given="An Bình", middle="", family="Lê")
    assert a < b


def test_person_sort_key_from_full_matches_parts() -> None:
    assert person_sort_key_from_full("Nguyễn Thị Đào", date(1960, 3, 5)) == person_sort_key(
        given="Đào", middle="Thị", family="Nguyễn", birth=date(1960, 3, 5)
    )
    key = person_sort_key_from_full("nguyễn thị đào")
    assert key.endswith("99999999")
    assert set(key) <= set("0123456789abcdefghijklmnopqrstuvwxyz")


def test_nfc_drops_control_characters_but_keeps_words_apart():
    from nhandao.core.text import nfc

    assert nfc("Nguyễn\x00 Văn\x07An") == "Nguyễn VănAn"
    assert nfc("Nguyễn\tVăn\nAn\x7f") == "Nguyễn Văn An"
