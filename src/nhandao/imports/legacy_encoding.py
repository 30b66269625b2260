"""Vietnamese text typed in the pre-Unicode TCVN3 (ABC) and VNI encodings.

Before Unicode, Vietnamese was typed with 8-bit fonts: ".VnTime" (TCVN3, also called ABC, standard
TCVN 5712:1993 VN3) or "VNI-Times" (VNI Windows). The bytes were ordinary Windows-1252 bytes, so a
spreadsheet or CSV file holds them as the Latin-1 look-alike characters that Windows-1252 gives
those bytes: "NguyÔn V¨n An" (TCVN3) or "Nguyeãn Vaên An" (VNI) for "Nguyễn Văn An". This module
finds such text and turns it back into Unicode (NFC).

TCVN3 (one byte per letter). The 67 lower-case Vietnamese letters outside ASCII each have a code;
of the upper-case ones, only Ă Â Ê Ô Ơ Ư Đ have their own code. Upper-case letters with a tone
mark were typed with the upper-case companion font ".VnTimeH", which draws the lower-case codes
as capitals: "HéI CH÷ THËP §á" is "HỘI CHỮ THẬP ĐỎ". The font is not part of the cell value, so
:func:`convert` guesses:

* a cell with no lower-case ASCII letter and a word with two ASCII capitals, or with a capital
  right after a letter code ("HéI", "¦íC"), was written in ".VnTimeH": all upper case;
* in a cell whose other words all start with a capital, a word starting with a toned vowel gets
  a capital too ("Ngäc ¸nh" → "Ngọc Ánh");
* a cell that starts with a toned vowel and has capitals further on starts with a capital
  ("Êp Hßa Lîi" → "Ấp Hòa Lợi").

What stays out of reach: a lower-case text whose first word was meant capitalised ("ñy ban" is
read "ủy ban"). The codes that TCVN 5712 (VN1) gives to upper-case toned vowels inside the
0xA0-0xFF range are also read, for files typed with a full VN1 font.

VNI (one or two bytes per letter). A base letter is followed by a byte for its mark: "aø" à,
"aù" á, "aû" ả, "aõ" ã, "aï" ạ, "aâ" â, "aê" ă, circumflex with a tone "aà aá aå aã aä" (ầ ấ ẩ
ẫ ậ), breve with a tone "aè aé aú aü aë" (ằ ắ ẳ ẵ ặ); "ô" is ơ and "ö" is ư (so "ôù" is ớ), "ñ"
is đ; the i-vowels have single codes (ì í "æ" ỉ, "ó" ĩ, "ò" ị) and "î" is ỵ. Upper case uses the
upper-case bytes ("AÙ" Á, "Ñ" Đ, "Ô" Ơ).

Detection (:func:`detect`) converts every word that contains a non-ASCII character and compares:
a word that is not a valid Vietnamese syllable as it stands but becomes one after conversion
counts for the encoding, a valid one that breaks counts against it. Unicode Vietnamese, English
and French text gain nothing and are left alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any

__all__ = [
    "ENCODINGS",
    "TCVN3",
    "VNI",
    "convert",
    "detect",
    "encode",
    "fix_table",
    "is_vietnamese_syllable",
]

TCVN3 = "tcvn3"
VNI = "vni"
ENCODINGS = (TCVN3, VNI)

# --------------------------------------------------------------------------------------------
# TCVN3 (TCVN 5712:1993 VN3, the ".VnTime" fonts of the ABC keyboard)

# Lower-case letters: Windows-1252 character of the TCVN3 byte -> Unicode letter.
_TCVN3_LOWER = {
    "\u00a8": "ă", "\u00a9": "â", "\u00aa": "ê", "\u00ab": "ô", "\u00ac": "ơ", "\u00ad": "ư",
    "\u00ae": "đ",
    "\u00b5": "à", "\u00b6": "ả", "\u00b7": "ã", "\u00b8": "á", "\u00b9": "ạ",
    "\u00bb": "ằ", "\u00bc": "ẳ", "\u00bd": "ẵ", "\u00be": "ắ", "\u00c6": "ặ",
    "\u00c7": "ầ", "\u00c8": "ẩ", "\u00c9": "ẫ", "\u00ca": "ấ", "\u00cb": "ậ",
    "\u00cc": "è", "\u00ce": "ẻ", "\u00cf": "ẽ", "\u00d0": "é", "\u00d1": "ẹ",
    "\u00d2": "ề", "\u00d3": "ể", "\u00d4": "ễ", "\u00d5": "ế", "\u00d6": "ệ",
    "\u00d7": "ì", "\u00d8": "ỉ", "\u00dc": "ĩ", "\u00dd": "í", "\u00de": "ị",
    "\u00df": "ò", "\u00e1": "ỏ", "\u00e2": "õ", "\u00e3": "ó", "\u00e4": "ọ",
    "\u00e5": "ồ", "\u00e6": "ổ", "\u00e7": "ỗ", "\u00e8": "ố", "\u00e9": "ộ",
    "\u00ea": "ờ", "\u00eb": "ở", "\u00ec": "ỡ", "\u00ed": "ớ", "\u00ee": "ợ",
    "\u00ef": "ù", "\u00f1": "ủ", "\u00f2": "ũ", "\u00f3": "ú", "\u00f4": "ụ",
    "\u00f5": "ừ", "\u00f6": "ử", "\u00f7": "ữ", "\u00f8": "ứ", "\u00f9": "ự",
    "\u00fa": "ỳ", "\u00fb": "ỷ", "\u00fc": "ỹ", "\u00fd": "ý", "\u00fe": "ỵ",
}  # fmt: skip
# Upper-case letters that have their own code in VN3.
_TCVN3_UPPER = {
    "\u00a1": "Ă", "\u00a2": "Â", "\u00a3": "Ê", "\u00a4": "Ô", "\u00a5": "Ơ", "\u00a6": "Ư",
    "\u00a7": "Đ",
}  # fmt: skip
# Upper-case toned vowels of the full TCVN 5712 (VN1) table in the 0xA0-0xFF range; these codes
# are unused in VN3, so reading them does no harm.
_TCVN3_VN1_UPPER = {
    "\u00af": "Ằ", "\u00ba": "Ẳ", "\u00bf": "Ẵ", "\u00c0": "Ắ", "\u00c1": "Ầ", "\u00c2": "Ẩ",
    "\u00c3": "Ẫ", "\u00c4": "Ấ", "\u00c5": "Ề", "\u00cd": "Ể", "\u00d9": "Ễ", "\u00da": "Ế",
    "\u00db": "Ồ", "\u00e0": "Ổ", "\u00f0": "Ỗ", "\u00ff": "Ố",
}  # fmt: skip
_TCVN3_DECODE = {**_TCVN3_LOWER, **_TCVN3_UPPER, **_TCVN3_VN1_UPPER}

# --------------------------------------------------------------------------------------------
# VNI Windows ("VNI-Times")

_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"

# Mark byte -> (combining marks, base letters it may follow). Lower- and upper-case bytes mean
# the same mark; the case of the base letter decides the case of the result.
_VNI_TONE_BASES = "aeouyôöAEOUYÔÖ"
_VNI_MARKS: dict[str, tuple[str, str]] = {}
for _lower, _upper, _marks, _bases in (
    ("ø", "Ø", _GRAVE, _VNI_TONE_BASES),
    ("ù", "Ù", _ACUTE, _VNI_TONE_BASES),
    ("û", "Û", _HOOK, _VNI_TONE_BASES),
    ("õ", "Õ", _TILDE, _VNI_TONE_BASES),
    ("ï", "Ï", _DOT, _VNI_TONE_BASES),
    ("â", "Â", _CIRCUMFLEX, "aeoAEO"),
    ("à", "À", _CIRCUMFLEX + _GRAVE, "aeoAEO"),
    ("á", "Á", _CIRCUMFLEX + _ACUTE, "aeoAEO"),
    ("å", "Å", _CIRCUMFLEX + _HOOK, "aeoAEO"),
    ("ã", "Ã", _CIRCUMFLEX + _TILDE, "aeoAEO"),
    ("ä", "Ä", _CIRCUMFLEX + _DOT, "aeoAEO"),
    ("ê", "Ê", _BREVE, "aA"),
    ("è", "È", _BREVE + _GRAVE, "aA"),
    ("é", "É", _BREVE + _ACUTE, "aA"),
    ("ú", "Ú", _BREVE + _HOOK, "aA"),
    ("ü", "Ü", _BREVE + _TILDE, "aA"),
    ("ë", "Ë", _BREVE + _DOT, "aA"),
):
    _VNI_MARKS[_lower] = (_marks, _bases)
    _VNI_MARKS[_upper] = (_marks, _bases)

# Letters with a code of their own (they may still take a tone byte: "ôù" is ớ).
_VNI_SINGLE = {
    "ñ": "đ", "Ñ": "Đ", "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư",
    "æ": "ỉ", "Æ": "Ỉ", "ó": "ĩ", "Ó": "Ĩ", "ò": "ị", "Ò": "Ị", "î": "ỵ", "Î": "Ỵ",
}  # fmt: skip
# The same letter as a base for a following tone byte.
_VNI_SINGLE_BASE = {"ô": "o" + _HORN, "Ô": "O" + _HORN, "ö": "u" + _HORN, "Ö": "U" + _HORN}

# Characters that may carry legacy text; they count as letters when text is split into words.
_LEGACY_CHARS = frozenset(_TCVN3_DECODE) | frozenset(_VNI_MARKS) | frozenset(_VNI_SINGLE)

# Letters that exist only in Unicode Vietnamese, never in Windows-1252 legacy text.
_UNICODE_ONLY = frozenset("ăĂđĐĩĨũŨơƠưƯ") | frozenset(map(chr, range(0x1EA0, 0x1EFA)))


def _decode_tcvn3(text: str) -> str:
    return "".join(_TCVN3_DECODE.get(ch, ch) for ch in text)


def _decode_vni(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if ch in _VNI_SINGLE_BASE and nxt in _VNI_MARKS and ch in _VNI_MARKS[nxt][1]:
            marks = _VNI_MARKS[nxt][0]
            out.append(unicodedata.normalize("NFC", _VNI_SINGLE_BASE[ch] + marks))
            i += 2
        elif ch in _VNI_SINGLE:
            out.append(_VNI_SINGLE[ch])
            i += 1
        elif nxt in _VNI_MARKS and ch in _VNI_MARKS[nxt][1]:
            out.append(unicodedata.normalize("NFC", ch + _VNI_MARKS[nxt][0]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Case repair for TCVN3 (the ".VnTimeH" upper-case font and capitals of toned vowels)

_ASCII_UPPER = re.compile(r"[A-Z]")
_ASCII_LOWER = re.compile(r"[a-z]")
_WORD_SPLIT = re.compile(r"(\s+)")


def _upper_font(original: str) -> bool:
    """No lower-case ASCII letter, and a word with two ASCII capitals or a capital right after
    a lower-case letter code ("HéI", "¦íC"): the cell was written with ".VnTimeH"."""
    if _ASCII_LOWER.search(original) is not None:
        return False
    for word in original.split():
        if len(_ASCII_UPPER.findall(word)) >= 2:
            return True
        if any(a in _TCVN3_LOWER and "A" <= b <= "Z" for a, b in pairwise(word)):
            return True
    return False


# Lower-case codes of letters that have no capital code in VN3 (the toned vowels).
_TCVN3_NO_CAPITAL = frozenset(k for k, v in _TCVN3_LOWER.items() if v not in "ăâêôơưđ")


def _tcvn3_case(original: str, converted: str) -> str:
    if _upper_font(original):
        return converted.upper()
    pieces = _WORD_SPLIT.split(converted)
    originals = _WORD_SPLIT.split(original)
    # Words starting with a toned vowel: ".VnTime" had no code for their capital, so the writer
    # used the lower-case one.
    lowered = [
        k
        for k, (p, o) in enumerate(zip(pieces, originals, strict=True))
        if p and not p.isspace() and o[0] in _TCVN3_NO_CAPITAL
    ]
    if not lowered:
        return converted
    words = [k for k, p in enumerate(pieces) if p and not p.isspace()]
    others = [pieces[k] for k in words if k not in lowered and pieces[k][0].isalpha()]
    if others and all(p[0].isupper() for p in others):
        capitalise = lowered  # capitalised words, as in names: "Ngäc ¸nh" is "Ngọc Ánh"
    elif words[0] in lowered and any(ch.isupper() for ch in converted):
        capitalise = [words[0]]  # the start of a cell that has capitals: "Êp Hßa Lîi"
    else:
        return converted
    for k in capitalise:
        pieces[k] = pieces[k][0].upper() + pieces[k][1:]
    return "".join(pieces)


def convert(text: str, encoding: str) -> str:
    """Convert ``text`` typed in ``encoding`` ("tcvn3" or "vni") to Unicode NFC.

    Characters that are not part of the encoding (ASCII, digits, punctuation) are kept. Only
    convert text known (or detected with :func:`detect`) to be in that encoding: Unicode text
    run through it is damaged ("Thôn" read as VNI is "Thơn").
    """
    if encoding == TCVN3:
        # Characters outside the encoding's range are kept; the case rules need the
        # one-to-one character correspondence that TCVN3 gives.
        result = _tcvn3_case(text, _decode_tcvn3(text))
    elif encoding == VNI:
        result = _decode_vni(text)
    else:
        raise ValueError(f"unknown legacy encoding {encoding!r}")
    return unicodedata.normalize("NFC", result)


# --------------------------------------------------------------------------------------------
# Encoding (Unicode -> legacy), used to build test data and to check the tables


def _tcvn3_encode_table() -> dict[str, str]:
    table = {uni: code for code, uni in _TCVN3_LOWER.items()}
    table.update({uni: code for code, uni in _TCVN3_UPPER.items()})
    # Upper-case toned vowels: the lower-case code, as typed with ".VnTimeH".
    for code, uni in _TCVN3_LOWER.items():
        table.setdefault(uni.upper(), code)
    return table


_TCVN3_ENCODE = _tcvn3_encode_table()
_VNI_ENCODE_MARKS = {marks: lower for lower, (marks, _b) in _VNI_MARKS.items() if lower.islower()}
_VNI_ENCODE_SINGLE = {uni: code for code, uni in _VNI_SINGLE.items()}


def _encode_vni_char(ch: str) -> str:
    if ch in _VNI_ENCODE_SINGLE:
        return _VNI_ENCODE_SINGLE[ch]
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    if not marks or base.lower() not in "aeiouy":
        return ch
    upper = base.isupper()
    tone = "".join(m for m in marks if m in (_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT))
    shape = "".join(m for m in marks if m in (_CIRCUMFLEX, _BREVE, _HORN))
    if base.lower() == "i" or (base.lower() == "y" and tone == _DOT):
        return ch  # i-vowels and ỵ are single codes handled above; ì and í are the same bytes
    if shape == _HORN:
        stem = {"o": "ô", "u": "ö"}[base.lower()]
        stem = stem.upper() if upper else stem
        if not tone:
            return stem
        tone_code = _VNI_ENCODE_MARKS[tone]
        return stem + (tone_code.upper() if upper else tone_code)
    code = _VNI_ENCODE_MARKS.get(shape + tone)
    if code is None:
        return ch
    return base + (code.upper() if upper else code)


def encode(text: str, encoding: str) -> str:
    """Write Unicode ``text`` the way a TCVN3 or VNI font user typed it (the inverse of
    :func:`convert`, except that TCVN3 has no codes for capitals with a tone: the lower-case
    code is used, as with the ".VnTimeH" font)."""
    text = unicodedata.normalize("NFC", text)
    if encoding == TCVN3:
        return "".join(_TCVN3_ENCODE.get(ch, ch) for ch in text)
    if encoding == VNI:
        return "".join(_encode_vni_char(ch) for ch in text)
    raise ValueError(f"unknown legacy encoding {encoding!r}")


# --------------------------------------------------------------------------------------------
# Vietnamese syllables


def _rhymes() -> frozenset[str]:
    table: dict[str, tuple[str, ...]] = {
        "a": ("", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "o", "u", "y"),
        "ă": ("c", "m", "n", "ng", "p", "t"),
        "â": ("c", "m", "n", "ng", "p", "t", "u", "y"),
        "e": ("", "c", "m", "n", "ng", "p", "t", "o"),
        "ê": ("", "ch", "m", "n", "nh", "p", "t", "u"),
        "i": ("", "ch", "m", "n", "nh", "p", "t", "u", "a"),
        "y": ("",),
        "o": ("", "c", "m", "n", "ng", "p", "t", "i", "ong", "oc"),
        "ô": ("", "c", "m", "n", "ng", "p", "t", "i"),
        "ơ": ("", "m", "n", "p", "t", "i"),
        "u": ("", "c", "m", "n", "ng", "p", "t", "i", "a", "y"),
        "ư": ("", "c", "m", "n", "ng", "t", "i", "u", "a"),
        "iê": ("c", "m", "n", "ng", "p", "t", "u"),
        "yê": ("c", "m", "n", "ng", "p", "t", "u"),
        "uô": ("c", "m", "n", "ng", "t", "i"),
        "ươ": ("c", "m", "n", "ng", "p", "t", "i", "u"),
        "oa": ("", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "y"),
        "oă": ("c", "m", "n", "ng", "t"),
        "oe": ("", "n", "t", "o"),
        "uâ": ("n", "ng", "t", "y"),
        "uê": ("", "ch", "n", "nh"),
        "uy": ("", "ch", "n", "nh", "t", "p", "u", "a"),
        "uyê": ("n", "t"),
        "uơ": ("",),
    }
    return frozenset(nucleus + coda for nucleus, codas in table.items() for coda in codas)


_RHYMES = _rhymes()
_ONSETS = (
    "ngh ng nh ch gh gi kh ph th tr qu b c d đ g h k l m n p r s t v x".split()  # noqa: SIM905
)
_TONE_MARKS = {_GRAVE: 1, _HOOK: 2, _TILDE: 3, _ACUTE: 4, _DOT: 5}
_STOP_CODAS = ("c", "ch", "p", "t")


def is_vietnamese_syllable(word: str) -> bool:
    """Whether ``word`` (any case, NFC or NFD) is a well-formed Vietnamese syllable: an optional
    initial consonant, a valid rhyme and at most one tone mark, with the rule that a syllable
    ending in c, ch, p or t takes the sắc or nặng tone only."""
    tone = 0
    letters: list[str] = []
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TONE_MARKS:
            if tone:
                return False
            tone = _TONE_MARKS[ch]
        else:
            letters.append(ch)
    base = unicodedata.normalize("NFC", "".join(letters))
    if not base or not base.isalpha():
        return False
    candidates = [("", base)]
    candidates += [(o, base[len(o) :]) for o in _ONSETS if base.startswith(o)]
    for onset, rhyme in candidates:
        if rhyme not in _RHYMES:
            continue
        if onset == "qu" and rhyme.startswith("u"):
            continue
        if rhyme.endswith(_STOP_CODAS) and tone not in (0, 4, 5):
            continue
        if rhyme.endswith(_STOP_CODAS) and tone == 0:
            continue
        return True
    return False


# --------------------------------------------------------------------------------------------
# Detection

_MAX_SAMPLE_WORDS = 5000


def _words(text: str) -> list[str]:
    words: list[str] = []
    current: list[str] = []
    for ch in text:
        if ch.isalpha() or ch in _LEGACY_CHARS:
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def _looks_legacy_candidate(word: str) -> bool:
    return not word.isascii() and not any(ch in _UNICODE_ONLY for ch in word)


def _valid_word(word: str) -> bool:
    # A capital after a small letter inside one word ("NguyÔn") does not occur in Vietnamese.
    if any(a.islower() and b.isupper() for a, b in pairwise(word)):
        return False
    return is_vietnamese_syllable(word)


def _score(words: Counter[str], encoding: str) -> tuple[int, int, int]:
    """(gained, lost, informative): words that became valid syllables, that stopped being
    valid, and all words that conversion changes except those valid both before and after
    (they say nothing either way)."""
    gained = lost = informative = 0
    for word, count in words.items():
        after = convert(word, encoding)
        if after == word:
            continue
        before_ok, after_ok = _valid_word(word), _valid_word(after)
        if before_ok and after_ok:
            continue
        informative += count
        if after_ok:
            gained += count
        elif before_ok:
            lost += count
    return gained, lost, informative


def _sample_words(texts: Iterable[str]) -> Counter[str]:
    words: Counter[str] = Counter()
    total = 0
    for text in texts:
        if not isinstance(text, str) or text.isascii():
            continue
        for word in _words(text):
            if _looks_legacy_candidate(word):
                words[word] += 1
                total += 1
        if total >= _MAX_SAMPLE_WORDS:
            break
    return words


def detect(texts: Iterable[str]) -> str | None:
    """Return "tcvn3" or "vni" when the texts (a column or a sheet, a few hundred cells are
    plenty) look typed in that legacy encoding, otherwise None.

    Only words with a non-ASCII character and without a letter that exists only in Unicode
    Vietnamese are looked at. An encoding is chosen when converting makes clearly more of those
    words valid Vietnamese syllables than it breaks: at least two words gained, and (gained -
    lost) at least 40% of the words whose validity conversion changes or that stay invalid.
    A single word is never enough ("Où" would be VNI for "Ó").
    """
    words = _sample_words(texts)
    if not words:
        return None
    best: tuple[int, str] | None = None
    for encoding in ENCODINGS:
        gained, lost, informative = _score(words, encoding)
        if gained < 2 or (gained - lost) < 0.4 * informative:
            continue
        if best is None or gained - lost > best[0]:
            best = (gained - lost, encoding)
    return best[1] if best else None


def _valid_count(text: str) -> int:
    return sum(1 for w in _words(text) if _valid_word(w))


def convert_cell(text: str, encoding: str) -> str:
    """Convert one cell of a column detected as ``encoding``, unless the cell is Unicode
    Vietnamese already (a letter that only Unicode has) or conversion makes it worse."""
    if text.isascii() or any(ch in _UNICODE_ONLY for ch in text):
        return text
    converted = convert(text, encoding)
    if _valid_count(converted) < _valid_count(text):
        return text
    return converted


_SAMPLE_CELLS = 2000


def fix_table(rows: Sequence[list[Any]]) -> tuple[list[list[Any]], str | None]:
    """Detect the legacy encoding column by column and convert the string cells of each column
    found to be TCVN3 or VNI. Other values are left alone. The rows are changed in place and
    returned; the second value is the encoding found in most converted columns, or None."""
    width = max((len(r) for r in rows), default=0)
    found: Counter[str] = Counter()
    # A big table is sampled across its whole length (a column of ASCII would otherwise be
    # scanned to the end).
    step = max(1, len(rows) // (20 * _SAMPLE_CELLS))
    for col in range(width):
        sample: list[str] = []
        for row in rows[::step] if step > 1 else rows:
            if col < len(row):
                value = row[col]
                if isinstance(value, str) and not value.isascii():
                    sample.append(value)
                    if len(sample) >= _SAMPLE_CELLS:
                        break
        if not sample:
            continue
        encoding = detect(sample)
        if encoding is None:
            continue
        found[encoding] += 1
        for row in rows:
            if col < len(row):
                value = row[col]
                if isinstance(value, str) and not value.isascii():
                    row[col] = convert_cell(value, encoding)
    return list(rows), (found.most_common(1)[0][0] if found else None)
