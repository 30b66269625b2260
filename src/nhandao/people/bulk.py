"""The person registry for imports of many rows at once: the same checks, keys and duplicate
score as ``services.person_check`` and ``matching``, done set-based.

* :class:`PersonChecker` checks many people with every pure per-value step (name casing, split,
  fold and collation, date, phone, CMND) computed once per distinct value; a row any check refuses
  goes through ``services.person_check`` itself, so its messages are the service's.
* :class:`InFileIndex` finds the same person twice in one list by hash blocking on the matching
  keys, scored by ``matching.score``.
* :func:`registry_candidates` joins a staging table of blocking keys against the registry in one
  query and scores the pairs; :func:`insert_people` writes every staged person with one
  ``INSERT … SELECT``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from rapidfuzz.distance import Levenshtein

from nhandao.core.dates import InvalidDate, parse_date
from nhandao.core.errors import ApplicationError
from nhandao.core.idnumber import CITIZEN_ID_LENGTH, check_citizen_id, check_legacy_id
from nhandao.core.phone import InvalidPhone, normalize_phone
from nhandao.core.text import collation_key, fold, nfc, person_sort_key, title_name
from nhandao.imports import sql

from . import matching, services
from .models import Person, Sex

_MISS = object()
NAME_MAX = services.NAME_MAX


@functools.cache
def _sort_sep() -> str:
    """The separator ``person_sort_key`` puts between its parts (it joins three collation keys
    and the birth part: with empty names and no birth, the separator three times, then
    "99999999")."""
    seps = person_sort_key(given="", middle="", family="", birth=None).removesuffix("99999999")
    sep = seps[: len(seps) // 3]
    probe = person_sort_key(given="a", middle="b c", family="d", birth=None)
    if (
        not sep
        or sep * 3 != seps
        or probe
        != sep.join((collation_key("a"), collation_key("b c"), collation_key("d"), "99999999"))
    ):
        raise ImproperlyConfigured("person_sort_key changed its layout; update people.bulk.")
    return sep


def birth_display(birth: dt.date | None, precision: str) -> str:
    if birth is None:
        return ""
    if precision == "year":
        return f"{birth.year}"
    if precision == "month":
        return f"{birth:%m/%Y}"
    return f"{birth:%d/%m/%Y}"


@dataclass
class PersonRow:
    """One person of a list as written (cells already NFC, trimmed, whitespace collapsed, as the
    import reader gives them)."""

    full_name: str
    birth: Any = None  # text, Excel serial, date
    sex: str = ""
    id_number: str = ""
    legacy_id: str = ""
    phone: str = ""
    ward_id: int | None = None
    address_detail: str = ""
    address_original: str = ""
    source_ref: str = ""


@dataclass
class CheckResult:
    values: dict[str, Any]  # person_check's values (with keys); empty when refused
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field, message)
    warnings: list[str] = field(default_factory=list)


class PersonChecker:
    """``services.person_check`` for many rows, memoised per distinct value, with the communes
    held in memory. Create one per import job."""

    def __init__(self) -> None:
        from nhandao.geo.models import Ward

        self.wards = set(Ward.objects.values_list("code", flat=True))
        self.sexes = frozenset(Sex.values)
        self.sep = _sort_sep()
        self.names: dict[str, Any] = {}
        self.titles: dict[str, str] = {}
        self.folds: dict[str, str] = {}
        self.colls: dict[str, str] = {}
        self.ids: dict[tuple[Any, ...], Any] = {}
        self.births: dict[Any, Any] = {}
        self.phones: dict[str, str] = {}
        self.legacy: dict[str, str] = {}

    def _name(self, raw: str) -> tuple[Any, ...] | None:
        """``title_name``, ``split_name``, ``fold`` and ``collation_key`` of a full name, word by
        word (each is computed per character, with words separated by a space, so a name's
        value is its words' values joined), memoised per word."""
        words = nfc(raw).split(" ")
        titles, folds, colls = self.titles, self.folds, self.colls
        titled: list[str] = []
        for word in words:
            title = titles.get(word)
            if title is None:
                title = titles[word] = title_name(word)
            titled.append(title)
        full = " ".join(titled)
        if len(full) < 2 or len(full) > NAME_MAX:
            return None
        if not full.replace(" ", "").isalpha() and (
            any(c in full for c in "<>{}") or any(c.isdigit() for c in full)
        ):
            return None
        if len(titled) == 1:
            family, middle, given = "", "", titled[0]
        else:
            family, middle, given = titled[0], " ".join(titled[1:-1]), titled[-1]
        folded: list[str] = []
        for word in titled:
            key = folds.get(word)
            if key is None:
                key = folds[word] = fold(word)
            if key:
                folded.append(key)
        keys: list[str] = []
        for part in (given, middle, family):
            key = colls.get(part)
            if key is None:
                key = colls[part] = collation_key(part)
            keys.append(key)
        given_key = folds.get(given)
        if given_key is None:
            given_key = folds[given] = fold(given)
        return (full, family, middle, given, " ".join(folded), given_key, tuple(keys))

    @staticmethod
    def _birth(value: Any) -> Any:
        try:
            return parse_date(value)
        except InvalidDate:
            return None

    @staticmethod
    def _phone(raw: str) -> str:
        try:
            return normalize_phone(raw)
        except InvalidPhone:
            return ""

    @staticmethod
    def _legacy(raw: str) -> str:
        result = check_legacy_id(raw)
        return "" if result.errors else result.normalized

    def check(self, row: PersonRow) -> CheckResult:
        """The checks of ``person_check``, in its order; on any refusal the service decides."""
        name = self.names.get(row.full_name, _MISS)
        if name is _MISS:
            name = self.names[row.full_name] = self._name(row.full_name)
        birth_in = row.birth
        birth = None
        if birth_in:
            birth = self.births.get(birth_in, _MISS)
            if birth is _MISS:
                birth = self.births[birth_in] = self._birth(birth_in)
        ok = name is not None and (birth is not None or not birth_in)
        sex = row.sex if row.sex in self.sexes else ""
        warnings: list[str] = []
        id_number = legacy_id = phone = ""
        if ok and row.id_number.strip():
            day = birth is not None and birth.precision == "day"
            birth_date = birth.value if day else None  # type: ignore[union-attr]
            birth_year = birth.year if birth and not day else None
            number = row.id_number
            if len(number) == 12 and number.isascii() and number.isdigit():
                # A well-formed number is judged on its first six digits (province, century
                # and sex, year) against the declared year and sex: checked once per such key.
                id_key: tuple[Any, ...] = (number[:6], birth.year if birth else None, sex)
            else:
                id_key = (number, birth_date, birth_year, sex)
            result = self.ids.get(id_key)
            if result is None:
                result = self.ids[id_key] = check_citizen_id(
                    number, birth_date=birth_date, birth_year=birth_year, sex=sex or None
                )
            ok = not result.errors
            warnings = list(result.warnings)
            id_number = number if len(id_key) == 3 else result.normalized
        if ok and row.legacy_id.strip():
            legacy_id = self.legacy.get(row.legacy_id, "\0")
            if legacy_id == "\0":
                legacy_id = self.legacy[row.legacy_id] = self._legacy(row.legacy_id)
            ok = bool(legacy_id)
        if ok and row.phone.strip():
            phone = self.phones.get(row.phone, "\0")
            if phone == "\0":
                phone = self.phones[row.phone] = self._phone(row.phone)
            ok = bool(phone)
        ward_id = row.ward_id
        if ok and ward_id is not None and ward_id not in self.wards:
            ok = False
        if not ok:
            return self._slow(row)
        full, family, middle, given, name_key, given_key, coll = name  # type: ignore[misc]
        birth_date = birth.value if birth else None
        birth_part = (
            "99999999"
            if birth_date is None
            else f"{birth_date.year:04d}{birth_date.month:02d}{birth_date.day:02d}"
        )
        values = {
            "full_name": full,
            "family_name": family,
            "middle_name": middle,
            "given_name": given,
            "birth_date": birth_date,
            "birth_precision": str(birth.precision) if birth else "",
            "sex": sex,
            "id_number": id_number,
            "legacy_id": legacy_id,
            "phone": phone,
            "ward_id": ward_id,
            "address_detail": row.address_detail[:255],
            "address_original": row.address_original[:500],
            "source_ref": row.source_ref[:120],
            "name_key": name_key,
            "sort_key": self.sep.join((*coll, birth_part)),
            "key_name_year": f"{name_key}|{birth_date.year if birth_date else ''}",
            "key_given_ward": f"{given_key}|{ward_id}" if ward_id else "",
        }
        return CheckResult(values=values, warnings=warnings)

    @staticmethod
    def _slow(row: PersonRow) -> CheckResult:
        data = services.PersonData(
            full_name=row.full_name,
            birth=row.birth or None,
            sex=row.sex,
            id_number=row.id_number,
            legacy_id=row.legacy_id,
            phone=row.phone,
            ward_id=row.ward_id,
            address_detail=row.address_detail,
            address_original=row.address_original,
            source_ref=row.source_ref,
        )
        try:
            checked = services.person_check(data)
        except ApplicationError as exc:
            return CheckResult(values={}, errors=[(exc.field or "full_name", exc.message)])
        return CheckResult(values=checked.values, warnings=list(checked.warnings))


# ------------------------------------------------------------------------------------------------
# The same person twice in one list


class _Rec:
    """The person side of ``matching.score``, without a model instance."""

    __slots__ = (
        "birth_date",
        "birth_precision",
        "id_number",
        "keys",
        "legacy_id",
        "name_key",
        "phone",
        "ward_id",
    )

    def __init__(self, v: dict[str, Any]) -> None:
        # The index keys the row was filed under, kept for rows with a citizen ID only (the only
        # ones a near-ID lookup finds).
        self.keys: list[tuple[Any, ...]] | None = None
        self.name_key = v.get("name_key") or ""
        self.birth_date = v.get("birth_date")
        self.birth_precision = v.get("birth_precision") or ""
        self.id_number = v.get("id_number") or ""
        self.legacy_id = v.get("legacy_id") or ""
        self.phone = v.get("phone") or ""
        self.ward_id = v.get("ward_id") or None


# The most a pair scores when one side has no birth date and the two share no citizen ID, CMND
# or phone, and not both have citizen IDs: 0.35 (same name) + 0.1 (same commune).
UNDATED_BOUND = 0.45
# The most a pair of the same name and birth year scores when the two share no citizen ID, CMND
# or phone, not both have citizen IDs, and they are neither of the same commune nor born on
# the same day (both dates to the day): 0.35 (same name) + 0.15 (same year, or day and month
# swapped).
SAME_NAME_YEAR_BOUND = 0.5
# A stage kept for two citizen IDs one digit apart reads its bucket row by row while the bucket
# is this small; a larger one (a common name: thousands of rows at a million) is answered by
# looking up the 108 numbers one digit off the row's own.
NEAR_SCAN_MAX = 48
# The share of a people list a validation job parses itself (``ListSpec.parent_share``): the
# in-file check it also runs costs about as much per row as parsing at a million rows (24 against
# 23-30 µs measured), so the forked process parses nine rows in ten.
PEOPLE_PARENT_SHARE = 0.1
_DIGITS = "0123456789"


def _plain_id(ident: str) -> bool:
    """A citizen ID as the checks leave it: 12 ASCII digits."""
    return len(ident) == CITIZEN_ID_LENGTH and ident.isascii() and ident.isdigit()


class InFileIndex:
    """Each row against the rows before it, blocked on the matching keys and scored by
    ``matching.score``. Name-only and given-name + commune candidates are kept to the same birth
    year (or a missing one): with different years a pair scores at most
    0.35 + 0.25 + 0.1 - 0.2 = 0.5, under the in-file threshold, unless it shares a citizen ID,
    CMND or phone, which are blocked on too. So the candidate pairs grow with the list, not with
    the square of a common name's count.

    ``floor``: the caller keeps a best match only if it scores at least this. A pair where one
    side has no birth date and that shares no citizen ID, CMND or phone (a pair that does is in
    those buckets, probed first) scores at most ``UNDATED_BOUND`` = 0.35 (name) + 0.1 (commune),
    more only with two citizen IDs one digit apart. Above that floor, a row without a citizen
    ID is therefore not compared with the rows of its name or given name and commune that have
    no birth date (or with any of them, when it has none itself): the best match at or above
    the floor, and which row it is, are the same, without each undated row of a common name
    being scored against every earlier namesake (the square of the name's count). Likewise, a
    row without a citizen ID is compared, among the earlier rows of its name and birth year, only
    with those of its commune and those born the same day (``SAME_NAME_YEAR_BOUND``): a common
    name and year held tens of rows each at a million rows, ten pairs a row in all."""

    def __init__(self, floor: float = 0.0) -> None:
        # A key's rows: one entry (row, record) as it is, or a list of them once there are
        # several (most keys, an ID, a phone, a name and a day, hold one row: a list each would
        # be millions of lists for a million-row list).
        self._buckets: dict[tuple[Any, ...], Any] = {}
        self.floor = floor
        self.pairs = 0  # candidates looked at
        self.scored = 0  # of them, scored in full
        # Every citizen ID filed so far has 12 ASCII digits (the checked ones always do): then two
        # IDs one edit apart differ in one digit, and the lookup by the numbers one digit off
        # finds them all. Otherwise the stages read their buckets row by row.
        self._plain_ids = True

    def _near_ids(self, ident: str) -> list[tuple[int, _Rec]]:
        """The earlier rows whose citizen ID is one digit off ``ident`` (a plain one), in row
        order."""
        buckets = self._buckets
        found: list[tuple[int, _Rec]] = []
        for i in range(len(ident)):
            head, own, tail = ident[:i], ident[i], ident[i + 1 :]
            for digit in _DIGITS:
                if digit != own:
                    held = buckets.get(("i", head + digit + tail))
                    if type(held) is list:
                        found += held
                    elif held is not None:
                        found.append(held)
        found.sort(key=itemgetter(0))
        return found

    def check(self, row: int, values: dict[str, Any]) -> tuple[int, matching.Match] | None:
        """The best earlier row for ``values`` (or None); then ``values`` joins the index."""
        # Stages in order: (keys, near) where the candidates of a stage of several keys are
        # merged in row order (the order of the one bucket they stand for), and ``near`` says
        # the stage is there only for pairs with two citizen IDs one digit apart.
        stages: list[tuple[tuple[tuple[Any, ...], ...], bool]] = []
        add: list[tuple[Any, ...]] = []
        ident = values.get("id_number") or ""
        for tag, name in (("i", "id_number"), ("l", "legacy_id"), ("p", "phone")):
            if value := values.get(name):
                stages.append((((tag, value),), False))
                add.append((tag, value))
        birth = values.get("birth_date")
        year = birth.year if birth else None
        # Above each bound, the stages it names are needed only for two citizen IDs one digit
        # apart (any other pair in them scores under the floor, or shares an ID, a CMND or a
        # phone and was scored in those stages): only rows with an ID are kept in those buckets
        # and only a row with an ID looks there.
        all_years = self.floor <= SAME_NAME_YEAR_BOUND
        all_undated = self.floor <= UNDATED_BOUND
        any_year = all_years or bool(ident)  # the all-year stage and its bucket
        undated = all_undated or bool(ident)  # the undated stages and their buckets
        if year:
            name_year = values["key_name_year"]
            if any_year:
                add.append(("y", name_year))
            ward = values.get("ward_id")
            day = birth if values.get("birth_precision") == "day" else None
            if ward:
                add.append(("yw", name_year, ward))
            if day:
                add.append(("yd", name_year, day))
            if any_year:
                stages.append(((("y", name_year),), not all_years))
            if not all_years:
                narrow = [("yw", name_year, ward)] if ward else []
                if day:
                    narrow.append(("yd", name_year, day))
                if narrow:
                    stages.append((tuple(narrow), False))
        if given_ward := values.get("key_given_ward"):
            if year:
                stages.append(((("g", given_ward, year),), False))
                if undated:
                    stages.append(((("g", given_ward, None),), not all_undated))
                add.append(("g", given_ward, year))
            else:
                if undated:
                    stages.append(((("G", given_ward),), not all_undated))
                    add.append(("g", given_ward, None))
            if undated:
                add.append(("G", given_ward))
        if name_key := values.get("name_key"):
            if year:
                if undated:
                    stages.append(((("n", name_key, None),), not all_undated))
            else:
                if undated:
                    stages.append(((("N", name_key),), not all_undated))
                    add.append(("n", name_key, None))
            if undated:
                add.append(("N", name_key))
        buckets = self._buckets
        seen: set[int] = set()
        best: tuple[int, matching.Match] | None = None
        score, bound = matching.score, matching.score_bound
        near_id = Levenshtein.distance
        near_rows: list[tuple[int, _Rec]] | None = None
        plain_id = _plain_id(ident)
        fast_near = self._plain_ids and plain_id
        # A candidate is scored only if its bound (everything but the name, computed exactly)
        # reaches the floor and beats the best so far (a tie keeps the earlier row).
        need = self.floor
        scored = 0
        for keys, near in stages:
            if len(keys) == 1:
                candidates: Any = buckets.get(keys[0], ())
                if type(candidates) is tuple and candidates:
                    candidates = (candidates,)
                elif near and fast_near and len(candidates) > NEAR_SCAN_MAX:
                    # The bucket's rows with an ID one digit off (or the same: those were seen
                    # in the ID stage) are the rows one digit off filed under this key.
                    if near_rows is None:
                        near_rows = self._near_ids(ident)
                    key = keys[0]
                    candidates = [e for e in near_rows if key in e[1].keys]  # type: ignore[operator]
            else:
                merged: dict[int, _Rec] = {}
                for key in keys:
                    found = buckets.get(key)
                    if type(found) is list:
                        merged.update(found)
                    elif found is not None:
                        merged[found[0]] = found[1]
                candidates = sorted(merged.items())
            for other_row, other in candidates:
                if near and near_id(ident, other.id_number, score_cutoff=1) > 1:
                    continue
                if other_row in seen:
                    continue
                seen.add(other_row)
                top = bound(values, other)
                if top < need or (best is not None and top <= best[1].score):
                    continue
                scored += 1
                match = score(values, other)  # type: ignore[arg-type]
                if best is None or match.score > best[1].score:
                    best = (other_row, match)
        self.pairs += len(seen)
        self.scored += scored
        rec = _Rec(values)
        if ident:
            rec.keys = add
            if not plain_id:
                self._plain_ids = False
        entry = (row, rec)
        for key in add:
            held = buckets.get(key)
            if held is None:
                buckets[key] = entry
            elif type(held) is list:
                held.append(entry)
            else:
                buckets[key] = [held, entry]
        return best


class memoised_reasons:
    """While importing, ``matching.score`` translates the same few reasons for every pair: look
    each up once (the language does not change during a job)."""

    def __enter__(self) -> None:
        self._original = matching._
        cache: dict[str, str] = {}
        original = self._original

        def gettext(message: str) -> str:
            found = cache.get(message)
            if found is None:
                found = cache[message] = original(message)
            return found

        matching._ = gettext  # type: ignore[assignment]

    def __exit__(self, *exc: object) -> None:
        matching._ = self._original  # type: ignore[assignment]


# ------------------------------------------------------------------------------------------------
# Against the registry, in SQL

KEYS_TABLE = "people_bulk_keys"
PAIRS_TABLE = "people_bulk_pairs"
KEY_COLUMNS = (
    "i",
    "id_number",
    "legacy_id",
    "phone",
    "key_name_year",
    "key_given_ward",
    "name_key",
    "year",
)


@dataclass
class Candidate:
    i: int  # the caller's row index
    person_id: int
    full_name: str
    birth: str  # as displayed
    unit_name: str
    inside_scope: bool
    match: matching.Match


def registry_candidates(
    cursor: Any, items: Sequence[tuple[int, dict[str, Any]]], scope: list[str] | None
) -> Iterator[Candidate]:
    """Registry persons sharing a blocking key with each item (``matching.blocking_filter``'s
    keys; name and given name + commune kept to the same birth year as in :class:`InFileIndex`),
    scored by ``matching.score``; those at or above ``matching.SHOW_THRESHOLD``. ``scope``: unit
    path prefixes the user sees (None: everywhere). Staged keys and pairs, three queries
    whatever the number of rows."""
    if not items:
        return
    sql.temp_table(
        cursor,
        KEYS_TABLE,
        "i integer, id_number text, legacy_id text, phone text, key_name_year text, "
        "key_given_ward text, name_key text, year integer",
    )
    values_of: dict[int, dict[str, Any]] = {}

    # A missing key is staged as NULL, not as the persons' empty text: with "" the most common
    # value on both sides of each join, PostgreSQL expected billions of pairs from a join (2.4
    # billion from the ID join at 775,000 rows, against 77,000 found), joined the ID, CMND and
    # phone keys by an index probe per row and deduplicated by sorting; with NULLs its
    # estimates are within a few per cent, every join hashes and the pairs statement took
    # 5.9-6.5 s instead of 7.0-7.8 s (the same 852,384 pairs). NULL never equals anything, so
    # the joins' conditions on empty keys keep meaning what they say.
    def staged() -> Iterator[tuple[Any, ...]]:
        for i, v in items:
            values_of[i] = v
            birth = v.get("birth_date")
            yield (
                i,
                v.get("id_number") or None,
                v.get("legacy_id") or None,
                v.get("phone") or None,
                v.get("key_name_year") or None,
                v.get("key_given_ward") or None,
                v.get("name_key") or None,
                birth.year if birth else None,
            )

    try:
        sql.bulk_load(cursor, KEYS_TABLE, KEY_COLUMNS, staged())
        sql.analyze(cursor, KEYS_TABLE)
        person_year = sql.year_of("p.birth_date")
        # A pair with no birth date on one side reaches the threshold only through a shared
        # citizen ID, CMND or phone (joined on their own) or two citizen IDs one digit apart
        # (``UNDATED_BOUND``): such pairs are joined on names only when both sides have an ID
        # and, on the name alone, when the two IDs can be one digit apart (a common name
        # otherwise pairs every undated namesake: 1.5 million pairs in all for 775,000 rows
        # against a registry of 100,000, 0.7 million with this condition).
        # The name-only rule is two joins, one per side of its OR: the side's condition then
        # applies before the join (keys without a year and persons without a birth date are
        # few), instead of every pair sharing a common name being joined and then filtered
        # (2.7 million pairs thrown away for 100,000 rows, growing with the square of the list).
        if matching.SHOW_THRESHOLD <= UNDATED_BOUND:
            raise ImproperlyConfigured("SHOW_THRESHOLD fell to UNDATED_BOUND; update people.bulk.")
        both_ids = "k.id_number <> '' AND p.id_number <> ''"
        # Two citizen IDs one digit apart: of the same length, they differ in one place, so
        # their first six digits or the rest are the same (IDs of different lengths are kept).
        # Applied to the name-only joins, where it cuts most pairs; in the given-name join it
        # led the planner to a nested loop (14 s instead of 2.5 s for 775,000 keys).
        near = (
            "(length(p.id_number) <> length(k.id_number) OR "
            "substr(p.id_number, 1, 6) = substr(k.id_number, 1, 6) OR "
            "substr(p.id_number, 7) = substr(k.id_number, 7))"
        )
        same_name = f"p.name_key = k.name_key AND k.name_key <> '' AND {both_ids} AND {near}"
        # SQLite has no hash join: for the persons without a birth date it looked up every
        # row's name among all persons and then dropped the dated ones (49 s of 85 s at 1M rows
        # against 100,000 people). There the few undated persons are read once instead (a
        # materialised CTE, which SQLite then indexes on the name for the join: 0.8 s).
        undated = "people_person"
        prefix = ""
        if not sql.is_pg():
            undated = "undated_people"
            prefix = (
                f"WITH {undated} AS MATERIALIZED (SELECT id, name_key, id_number, "  # noqa: S608
                "birth_date, merged_into_id FROM people_person WHERE birth_date IS NULL "
                "AND id_number <> '' AND merged_into_id IS NULL) "
            )
        joins = [
            ("people_person", "p.id_number = k.id_number AND k.id_number <> ''"),
            ("people_person", "p.legacy_id = k.legacy_id AND k.legacy_id <> ''"),
            ("people_person", "p.phone = k.phone AND k.phone <> ''"),
            (
                "people_person",
                "p.key_name_year = k.key_name_year AND k.key_name_year NOT LIKE '%%|'",
            ),
            (
                "people_person",
                "p.key_given_ward = k.key_given_ward AND k.key_given_ward <> '' AND "
                f"({person_year} = k.year OR "
                f"((k.year IS NULL OR p.birth_date IS NULL) AND {both_ids}))",
            ),
            ("people_person", f"{same_name} AND k.year IS NULL"),
            (undated, f"{same_name} AND p.birth_date IS NULL AND k.year IS NOT NULL"),
        ]
        pairs = prefix + " UNION ".join(
            f"SELECT k.i, p.id AS pid FROM {KEYS_TABLE} k JOIN {table} p ON {on} "  # noqa: S608
            "WHERE p.merged_into_id IS NULL"
            for table, on in joins
        )
        # The pairs are staged narrow (two integers), and each person sharing a key with some
        # row is read once, not once per pair (a common name pairs one person with many rows).
        sql.temp_table(cursor, PAIRS_TABLE, "i integer, pid bigint")
        # With (empty) parameters, so that both drivers read "%%" as "%" (SQLite's year is
        # ``strftime('%%Y', …)``; without parameters it stayed "%%Y" and matched no year).
        cursor.execute(f"INSERT INTO {PAIRS_TABLE} (i, pid) {pairs}", [])
        cursor.execute(
            "SELECT p.id, p.full_name, p.name_key, p.birth_date, p.birth_precision, "  # noqa: S608
            "p.id_number, p.legacy_id, p.phone, p.ward_id, u.path, u.name "
            "FROM people_person p JOIN orgs_unit u ON u.id = p.unit_id "
            f"WHERE p.id IN (SELECT pid FROM {PAIRS_TABLE})"
        )
        people: dict[int, tuple[_Rec, str, str, str, bool]] = {}
        while batch := cursor.fetchmany(10_000):
            for (
                pid,
                full,
                name_key,
                birth,
                precision,
                idn,
                legacy,
                phone,
                ward,
                path,
                unit,
            ) in batch:
                if isinstance(birth, str):
                    birth = dt.date.fromisoformat(birth)
                rec = _Rec(
                    {
                        "name_key": name_key,
                        "birth_date": birth,
                        "birth_precision": precision,
                        "id_number": idn,
                        "legacy_id": legacy,
                        "phone": phone,
                        "ward_id": ward,
                    }
                )
                inside = scope is None or any(path.startswith(s) for s in scope)
                people[pid] = (rec, full, birth_display(birth, precision), unit, inside)
        cursor.execute(f"SELECT i, pid FROM {PAIRS_TABLE}")  # noqa: S608
        score, bound = matching.score, matching.score_bound
        threshold = matching.SHOW_THRESHOLD
        found: list[Candidate] = []
        while batch := cursor.fetchmany(50_000):
            for i, pid in batch:
                person = people[pid]
                values = values_of[i]
                if bound(values, person[0]) < threshold:
                    continue  # under the threshold whatever the names (most pairs)
                match = score(values, person[0])  # type: ignore[arg-type]
                if match.score >= threshold:
                    found.append(
                        Candidate(i, pid, person[1], person[2], person[3], person[4], match)
                    )
        # In row order, then person order (as the callers rank ties), sorted here: the pairs
        # below the threshold, most of them, need no order.
        found.sort(key=lambda c: (c.i, c.person_id))
        yield from found
    finally:
        sql.drop(cursor, KEYS_TABLE, PAIRS_TABLE)


def registry_matches(
    scope: list[str] | None, items: Sequence[tuple[int, dict[str, Any]]]
) -> dict[int, list[dict[str, Any]]]:
    """What an import shows for each row of a list of people: the best three likely existing
    persons inside ``scope`` (unit paths; None: everywhere), and how many more outside it (a
    count only). ``items``: (row index, ``person_check``'s values)."""
    inside: dict[int, list[Candidate]] = defaultdict(list)
    outside: dict[int, int] = defaultdict(int)
    with connection.cursor() as cursor, sql.bulk_session(cursor):
        for c in registry_candidates(cursor, items, scope):
            if c.inside_scope:
                inside[c.i].append(c)
            else:
                outside[c.i] += 1
    result: dict[int, list[dict[str, Any]]] = {}
    for i in set(inside) | set(outside):
        best = sorted(inside.get(i, []), key=lambda c: -c.match.score)[:3]
        rows: list[dict[str, Any]] = [
            {
                "id": c.person_id,
                "name": c.full_name,
                "birth": c.birth,
                "unit": c.unit_name,
                "score": round(c.match.score, 2),
                "reasons": c.match.reasons,
            }
            for c in best
        ]
        if outside.get(i):
            rows.append({"outside_scope": outside[i]})
        result[i] = rows
    return result


# ------------------------------------------------------------------------------------------------
# Writing

# Person columns written from the checked values an import keeps (``person_check``'s values as
# JSON: dates as ISO text), read at their path.
PERSON_TABLE = Person._meta.db_table  # what :func:`insert_people` adds to
PERSON_TEXT_COLUMNS = (
    "full_name",
    "family_name",
    "middle_name",
    "given_name",
    "birth_precision",
    "sex",
    "id_number",
    "legacy_id",
    "phone",
    "address_detail",
    "address_original",
    "source_ref",
    "name_key",
    "sort_key",
    "key_name_year",
    "key_given_ward",
)
# A checked person as an import stages it for :func:`insert_people`: its values in this order, a
# JSON array (at a million rows the keys of an object were 280 of its 500 characters, copied in
# and parsed again). A list written person by person in Python (volunteers) keeps the object.
STAGED_PERSON_FIELDS = (*PERSON_TEXT_COLUMNS, "birth_date", "ward_id")


def staged_person(values: dict[str, Any]) -> list[Any] | None:
    """``person_check``'s values as :func:`insert_people` reads them (None when refused)."""
    return [values[f] for f in STAGED_PERSON_FIELDS] if values else None


def insert_people(
    cursor: Any,
    *,
    table: str,
    json_column: str,
    path: Sequence[str],
    id_column: str,
    unit_id: int,
    created_by_id: int | None,
    now: Any,
    fallback_ref: str = "",
) -> int:
    """Insert one person per row of the staging ``table``: ``person_check``'s values stored as
    JSON at ``path`` in its ``json_column``, as :func:`staged_person` lists them; the new id taken
    from its ``id_column`` (filled beforehand, e.g. with :func:`nhandao.imports.sql.next_ids`).
    ``fallback_ref`` is an SQL expression over ``table`` giving the source reference of a row
    whose list has no code of its own (e.g. the file and the row number). Returns how many."""

    def at(name: str) -> str:
        return sql.json_text(json_column, *path, STAGED_PERSON_FIELDS.index(name))

    columns = [*PERSON_TEXT_COLUMNS, "id", "unit_id", "created_by_id", "birth_date", "ward_id"]
    exprs = [f"COALESCE({at(c)}, '')" for c in PERSON_TEXT_COLUMNS]
    if fallback_ref:
        ref = PERSON_TEXT_COLUMNS.index("source_ref")
        exprs[ref] = f"COALESCE(NULLIF({at('source_ref')}, ''), SUBSTR({fallback_ref}, 1, 120), '')"
    exprs += [
        id_column,
        "%s",
        "%s",
        sql.as_date(at("birth_date")),
        sql.as_int(at("ward_id")),
    ]
    cursor.execute(
        f"INSERT INTO people_person ({', '.join(columns)}, created_at, updated_at) "  # noqa: S608
        f"SELECT {', '.join(exprs)}, %s, %s FROM {table}",
        [unit_id, created_by_id, now, now],
    )
    return int(cursor.rowcount)
