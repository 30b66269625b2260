"""`manage.py demo` (called by `make run`) loads geography and demo data once, prints logins."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from nhandao.geo.models import Province, Ward
from nhandao.orgs.demo import DEMO_PASSWORD
from nhandao.orgs.models import RoleAssignment, Unit, User

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple[int, ...]:
    from nhandao.aid.models import AidRecord
    from nhandao.beneficiaries.models import Beneficiary
    from nhandao.campaigns.models import Campaign

    return (
        Beneficiary.objects.count(),
        Campaign.objects.count(),
        AidRecord.objects.count(),
        Province.objects.count(),
        Ward.objects.count(),
        Unit.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
    )


def test_demo_loads_everything_once_and_prints_logins():
    out = StringIO()
    call_command("demo", url="http://127.0.0.1:8000/", stdout=out)
    first = _snapshot()
    call_command("demo", stdout=StringIO())
    assert _snapshot() == first
    assert first[3:5] == (34, 3321)
    assert first[1:3] == (1, 2)  # Hà Nội's Tết Nhân ái, with Hoàn Kiếm's first two gifts
    from nhandao.aid.models import Distribution, PartnerUser

    planned = Distribution.objects.get(partner__name="Công ty TNHH Thực phẩm Hà Thành")
    assert planned.planned.count() >= 1  # the households of Hoàn Kiếm not yet reached
    assert PartnerUser.objects.get(user__username="hanoi.doanhnghiep").partner == planned.partner
    assert first[0] == 10  # humanitarian addresses in Hoàn Kiếm, Vĩnh Linh and Ninh Kiều
    text = out.getvalue()
    assert (
        "http://127.0.0.1:8000/" in text and DEMO_PASSWORD in text and "hoankiem.nhaplieu" in text
    )
    assert Unit.objects.filter(kind="province").count() >= 34
    for province in ("thành phố Hà Nội", "tỉnh Quảng Trị", "thành phố Cần Thơ"):
        chapter = Unit.objects.get(name=f"Hội Chữ thập đỏ {province}")
        assert (
            Unit.objects.filter(
                path__startswith=chapter.path, kind="commune", is_active=True
            ).count()
            > 50
        )
    assert set(Unit.objects.values_list("kind", flat=True)) >= {
        "national",
        "province",
        "district",
        "commune",
        "branch",
        "group",
        "team",
        "club",
    }
    merged = Unit.objects.get(short_code="QT-X-VT")
    assert not merged.is_active and merged.merged_into.name == "Hội Chữ thập đỏ xã Vĩnh Linh"
    assert User.objects.get(username="kiemnhiem").assignments.count() == 2
    assert set(RoleAssignment.objects.values_list("role_id", flat=True)) == {
        "system_admin",
        "unit_admin",
        "officer",
        "data_entry",
        "viewer",
        "auditor",
        "partner",
        "partner_org",
    }
    assert Unit.objects.find_problems() == ([], [], [], [], [])
