"""TCVN3 (ABC) and VNI text: the character tables, conversion, detection, whole tables."""

from __future__ import annotations

import unicodedata

import pytest

from nhandao.imports.legacy_encoding import (
    convert,
    convert_cell,
    detect,
    encode,
    fix_table,
    is_vietnamese_syllable,
)

LOWER_LETTERS = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
UPPER_LETTERS = LOWER_LETTERS.upper()

PHRASES = [
    "Hội Chữ thập đỏ",
    "Quảng Trị",
    "Nguyễn Thị Ngọc Ánh",
    "Đặng Văn Lâm",
    "thôn Hiền Lương",
    "HỘI CHỮ THẬP ĐỎ",
    "Nguyễn Văn An",
    "Ấp Hòa Lợi, xã Hòa An, huyện Phụng Hiệp, tỉnh Hậu Giang",
    "DANH SÁCH ĐỐI TƯỢNG NHẬN QUÀ TẾT NHÂN ÁI XUÂN ẤT TỴ 2025",
    "Trương Thị Ướt",
    "Ủy ban nhân dân xã Vĩnh Thủy",
    "Người cao tuổi cô đơn, hộ nghèo",
]


def test_all_134_letters_are_in_the_tables() -> None:
    assert len(LOWER_LETTERS) == 67 and len(UPPER_LETTERS) == 67
    assert len(set(LOWER_LETTERS + UPPER_LETTERS)) == 134


def test_known_strings() -> None:
    assert convert("NguyÔn V¨n An", "tcvn3") == "Nguyễn Văn An"
    assert convert("Nguyeãn Vaên An", "vni") == "Nguyễn Văn An"
    assert convert("HéI CH÷ THËP §á", "tcvn3") == "HỘI CHỮ THẬP ĐỎ"  # .VnTimeH
    assert convert("HOÄI CHÖÕ THAÄP ÑOÛ", "vni") == "HỘI CHỮ THẬP ĐỎ"
    assert convert("B¸t X¸t", "tcvn3") == "Bát Xát"
    assert convert("M\xadêng Kh\xad¬ng", "tcvn3") == "Mường Khương"  # ư is the soft hyphen
    assert convert("Xin chaøo caùc baïn", "vni") == "Xin chào các bạn"
    assert convert("Tröôøng Sa, Hoaøng Sa", "vni") == "Trường Sa, Hoàng Sa"


@pytest.mark.parametrize("letter", LOWER_LETTERS)
def test_every_lower_case_letter_round_trips(letter: str) -> None:
    for encoding in ("tcvn3", "vni"):
        legacy = encode(letter, encoding)
        # The same bytes in both: ì and í in VNI, ý in TCVN3.
        assert legacy != letter or (encoding, letter) in {
            ("vni", "ì"),
            ("vni", "í"),
            ("tcvn3", "ý"),
        }
        assert convert(legacy, encoding) == letter


@pytest.mark.parametrize("letter", UPPER_LETTERS)
def test_every_upper_case_letter_round_trips(letter: str) -> None:
    assert convert(encode(letter, "vni"), "vni") == letter
    # TCVN3 writes most capitals with the lower-case code (.VnTimeH): read in an upper-case word.
    word = f"H{letter}NG"
    assert convert(encode(word, "tcvn3"), "tcvn3") == word


def test_tcvn3_lower_case_codes_are_single_latin1_characters() -> None:
    codes = [encode(ch, "tcvn3") for ch in LOWER_LETTERS]
    assert all(len(code) == 1 and 0xA0 <= ord(code) <= 0xFF for code in codes)
    assert len(set(codes)) == 67


def test_vni_codes_are_windows_1252() -> None:
    for ch in LOWER_LETTERS + UPPER_LETTERS:
        encode(ch, "vni").encode("cp1252")  # raises if a code is outside Windows-1252


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
@pytest.mark.parametrize("phrase", PHRASES)
def test_phrases_round_trip_and_are_detected(phrase: str, encoding: str) -> None:
    legacy = encode(phrase, encoding)
    assert legacy != phrase
    assert convert(legacy, encoding) == phrase
    assert unicodedata.is_normalized("NFC", convert(legacy, encoding))
    if (phrase, encoding) != ("Quảng Trị", "vni"):
        assert detect([legacy]) == encoding


def test_one_word_is_not_enough_to_detect() -> None:
    # VNI "Quaûng Trò": "Trò" is a valid word either way, so one word gains: undecided alone…
    assert detect([encode("Quảng Trị", "vni")]) is None
    # … but decided in a column.
    assert detect([encode(p, "vni") for p in ("Quảng Trị", "Vĩnh Linh", "Đông Hà")]) == "vni"


def test_detect_a_column_of_names() -> None:
    names = ["Nguyễn Văn An", "Trần Thị Bích", "Lê Văn Tám", "Phạm Thị Hoa", "Đỗ Quang Huy"]
    for encoding in ("tcvn3", "vni"):
        assert detect([encode(n, encoding) for n in names] + ["", "123", "Le Van A"]) == encoding


@pytest.mark.parametrize(
    "texts",
    [
        PHRASES,  # Unicode Vietnamese
        ["Thôn Tân Hòa", "Hà Nội", "Bà Rịa", "Tân Phú", "Cà Mau", "Lê Thị Mơ"],  # ASCII + Latin-1
        ["Café", "Crème brûlée", "Élève à l'école", "Où est la gare ?", "Noël à Paris"],
        ["Müller", "São Paulo", "Señor Muñoz", "naïve façade"],
        ["Hello world", "Nguyen Van An", "Ap My Loi, xa Hoa An"],
        ["", "1234", "01/02/1960"],
        [],
    ],
)
def test_no_false_detection(texts: list[str]) -> None:
    assert detect(texts) is None


def test_convert_cell_leaves_unicode_alone() -> None:
    assert convert_cell("Nguyễn Văn An", "tcvn3") == "Nguyễn Văn An"
    assert convert_cell("Hòa Lợi", "vni") == "Hòa Lợi"  # a letter only Unicode has
    assert convert_cell("Hòe", "vni") == "Hòe"  # conversion would break it ("Hịe")
    assert convert_cell("Le Van A", "vni") == "Le Van A"
    assert convert_cell("NguyÔn V¨n An", "tcvn3") == "Nguyễn Văn An"


def test_fix_table_detects_each_column() -> None:
    rows: list[list[object]] = [
        ["Họ và tên", "Địa chỉ", "Ghi chú", "Năm sinh"],
        [encode("Nguyễn Văn An", "tcvn3"), encode("Thôn Hiền Lương", "vni"), "Café", 1950.0],
        [encode("Đặng Văn Lâm", "tcvn3"), encode("Ấp Hòa Lợi", "vni"), "Hộ nghèo", 1961.0],
        ["Trần Thị Bích", encode("Quảng Trị", "vni"), None, None],  # retyped in Unicode
    ]
    fixed, encoding = fix_table(rows)
    assert fixed[0] == ["Họ và tên", "Địa chỉ", "Ghi chú", "Năm sinh"]
    assert fixed[1] == ["Nguyễn Văn An", "Thôn Hiền Lương", "Café", 1950.0]
    assert fixed[2] == ["Đặng Văn Lâm", "Ấp Hòa Lợi", "Hộ nghèo", 1961.0]
    assert fixed[3] == ["Trần Thị Bích", "Quảng Trị", None, None]
    assert encoding in ("tcvn3", "vni")


def test_fix_table_without_legacy_text() -> None:
    rows: list[list[object]] = [["Họ và tên"], ["Nguyễn Văn An"], ["Hòa"]]
    fixed, encoding = fix_table(rows)
    assert encoding is None
    assert fixed == [["Họ và tên"], ["Nguyễn Văn An"], ["Hòa"]]


@pytest.mark.parametrize(
    "word",
    ["nguyễn", "Thuở", "khuya", "quốc", "giữa", "nghiêng", "Ướt", "oản", "huyện", "xoong", "gì"],
)
def test_valid_syllables(word: str) -> None:
    assert is_vietnamese_syllable(word)


@pytest.mark.parametrize(
    "word", ["café", "tcvn", "ngh", "bàt", "hoáć", "nguyeãn", "v¨n", "street", "aă", ""]
)
def test_invalid_syllables(word: str) -> None:
    assert not is_vietnamese_syllable(word)


def test_unknown_encoding() -> None:
    with pytest.raises(ValueError):
        convert("x", "viqr")
    with pytest.raises(ValueError):
        encode("x", "viqr")
