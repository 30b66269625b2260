"""Writes for the geography tables: loading the official list of administrative units."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import vietnam_provinces
from django.db import transaction

from nhandao.core.text import fold

from .models import Province, Ward


@dataclass(frozen=True)
class GeoLoadResult:
    provinces_created: int
    wards_created: int
    provinces_total: int
    wards_total: int


def _official_divisions() -> list[dict[str, Any]]:
    path = vietnam_provinces.NESTED_DIVISIONS_JSON_PATH
    data: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return data


@transaction.atomic
def geo_load_official() -> GeoLoadResult:
    """Load the 34 provinces and 3,321 wards; re-running adds only what is missing."""
    divisions = _official_divisions()
    have_p = set(Province.objects.values_list("code", flat=True))
    have_w = set(Ward.objects.values_list("code", flat=True))
    new_p = [
        Province(
            code=p["code"],
            name=p["name"],
            division_type=p["division_type"],
            codename=p["codename"],
            search_key=fold(p["name"]),
        )
        for p in divisions
        if p["code"] not in have_p
    ]
    Province.objects.bulk_create(new_p, batch_size=500)
    new_w = [
        Ward(
            code=w["code"],
            name=w["name"],
            division_type=w["division_type"],
            codename=w["codename"],
            province_id=p["code"],
            search_key=fold(w["name"]),
        )
        for p in divisions
        for w in p["wards"]
        if w["code"] not in have_w
    ]
    Ward.objects.bulk_create(new_w, batch_size=500)
    return GeoLoadResult(
        provinces_created=len(new_p),
        wards_created=len(new_w),
        provinces_total=Province.objects.count(),
        wards_total=Ward.objects.count(),
    )
