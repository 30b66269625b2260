"""Reads of the geography tables (public reference data, not scoped)."""

from __future__ import annotations

from django.db.models import QuerySet

from nhandao.core.text import fold

from .models import Province, Ward


def province_list() -> QuerySet[Province]:
    return Province.objects.all()


def ward_list(*, province_code: int | None = None, query: str = "") -> QuerySet[Ward]:
    qs = Ward.objects.select_related("province")
    if province_code is not None:
        qs = qs.filter(province_id=province_code)
    if query:
        qs = qs.filter(search_key__contains=fold(query))
    return qs


def province_by_name(name: str) -> Province | None:
    key = fold(name)
    for prefix in ("thanh pho ", "tinh "):
        key = key.removeprefix(prefix)
    return Province.objects.filter(search_key__endswith=key).first()


def counts() -> tuple[int, int]:
    return Province.objects.count(), Ward.objects.count()


def ward_exists(code: int) -> bool:
    return Ward.objects.filter(code=code).exists()
