from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from nhandao.core.scoping import get_visible_or_404

from .models import CandidatePair, HouseholdPair, LinkageRun, PairStatus


def run_list(*, user: Any) -> QuerySet[LinkageRun]:
    return LinkageRun.objects.visible_to(user).select_related("unit", "created_by")


def run_get(*, user: Any, pk: Any) -> LinkageRun:
    return get_visible_or_404(LinkageRun.objects.select_related("unit"), user, pk=pk)


def pair_list(
    *, user: Any, status: str = PairStatus.OPEN, min_score: float = 0.0
) -> QuerySet[CandidatePair]:
    return (
        CandidatePair.objects.visible_to(user)
        .filter(
            status=status,
            score__gte=min_score,
            a__merged_into__isnull=True,
            b__merged_into__isnull=True,
        )
        .select_related("a", "b", "a__ward", "b__ward", "a__unit", "b__unit")
        .order_by("-score", "pk")
    )


def pair_get(*, user: Any, pk: Any) -> CandidatePair:
    return get_visible_or_404(
        CandidatePair.objects.select_related(
            "unit", "a", "b", "a__ward", "b__ward", "a__unit", "b__unit"
        ),
        user,
        pk=pk,
    )


def household_pair_list(
    *, user: Any, status: str = PairStatus.OPEN, min_score: float = 0.0
) -> QuerySet[HouseholdPair]:
    return (
        HouseholdPair.objects.visible_to(user)
        .filter(
            status=status,
            score__gte=min_score,
            a__merged_into__isnull=True,
            b__merged_into__isnull=True,
        )
        .select_related("a__head", "b__head", "a__ward", "b__ward")
        .order_by("-score", "pk")
    )


def household_pair_get(*, user: Any, pk: Any) -> HouseholdPair:
    return get_visible_or_404(
        HouseholdPair.objects.select_related(
            "unit", "a__head", "b__head", "a__ward", "b__ward", "a__unit", "b__unit"
        ),
        user,
        pk=pk,
    )
