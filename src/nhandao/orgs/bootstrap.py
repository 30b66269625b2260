"""Installing the tree: the national office, the 34 province chapters and, if wanted, a commune
chapter for each of the 3,321 communes, wards and special zones (after the 1/7/2025 reorganisation).

Every function is idempotent: units are recognised by their short codes (TW, P01…, W00070…).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from nhandao.geo import selectors as geo

from . import services
from .models import Unit, UnitKind

REORGANISATION_DAY = dt.date(2025, 7, 1)
ROOT_NAME = "Trung ương Hội Chữ thập đỏ Việt Nam"


def chapter_name(place: str, division_type: str) -> str:
    """ "Phường Hoàn Kiếm" → "Hội Chữ thập đỏ phường Hoàn Kiếm"; "Cao Bằng" → "… tỉnh Cao Bằng"."""
    kind = division_type.split()[0] if division_type else ""
    prefix = "thành phố" if division_type.startswith("thành phố") else kind
    if prefix and place.lower().startswith(prefix):
        place = prefix + place[len(prefix) :]
    elif prefix:
        place = f"{prefix} {place}"
    return f"Hội Chữ thập đỏ {place}"


@transaction.atomic
def tree_init() -> dict[int, Unit]:
    """The root and one chapter per province; returns the province chapters by province code."""
    root = Unit.objects.get_root_nodes().first() or services.unit_create_root(
        name=ROOT_NAME, short_code="TW"
    )
    have = set(Unit.objects.filter(kind=UnitKind.PROVINCE).values_list("province_id", flat=True))
    missing = [
        Unit(
            name=chapter_name(p.name, p.division_type),
            kind=UnitKind.PROVINCE,
            short_code=f"P{p.code:02d}",
            province_id=p.code,
            active_from=REORGANISATION_DAY,
        )
        for p in geo.province_list().order_by("code")
        if p.code not in have
    ]
    if missing:
        services.unit_bulk_add_children(parent=root, units=missing)
    return {
        u.province_id: u
        for u in Unit.objects.filter(kind=UnitKind.PROVINCE, is_active=True).exclude(
            province_id=None
        )
    }


@transaction.atomic
def commune_chapters_init(*, province_unit: Unit) -> int:
    """One commune chapter per ward of the province that has none yet; returns how many."""
    have = set(
        Unit.objects.filter(path__startswith=province_unit.path, kind=UnitKind.COMMUNE)
        .exclude(ward_id=None)
        .values_list("ward_id", flat=True)
    )
    missing = [
        Unit(
            name=chapter_name(w.name, w.division_type),
            kind=UnitKind.COMMUNE,
            short_code=f"W{w.code:05d}",
            ward_id=w.code,
            province_id=province_unit.province_id,
            active_from=REORGANISATION_DAY,
        )
        for w in geo.ward_list(province_code=province_unit.province_id).order_by("code")
        if w.code not in have
    ]
    if missing:
        services.unit_bulk_add_children(parent=province_unit, units=missing)
    return len(missing)
