"""Reads of the humanitarian-address registry, always scoped; masking of sensitive fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from nhandao.core.masking import mask_id, mask_phone
from nhandao.core.scoping import get_visible_or_404
from nhandao.orgs.permissions import can
from nhandao.people.selectors import person_search_filter

from .models import Beneficiary, BeneficiaryGroup, GroupMembership

__all__ = ["mask_id", "mask_phone"]


@dataclass(frozen=True)
class Filters:
    query: str = ""
    ward: int | None = None
    group: str = ""
    status: str = ""
    verification: str = ""


def beneficiary_list(*, user: Any, filters: Filters) -> QuerySet[Beneficiary]:
    qs = Beneficiary.objects.visible_to(user).select_related("person", "person__ward", "unit")
    if filters.query:
        # A record merged into another is still found: its name or ID leads to the survivor.
        matching = _people_matching(person_search_filter(filters.query))
        survivors = _people_merged_from(matching)
        qs = qs.filter(Q(person__in=matching) | Q(person__in=survivors))
    if filters.ward:
        qs = qs.filter(person__ward_id=filters.ward)
    if filters.group:
        qs = qs.filter(memberships__group_id=filters.group)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.verification:
        qs = qs.filter(verification=filters.verification)
    memberships = GroupMembership.objects.select_related("group").order_by("group__rank")
    return qs.prefetch_related(Prefetch("memberships", queryset=memberships)).order_by(
        "person__sort_key", "pk"
    )


def _people_matching(search: Any) -> Any:
    from nhandao.people.models import Person

    return Person.objects.filter(search).values("pk")


def _people_merged_from(people: Any) -> Any:
    from nhandao.people.models import Person

    return Person.objects.filter(merged_from__in=people).values("pk")


def beneficiary_get(*, user: Any, pk: Any) -> Beneficiary:
    memberships = GroupMembership.objects.select_related("group").order_by("group__rank")
    qs = Beneficiary.objects.select_related(
        "person",
        "person__ward",
        "person__ward__province",
        "person__merged_into",
        "unit",
        "verified_by",
    ).prefetch_related(Prefetch("memberships", queryset=memberships), "consents")
    return get_visible_or_404(qs, user, pk=pk)


def group_list() -> QuerySet[BeneficiaryGroup]:
    return BeneficiaryGroup.objects.all()


def may_see_sensitive(user: Any, beneficiary: Beneficiary) -> bool:
    return can(user, "pii.view", beneficiary.unit)


def has_active_consent(beneficiary: Beneficiary) -> bool:
    return any(c.withdrawn_on is None for c in beneficiary.consents.all())
