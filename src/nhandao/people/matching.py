"""The instant duplicate check at data entry: indexed blocking keys find candidates, a small score
explains how alike they are. (Batch linkage over a whole registry lives in the linkage app.)"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rapidfuzz.distance import Levenshtein
from rapidfuzz.fuzz import token_sort_ratio

from .models import Person

CANDIDATE_LIMIT = 40
SHOW_THRESHOLD = 0.5
# Each blocking key is looked up on its own index with its own limit (strongest keys first): a
# common name cannot crowd out the rows that share the draft's ID or phone, and no lookup reads
# more than its limit whatever the registry's size.
KEY_LIMITS: tuple[tuple[str, int], ...] = (
    ("id_number", 10),
    ("legacy_id", 10),
    ("phone", 20),
    ("key_name_year", CANDIDATE_LIMIT),
    ("key_given_ward", CANDIDATE_LIMIT),
    ("name_key", CANDIDATE_LIMIT),
)
SCORED_COLUMNS = (
    "id",
    "unit_id",
    "full_name",
    "name_key",
    "birth_date",
    "birth_precision",
    "id_number",
    "legacy_id",
    "phone",
    "ward_id",
)


@dataclass
class Match:
    person: Person
    score: float  # 0..1
    reasons: list[str] = field(default_factory=list)


def blocking_filter(values: dict[str, Any]) -> Q | None:
    """Candidates share at least one indexed key with the draft."""
    q = Q()
    used = False
    for key in ("id_number", "legacy_id", "phone", "key_name_year", "key_given_ward"):
        value = values.get(key)
        if value and not value.endswith("|"):
            q |= Q(**{key: value})
            used = True
    if values.get("name_key"):
        q |= Q(name_key=values["name_key"])
        used = True
    return q if used else None


def key_lookups(values: dict[str, Any]) -> list[tuple[str, str, int]]:
    """(column, value, limit) of each blocking key the draft has."""
    out = []
    for key, limit in KEY_LIMITS:
        value = values.get(key)
        if value and not str(value).endswith("|"):
            out.append((key, str(value), limit))
    return out


def candidates(values: dict[str, Any], *, exclude_pk: Any = None) -> list[Person]:
    """Current records sharing a blocking key with the draft, in the whole registry (the caller
    applies the scope): one statement, a UNION ALL of one limited index lookup per key. The rows
    are unsaved-looking :class:`Person` objects with the scored columns only (and ``pk``)."""
    lookups = key_lookups(values)
    if not lookups:
        return []
    table = connection.ops.quote_name(Person._meta.db_table)
    cols = ", ".join(SCORED_COLUMNS)
    parts: list[str] = []
    params: list[Any] = []
    for i, (key, value, limit) in enumerate(lookups):
        where = f"{key} = %s AND merged_into_id IS NULL"
        params.append(value)
        if exclude_pk is not None:
            where += " AND id <> %s"
            params.append(int(exclude_pk))
        parts.append(
            f"SELECT * FROM (SELECT {cols} FROM {table} WHERE {where} LIMIT {limit:d}) k{i}"  # noqa: S608
        )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    found: dict[int, Person] = {}
    for row in rows:
        if row[0] in found:
            continue
        person = Person(**dict(zip(SCORED_COLUMNS, row, strict=True)))
        if isinstance(person.birth_date, str):  # SQLite returns dates as text
            person.birth_date = dt.date.fromisoformat(person.birth_date)
        found[row[0]] = person
    return list(found.values())


# While the clerk has typed a name and picked the commune but no birth date yet, a record of
# the same name in the same commune (0.35 + 0.1) is worth showing: the one likely to be
# entered twice. Only the check as one types uses it (a list's rows are complete).
UNDATED_DRAFT_THRESHOLD = 0.45


def rank(values: dict[str, Any], people: list[Person]) -> list[Match]:
    """The candidates worth showing (score at least SHOW_THRESHOLD, or
    UNDATED_DRAFT_THRESHOLD for a draft without its birth date yet), best first."""
    # (0.35 + 0.1 is 0.44999999999999996 in floating point: the undated floor allows for it.)
    floor = SHOW_THRESHOLD if values.get("birth_date") else UNDATED_DRAFT_THRESHOLD - 1e-9
    matches = [score(values, p) for p in people]
    return sorted((m for m in matches if m.score >= floor), key=lambda m: -m.score)


def score(values: dict[str, Any], person: Person) -> Match:
    reasons: list[str] = []
    name_key = values.get("name_key", "")
    # The same key (most pairs a name blocks on) needs no fuzzy comparison.
    name_sim = (
        1.0 if name_key == person.name_key else token_sort_ratio(name_key, person.name_key) / 100
    )
    if name_sim >= 0.999:
        reasons.append(_("trùng họ tên"))
    elif name_sim >= 0.85:
        reasons.append(_("họ tên gần giống (%d%%)") % round(name_sim * 100))
    points = _other_points(0.35 * name_sim, values, person, reasons)
    return Match(person=person, score=max(0.0, min(1.0, points)), reasons=reasons)


def score_bound(values: dict[str, Any], person: Any) -> float:
    """The most ``score(values, person).score`` can be: every part but the name computed as
    ``score`` does (in the same order, so the same floating-point sums), the name counted as
    the same. Cheap: no fuzzy comparison, no reasons. Float addition is monotonic, so a pair
    whose bound is under a threshold scores under it."""
    return max(0.0, min(1.0, _other_points(0.35, values, person, None)))


# The reasons of a score, translated only when they are shown (``score_bound`` names none).
_SAME_YEAR = gettext_noop("trùng năm sinh")
_SAME_DAY = gettext_noop("trùng ngày sinh")
_DAY_MONTH_SWAPPED = gettext_noop("ngày sinh đảo ngày/tháng")
_SAME_ID = gettext_noop("trùng số CCCD")
_ID_ONE_DIGIT_OFF = gettext_noop("số CCCD lệch một chữ số")
_SAME_LEGACY_ID = gettext_noop("trùng số CMND")
_SAME_PHONE = gettext_noop("trùng số điện thoại")
_SAME_WARD = gettext_noop("cùng xã/phường")


def _ignore(_reason: str) -> None:
    pass


def _other_points(
    points: float, values: dict[str, Any], person: Any, reasons: list[str] | None
) -> float:
    """``points`` (the name's part) plus the parts of birth date, IDs, phone and commune, with
    their reasons, translated, added to ``reasons`` (unless None: then nothing is translated)."""
    birth, other = values.get("birth_date"), person.birth_date
    precise = values.get("birth_precision") == "day" and person.birth_precision == "day"
    why = _ignore if reasons is None else (lambda message: reasons.append(_(message)))
    if birth and other and not precise:
        # A year (or month) only: agreement on the year is all the evidence there is.
        if birth.year == other.year:
            points += 0.15
            why(_SAME_YEAR)
        else:
            points -= 0.2
    elif birth and other:
        # Both full dates: two different days of one year are weak evidence (a namesake born
        # the same year is common in a national registry), a slip in the day or the month alone
        # a little more, day and month swapped is the classic entry error.
        if birth == other:
            points += 0.25
            why(_SAME_DAY)
        elif (birth.day, birth.month, birth.year) == (other.month, other.day, other.year):
            points += 0.15
            why(_DAY_MONTH_SWAPPED)
        elif birth.year == other.year:
            if birth.month == other.month or birth.day == other.day:
                points += 0.1
                why(_SAME_YEAR)
        else:
            points -= 0.2
    ident, other_id = values.get("id_number"), person.id_number
    if ident and other_id:
        if ident == other_id:
            points += 0.45
            why(_SAME_ID)
        elif Levenshtein.distance(ident, other_id, score_cutoff=1) == 1:
            points += 0.25
            why(_ID_ONE_DIGIT_OFF)
        else:
            points -= 0.4
    if values.get("legacy_id") and values["legacy_id"] == person.legacy_id:
        points += 0.3
        why(_SAME_LEGACY_ID)
    if values.get("phone") and values["phone"] == person.phone:
        points += 0.2
        why(_SAME_PHONE)
    if values.get("ward_id") and values["ward_id"] == person.ward_id:
        points += 0.1
        why(_SAME_WARD)
    return points


BLOCKING_KEYS = ("id_number", "legacy_id", "phone", "key_name_year", "key_given_ward", "name_key")
PERSON_FIELDS = (
    "full_name",
    "name_key",
    "birth_date",
    "birth_precision",
    "id_number",
    "legacy_id",
    "phone",
    "ward_id",
)


class BatchIndex:
    """The same check inside one list being imported: each row against the rows before it."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, str], list[tuple[int, Person]]] = {}

    def best(self, values: dict[str, Any]) -> tuple[int, Match] | None:
        seen: set[int] = set()
        best: tuple[int, Match] | None = None
        for key in BLOCKING_KEYS:
            value = values.get(key)
            if not value or str(value).endswith("|"):
                continue
            for row, person in self._by_key.get((key, str(value)), []):
                if row in seen:
                    continue
                seen.add(row)
                match = score(values, person)
                if best is None or match.score > best[1].score:
                    best = (row, match)
        return best

    def add(self, row: int, values: dict[str, Any]) -> None:
        person = Person(
            **{
                f: values.get(f) or ("" if f != "birth_date" and f != "ward_id" else None)
                for f in PERSON_FIELDS
            }
        )
        for key in BLOCKING_KEYS:
            value = values.get(key)
            if value and not str(value).endswith("|"):
                self._by_key.setdefault((key, str(value)), []).append((row, person))
