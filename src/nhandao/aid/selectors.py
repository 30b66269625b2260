"""Every read of aid, scoped. A partner organisation's login sees only its own records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from nhandao.core.scoping import get_visible_or_404

from .models import AidRecord, Distribution, Partner, PartnerUser, PlannedRecipient


def campaign_has_aid(*, campaign: Any) -> bool:
    return AidRecord.objects.filter(campaign=campaign).exists()


def _partner_filter(user: Any, qs: QuerySet[Any], field: str = "partner") -> QuerySet[Any]:
    from .services import partner_of

    partner = partner_of(user)
    if partner is not None:
        return qs.filter(**{field: partner})
    return qs


def aid_list(*, user: Any, campaign: Any = None, unit: Any = None) -> QuerySet[AidRecord]:
    """Aid records whose recipient lies in the user's scope (a partner login: its own records)."""
    qs: QuerySet[AidRecord] = AidRecord.objects.visible_to(user).select_related(
        "person", "household", "recorded_unit", "partner", "campaign"
    )
    qs = _partner_filter(user, qs)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs.order_by("-given_on", "-pk")


def aid_get(*, user: Any, pk: Any) -> AidRecord:
    qs = _partner_filter(user, AidRecord.objects.select_related("person", "unit", "recorded_unit"))
    return get_visible_or_404(qs, user, pk=pk)


def distribution_list(*, user: Any, campaign: Any = None) -> QuerySet[Distribution]:
    qs = _partner_filter(
        user, Distribution.objects.visible_to(user).select_related("unit", "partner")
    )
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs


def distribution_get(*, user: Any, pk: Any) -> Distribution:
    qs = _partner_filter(user, Distribution.objects.select_related("unit", "partner", "campaign"))
    return get_visible_or_404(qs, user, pk=pk)


def received_elsewhere(
    *, campaign: Any, people: list[Any], exclude_distribution: Any = None
) -> dict[int, list[AidRecord]]:
    """For each person on a planned list, the live records of the campaign given to them (or,
    one gift per household, to their household) outside this distribution: what the officer sees
    before the distribution. Read across every unit and partner, whatever the user's scope (the
    answer names the giver, never another unit's recipient)."""
    if not people:
        return {}
    person_ids = [p.pk for p in people]
    household_ids = [p.household_id for p in people if p.household_id]
    q = Q(person_id__in=person_ids)
    if campaign.gift_rule == "household" and household_ids:
        q |= Q(household_id__in=household_ids, per_household=True)
    qs = AidRecord.objects.live().filter(q, campaign=campaign)
    if exclude_distribution is not None:
        qs = qs.exclude(distribution=exclude_distribution)
    records = list(qs.select_related("recorded_unit", "partner").order_by("given_on"))
    out: dict[int, list[AidRecord]] = {}
    for person in people:
        mine = [
            r
            for r in records
            if r.person_id == person.pk
            or (
                campaign.gift_rule == "household"
                and person.household_id
                and r.household_id == person.household_id
                and r.per_household
            )
        ]
        if mine:
            out[person.pk] = mine
    return out


# --- partners ------------------------------------------------------------------------------


def partner_list(*, user: Any, query: str = "", active_only: bool = False) -> QuerySet[Partner]:
    """Partner organisations coordinated by a unit in the user's scope."""
    from nhandao.core.text import fold

    qs: QuerySet[Partner] = Partner.objects.visible_to(user).select_related("unit")
    if active_only:
        qs = qs.filter(is_active=True)
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(name__icontains=query) | Q(tax_code=query) | Q(name__icontains=fold(query))
        )
    return qs.order_by("name", "pk")


def partner_choices(*, user: Any, unit: Any) -> QuerySet[Partner]:
    """Active partners a distribution held by ``unit`` may name: coordinated by the unit, one
    of its parents, or one of its sub-units in the user's scope."""
    from nhandao.core.scoping import path_filter

    ancestors = [unit.path[:i] for i in range(4, len(unit.path) + 1, 4)]
    q = path_filter("unit__path", [unit.path]) | Q(unit__path__in=ancestors)
    return Partner.objects.filter(q, is_active=True).order_by("name")


def partner_get(*, user: Any, pk: Any) -> Partner:
    return get_visible_or_404(Partner.objects.select_related("unit"), user, pk=pk)


def partner_logins(*, partner: Partner) -> list[Any]:
    return [
        link.user
        for link in PartnerUser.objects.filter(partner=partner)
        .select_related("user")
        .order_by("user__username")
    ]


# --- planned lists and recording ------------------------------------------------------------


def planned_list(*, distribution: Distribution) -> list[PlannedRecipient]:
    """The planned list in line order, each with the person, household, ward and the live record
    of this distribution, if any (``recorded``)."""
    rows = list(
        PlannedRecipient.objects.filter(distribution=distribution)
        .select_related("person", "person__ward", "person__unit", "household")
        .order_by("line")
    )
    given = {
        r.person_id: r
        for r in AidRecord.objects.live().filter(distribution=distribution).order_by("pk")
    }
    for row in rows:
        row.recorded = given.get(row.person_id)  # type: ignore[attr-defined]
    return rows


def planned_get(*, distribution: Distribution, pk: Any) -> PlannedRecipient:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        PlannedRecipient.objects.select_related("person"), distribution=distribution, pk=pk
    )


def distribution_totals(*, distribution: Distribution) -> dict[str, int]:
    from django.db.models import Count, Sum

    planned = PlannedRecipient.objects.filter(distribution=distribution).count()
    agg = (
        AidRecord.objects.live()
        .filter(distribution=distribution)
        .aggregate(n=Count("pk"), value=Sum("value"))
    )
    return {"planned": planned, "recorded": agg["n"] or 0, "value": agg["value"] or 0}


def person_code(person: Any) -> str:
    """The short code printed on an acknowledgement list and in its QR code."""
    return f"P{person.pk}"


def _code_pk(text: str) -> int | None:
    text = text.strip().upper()
    if text.startswith("NHANDAO:"):
        text = text.removeprefix("NHANDAO:")
    if len(text) > 1 and text[0] == "P" and text[1:].isdigit():
        return int(text[1:])
    return None


@dataclass
class Lookup:
    people: list[Any]
    truncated: bool = False


def recipient_lookup(
    *, user: Any, distribution: Distribution, query: str, limit: int = 8
) -> Lookup:
    """People the quick-record page offers for ``query``: a printed code ("P123", or the QR's
    text), a line number of the planned list ("#5"), or a name, ID or phone. A partner login
    finds only people on its distribution's planned list; chapter staff find anyone in their
    scope inside the campaign's area. Merged records lead to the survivor."""
    from nhandao.people import selectors as people

    query = query.strip()
    if not query:
        return Lookup(people=[])
    planned = PlannedRecipient.objects.filter(distribution=distribution)
    from .services import partner_of

    base = people.person_list(user=user).filter(
        unit__path__startswith=distribution.campaign.unit.path
    )
    if partner_of(user) is not None:
        base = base.filter(pk__in=planned.values("person_id"))
    base = base.select_related("household")
    pk = _code_pk(query)
    if pk is not None:
        found = list(base.filter(pk=pk))
    elif query.startswith("#") and query[1:].strip().isdigit():
        line = int(query[1:])
        found = list(base.filter(pk__in=planned.filter(line=line).values("person_id")))
    else:
        found = list(base.filter(people.person_search_filter(query))[: limit + 1])
    survivors: list[Any] = []
    for person in found:
        if person.merged_into_id:
            try:
                person = people.person_get(user=user, pk=person.merged_into_id)
            except Http404:
                continue
        if person not in survivors:
            survivors.append(person)
    return Lookup(people=survivors[:limit], truncated=len(found) > limit)


def record_list(
    *,
    user: Any,
    campaign: Any = None,
    unit: Any = None,
    distribution: Any = None,
    include_voided: bool = False,
) -> QuerySet[AidRecord]:
    """Aid records for the list page and its export (scoped, a partner login: its own)."""
    qs = aid_list(user=user, campaign=campaign, unit=unit).select_related(
        "person__ward", "distribution", "unit"
    )
    if distribution is not None:
        qs = qs.filter(distribution=distribution)
    if not include_voided:
        qs = qs.filter(voided_at__isnull=True)
    return qs
