"""The name key of the public donations search, the same in Python and in the database.

``fold_name("Nguyễn Văn Ấn") == "nguyen van an"``: every Vietnamese letter with marks (upper and
lower case, and ``Đ``/``đ``) becomes its plain lower-case letter and A–Z become a–z; every other
character stays as it is. It is one character-for-character table, so the database computes the
very same key with ``translate`` in the SQL function ``nhandao_fold(text)`` (created by the
portal's migration on PostgreSQL, where an index on it serves prefix search in byte order;
registered per connection on SQLite), and a query's prefix folded here matches the indexed key.
Donor names are stored in NFC with single spaces (``funds.services``), so no other normalisation
is needed on the column side.

Changing ``FOLD_FROM``/``FOLD_TO`` needs a new migration that replaces the SQL function and
rebuilds its index.
"""

from __future__ import annotations

import unicodedata
from typing import Any

# The marks Vietnamese letters carry: five tones, circumflex, breve, horn.
_VIETNAMESE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")


def _table() -> tuple[str, str]:
    """Every precomposed Vietnamese vowel with marks (both cases) → its plain lower-case vowel,
    Đ/đ → d, and A–Z → a–z: one ``translate`` does the whole key, in Python and in SQL."""
    src: list[str] = []
    dst: list[str] = []
    for code in range(0xC0, 0x1F00):
        ch = chr(code)
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        if marks and base.lower() in "aeiouy" and set(marks) <= _VIETNAMESE_MARKS:
            src.append(ch)
            dst.append(base.lower())
    src += ["Đ", "đ", *map(chr, range(ord("A"), ord("Z") + 1))]
    dst += ["d", "d", *map(chr, range(ord("a"), ord("z") + 1))]
    return "".join(src), "".join(dst)


FOLD_FROM, FOLD_TO = _table()
_MAP = str.maketrans(FOLD_FROM, FOLD_TO)
SQL_FUNCTION = "nhandao_fold"


def fold_name(text: str) -> str:
    """The search key of a name (see the module's text): marks dropped, ASCII lower-cased."""
    return unicodedata.normalize("NFC", text or "").translate(_MAP)


def register_sqlite(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: give SQLite the ``nhandao_fold`` function."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            SQL_FUNCTION, 1, lambda s: None if s is None else fold_name(s), deterministic=True
        )
