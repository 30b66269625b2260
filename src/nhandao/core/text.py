"""Vietnamese text helpers: normalisation, search keys, personal names and collation.

Everything here is pure Python and works on any ``str``; nothing touches the database.

Collation (rules.md, "Names, sorting, money"): Vietnamese dictionary order compares text word by
word (syllable by syllable). Inside one word the letters are compared first, using the alphabet
``a ă â b c d đ e ê (f) g h i (j) k l m n o ô ơ p q r s t u ư v (w) x y (z)``; only when the
letters are equal does the tone decide, in the order none, huyền, hỏi, ngã, sắc, nặng. Upper and
lower case are equal. :func:`collation_key` turns a string into a plain ASCII key whose ordinary
string order (Python ``<``, or ``ORDER BY`` under a binary/"C" collation) is that order.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

__all__ = [
    "NameParts",
    "collation_key",
    "fold",
    "nfc",
    "person_sort_key",
    "person_sort_key_from_full",
    "split_name",
    "title_name",
]

# Invisible characters that creep in from copy-and-paste and spreadsheets; they are dropped.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# Control characters (NUL, which PostgreSQL refuses in text, and the like) are dropped too; those
# that are whitespace (tab, line breaks) become a space below.
_INVISIBLE.update(dict.fromkeys(c for c in [*range(0x20), 0x7F] if not chr(c).isspace()))


def nfc(s: str) -> str:
    """Return ``s`` in Unicode NFC, trimmed, with every run of whitespace turned into one space.

    Zero-width characters, the byte-order mark, soft hyphens and control characters are removed.
    """
    cleaned = unicodedata.normalize("NFC", s.translate(_INVISIBLE))
    return " ".join(cleaned.split())


def fold(s: str) -> str:
    """Return the search and record-linkage key of ``s``.

    Lower case, without diacritics, ``đ`` read as ``d``; letters and digits are kept, any other
    character (punctuation, symbols) becomes a space, and spaces are collapsed:
    ``fold("Nguyễn Thị Đào") == "nguyen thi dao"``.
    """
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", nfc(s).casefold()):
        if unicodedata.combining(ch):
            continue
        if ch == "đ":
            out.append("d")
        elif ch.isalnum():
            out.append(ch)
        else:
            out.append(" ")
    return unicodedata.normalize("NFC", " ".join("".join(out).split()))


def title_name(s: str) -> str:
    """Capitalise every syllable of a Vietnamese personal name, lower-casing the other letters.

    ``title_name("nguyễn thị đào") == title_name("NGUYỄN THỊ ĐÀO") == "Nguyễn Thị Đào"``. The
    text is normalised with :func:`nfc` first, so decomposed input gives composed capitals. A letter
    after any character that is neither a letter nor a digit (a hyphen, an apostrophe) also starts
    a part: ``title_name("h'hen niê") == "H'Hen Niê"``.
    """
    out: list[str] = []
    starts_part = True
    for ch in nfc(s):
        if ch.isalpha():
            if starts_part:
                upper = ch.upper()
                out.append(upper if len(upper) == 1 else ch)
            else:
                out.append(ch.lower())
            starts_part = False
        else:
            out.append(ch)
            if not unicodedata.combining(ch):
                starts_part = not ch.isalnum()
    return "".join(out)


@dataclass(frozen=True)
class NameParts:
    """A personal name split into family name (họ), middle name (đệm) and given name (tên)."""

    family: str
    middle: str
    given: str
    full: str


def split_name(full: str) -> NameParts:
    """Split a full name as written into family, middle and given name.

    The rule is deliberately simple and predictable: after :func:`nfc`, the first word is the
    family name, the last word is the given name and whatever lies between is the middle name. A
    single word is a given name only. Compound family names ("Tôn Thất", "Tôn Nữ", "Công Tôn") and
    two-word given names are not guessed: the first word alone is taken as the family name and the
    rest of the compound lands in the middle name, which keeps sorting by given name correct. Users
    correct the parts by hand where it matters. Letter case is kept as written.
    """
    normalized = nfc(full)
    words = normalized.split(" ") if normalized else []
    if not words:
        return NameParts(family="", middle="", given="", full="")
    if len(words) == 1:
        return NameParts(family="", middle="", given=words[0], full=normalized)
    return NameParts(
        family=words[0],
        middle=" ".join(words[1:-1]),
        given=words[-1],
        full=normalized,
    )


# --------------------------------------------------------------------------------------------
# Collation

_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"

# The Vietnamese alphabet, with the Latin letters it lacks (f, j, w, z) in their Latin places.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_VOWELS = frozenset("aăâeêioôơuưy")

# Combining marks (NFD) that turn a base letter into another letter of the alphabet.
_BREVE, _CIRCUMFLEX, _HORN = "\u0306", "\u0302", "\u031b"
_MODIFIED: dict[tuple[str, str], str] = {
    ("a", _BREVE): "ă",
    ("a", _CIRCUMFLEX): "â",
    ("e", _CIRCUMFLEX): "ê",
    ("o", _CIRCUMFLEX): "ô",
    ("o", _HORN): "ơ",
    ("u", _HORN): "ư",
}
# Tone marks in collation order: huyền, hỏi, ngã, sắc, nặng (no mark comes first).
_TONES: dict[str, int] = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def _code(index: int) -> str:
    """Two base-36 characters for a symbol index; ASCII order of codes follows index order."""
    return _B36[index // 36] + _B36[index % 36]


# Symbol indices, ascending: field separator < word separator < tones < digits < letters < other.
_FIELD_SEP = _code(0)
_WORD_SEP = _code(1)
_TONE_CODES = [_code(2 + i) for i in range(6)]
_DIGIT_CODES = {d: _code(8 + i) for i, d in enumerate("0123456789")}
_LETTER_CODES = {letter: _code(18 + i) for i, letter in enumerate(_ALPHABET)}
_OTHER = _code(36 * 36 - 1)  # "zz", followed by four base-36 digits of the code point


def _other_code(ch: str) -> str:
    n = ord(ch)
    digits = ""
    for _ in range(4):
        n, r = divmod(n, 36)
        digits = _B36[r] + digits
    return _OTHER + digits


class _Word:
    __slots__ = ("letters", "tone")

    def __init__(self) -> None:
        self.letters: list[str] = []
        self.tone = 0

    def key(self) -> str:
        parts = [
            _LETTER_CODES.get(ch) or _DIGIT_CODES.get(ch) or _other_code(ch) for ch in self.letters
        ]
        return "".join(parts) + _TONE_CODES[self.tone]


def _words(s: str) -> list[_Word]:
    words: list[_Word] = []
    current = _Word()
    for ch in unicodedata.normalize("NFD", nfc(s).casefold()):
        if unicodedata.combining(ch):
            if not current.letters:
                continue
            last = current.letters[-1]
            modified = _MODIFIED.get((last, ch))
            if modified is not None:
                current.letters[-1] = modified
            elif ch in _TONES and last in _VOWELS and current.tone == 0:
                current.tone = _TONES[ch]
            # Any other mark (foreign accents such as ü, ç, ñ) is ignored.
        elif ch.isalnum():
            current.letters.append(ch)
        elif current.letters:
            words.append(current)
            current = _Word()
    if current.letters:
        words.append(current)
    return words


def collation_key(s: str) -> str:
    """Return an ASCII key (digits and lower-case letters only) that sorts ``s`` the Vietnamese way.

    Word by word: within a word the letters decide first, then the tone of the syllable; a shorter
    text that is a prefix of a longer one comes first ("An" < "An Bình" < "Anh"). Case does not
    matter. Punctuation separates words and is otherwise ignored. Keys compare correctly with plain
    string comparison and under a binary ("C") database collation. Every letter takes two
    characters, every word two more for its tone; letters outside the Vietnamese and Latin
    alphabets are placed after ``z`` in code-point order.

    >>> sorted(["Hạ", "Há", "Ha", "Hả", "Hà", "Hã"], key=collation_key)
    ['Ha', 'Hà', 'Hả', 'Hã', 'Há', 'Hạ']
    """
    return _WORD_SEP.join(word.key() for word in _words(s))


# Sorts after every date written as YYYYMMDD, so people without a date of birth come last.
_NO_BIRTH = "99999999"


def person_sort_key(*, given: str, middle: str, family: str, birth: date | None = None) -> str:
    """Return the sort key for lists of people (rules.md): given name, then middle name, then
    family name, each in Vietnamese collation, then date of birth (people without one last).

    The parts are joined with a separator that sorts below every letter, word separator and tone,
    so that a shorter name part always comes before a longer one that starts with it.
    """
    birth_part = _NO_BIRTH if birth is None else f"{birth.year:04d}{birth.month:02d}{birth.day:02d}"
    return _FIELD_SEP.join(
        (collation_key(given), collation_key(middle), collation_key(family), birth_part)
    )


def person_sort_key_from_full(full: str, birth: date | None = None) -> str:
    """:func:`person_sort_key` for a full name, split with :func:`split_name`."""
    parts = split_name(full)
    return person_sort_key(given=parts.given, middle=parts.middle, family=parts.family, birth=birth)


# Text the application itself writes into records (fund and campaign names, ledger texts, notes,
# letters to donors) is in Vietnamese whatever the language of the user's pages: others read it
# later, in print and on the public portal. Write it under
# ``translation.override(STORED_LANGUAGE)``.
STORED_LANGUAGE = "vi"
