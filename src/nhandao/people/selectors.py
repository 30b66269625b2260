"""Reads of the person registry, always through the user's scope."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from nhandao.core.scoping import get_visible_or_404
from nhandao.core.text import fold

from . import matching
from .models import Household, Person

_DIGITS = re.compile(r"^[\d\s.+()-]{6,}$")


# A phone is searched by its last nine digits at least (the number without its 0 or +84): a
# shorter run of digits would let one who sees phones masked ("091****678") find the hidden
# digits one search at a time.
PHONE_SEARCH_DIGITS = 9


def person_search_filter(query: str) -> Q:
    """A name with or without diacritics, an ID or CMND number, a phone, or a source reference."""
    query = query.strip()
    if not query:
        return Q()
    if _DIGITS.match(query):
        digits = re.sub(r"\D", "", query)
        q = Q(id_number=digits) | Q(legacy_id=digits) | Q(source_ref=query)
        if digits.startswith("84"):
            digits = "0" + digits[2:]
        if len(digits) < PHONE_SEARCH_DIGITS:
            return q
        return q | Q(phone=digits) | Q(phone__endswith=digits[-PHONE_SEARCH_DIGITS:])
    return Q(name_key__contains=fold(query)) | Q(source_ref=query)


def person_list(*, user: Any, query: str = "") -> QuerySet[Person]:
    qs = Person.objects.visible_to(user).filter(person_search_filter(query))
    return qs.select_related("ward", "unit").order_by("sort_key", "pk")


def person_get(*, user: Any, pk: Any) -> Person:
    return get_visible_or_404(
        Person.objects.select_related("ward", "unit", "merged_into", "household"), user, pk=pk
    )


@dataclass
class MergedRecords:
    records: list[Person]
    outside_scope: int


def merged_records(*, user: Any, person: Person) -> MergedRecords:
    """The records merged into ``person`` (kept, marked, still found by search), oldest first:
    those in the user's scope in full, those of other units as a count only. A record merged
    into a record that was itself merged later points at the last survivor."""
    merged = person.merged_from.all()
    records = list(
        merged.visible_to(user).select_related("ward", "unit").order_by("updated_at", "pk")
    )
    total = merged.count()
    return MergedRecords(records=records, outside_scope=total - len(records))


def household_get(*, user: Any, pk: Any) -> Household:
    """A household in scope, merged ones included (their page says what they were merged into)."""
    households = Household.objects.select_related("head", "ward", "unit", "merged_into__head")
    return get_visible_or_404(households, user, pk=pk)


def household_members(*, user: Any, household: Household) -> list[Person]:
    return list(Person.objects.visible_to(user).filter(household=household).order_by("sort_key"))


@dataclass
class MatchResult:
    matches: list[matching.Match]
    outside_scope: int


def person_matches(*, user: Any, values: dict[str, Any], exclude_pk: Any = None) -> MatchResult:
    """Likely existing records for a draft: those in scope in full, those outside as a count.

    Two queries whatever the registry's size: the candidates sharing a blocking key, everywhere
    (``matching.candidates``, a few limited index lookups), scored in memory; then, through the
    scope, which of the ones worth showing the user may see (with their unit and ward)."""
    ranked = matching.rank(values, matching.candidates(values, exclude_pk=exclude_pk))
    if not ranked:
        return MatchResult(matches=[], outside_scope=0)
    visible = (
        Person.objects.visible_to(user)
        .select_related("unit", "ward")
        .in_bulk([m.person.pk for m in ranked])
    )
    inside = [
        matching.Match(person=visible[m.person.pk], score=m.score, reasons=m.reasons)
        for m in ranked
        if m.person.pk in visible
    ]
    return MatchResult(matches=inside, outside_scope=len(ranked) - len(inside))
