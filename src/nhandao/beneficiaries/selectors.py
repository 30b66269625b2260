"""Reads of the humanitarian-address registry, always scoped; masking of sensitive fields."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy

from nhandao.core.audit import audited_filters
from nhandao.core.errors import ApplicationError
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


def filters_summary(filters: Filters) -> dict[str, Any]:
    """The list's filters as the audit trail keeps them (``core.audit.audited_filters``)."""
    return audited_filters(
        q=filters.query,
        ward=filters.ward,
        group=filters.group,
        status=filters.status,
        verification=filters.verification,
    )


def group_filter_allowed(*, user: Any, code: str) -> bool:
    """Filtering by a sensitive (health) group reveals who belongs to it: only for ``pii.view``."""
    if not code or can(user, "pii.view"):
        return True
    return not BeneficiaryGroup.objects.filter(code=code, sensitive=True).exists()


SENSITIVE_GROUP_FILTER = gettext_lazy(
    "Vai trò của bạn không được lọc theo đối tượng nhạy cảm (thông tin sức khỏe): "
    "bộ lọc này không được áp dụng."
)


def beneficiary_list(*, user: Any, filters: Filters) -> QuerySet[Beneficiary]:
    """The records in the user's scope that match ``filters``; a filter by a sensitive group is
    refused to a user who may not see them (callers check first, with
    :func:`group_filter_allowed`, to answer in their own way)."""
    if filters.group and not group_filter_allowed(user=user, code=filters.group):
        raise ApplicationError(str(SENSITIVE_GROUP_FILTER), field="group")
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


def group_list(*, sensitive: bool = True) -> QuerySet[BeneficiaryGroup]:
    """The group catalogue; without the sensitive (health) groups when ``sensitive`` is false."""
    groups = BeneficiaryGroup.objects.all()
    return groups if sensitive else groups.filter(sensitive=False)


def may_see_sensitive(user: Any, beneficiary: Beneficiary) -> bool:
    return can(user, "pii.view", beneficiary.unit)


# What each way of reading the registry shows unmasked to a user with ``pii.view``: the list page
# the citizen ID and the groups; the workbook also the phone; the API also the circumstances.
LIST_SHOWS = ("id_number", "groups")
EXPORT_SHOWS = ("id_number", "phone", "groups")
API_SHOWS = ("id_number", "phone", "circumstances", "groups")


def holds_sensitive(beneficiary: Beneficiary, *, shown: Iterable[str]) -> bool:
    """Does the record hold a sensitive value among the ``shown`` fields (a person's identifier or
    phone, the circumstances, or "groups": a sensitive group)? Uses the prefetched groups."""
    person = beneficiary.person
    for name in shown:
        if name == "groups":
            if any(m.group.sensitive for m in beneficiary.memberships.all()):
                return True
        elif name == "circumstances":
            if beneficiary.circumstances:
                return True
        elif getattr(person, name):
            return True
    return False


def has_active_consent(beneficiary: Beneficiary) -> bool:
    return any(c.withdrawn_on is None for c in beneficiary.consents.all())
