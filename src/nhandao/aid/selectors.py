"""Every read of aid, scoped. A partner organisation's login sees only its own records."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from nhandao.core.scoping import get_visible_or_404

from .models import AidRecord, Distribution


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
