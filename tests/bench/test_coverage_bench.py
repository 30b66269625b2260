"""bench/_aid_db.py: the coverage bench's data builder makes what it says, at a tiny size, and the
app's own coverage figures agree with the counts it kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from bench import _aid_db as aid_db
from bench import _people_db as bulk
from nhandao.aid.models import AidRecord
from nhandao.beneficiaries.models import Beneficiary, GroupMembership
from nhandao.campaigns import selectors, services
from nhandao.campaigns.models import Campaign, CampaignStatus
from nhandao.orgs.models import Unit, User
from nhandao.people.models import Household, Person
from nhandao.people.services import person_keys

PROVINCE = 44  # Quảng Trị: its commune chapters only, to keep the tree small
TODAY = dt.date(2026, 11, 30)


def _indexes() -> dict[str, set[str]]:
    out = {}
    with connection.cursor() as cursor:
        for table in aid_db.TABLES:
            out[table] = {
                ",".join(c["columns"]) + ("+" if c.get("unique") else "")
                for c in connection.introspection.get_constraints(cursor, table).values()
                if c["index"] or c["foreign_key"]
            }
    return out


@pytest.mark.django_db
def test_builder_counts_and_coverage_agree():
    tree = bulk.build_tree((PROVINCE,))
    before = _indexes()
    built = aid_db.build(tree, households=300, aid=320, seed=3, today=TODAY)

    assert Household.objects.count() == built.households == 300
    assert Person.objects.count() == built.people
    assert 300 < built.people < 400  # one or two people per household
    assert Beneficiary.objects.count() == built.beneficiaries == built.people
    assert GroupMembership.objects.count() == built.memberships >= built.people
    assert AidRecord.objects.count() == built.aid
    assert 300 <= built.aid <= 340
    assert 0 < built.covered < built.eligible < built.households
    assert _indexes() == before  # dropped for the load and rebuilt the same

    # Every household has its head among its members, in a commune chapter of its ward.
    heads = Person.objects.filter(pk__in=Household.objects.values("head_id"))
    assert heads.count() == 300
    assert not Person.objects.exclude(household__isnull=False).exists()
    units = Unit.objects.in_bulk(list(Person.objects.values_list("unit_id", flat=True)))
    for p in Person.objects.all()[:50]:
        assert units[p.unit_id].ward_id == p.ward_id
        keys = person_keys(
            {
                "full_name": p.full_name,
                "family_name": p.family_name,
                "middle_name": p.middle_name,
                "given_name": p.given_name,
                "birth_date": p.birth_date,
                "ward_id": p.ward_id,
            }
        )
        assert keys == {k: getattr(p, k) for k in keys}, p.pk

    campaign = Campaign.objects.select_related("unit").get(pk=built.campaign_pk)
    assert campaign.status == CampaignStatus.LAUNCHED
    assert Campaign.objects.get(pk=built.previous_pk).status == CampaignStatus.CLOSED
    root = Unit.objects.get(pk=tree.root_pk)
    live = selectors.coverage(campaign=campaign, unit=root)
    assert (live.eligible, live.covered) == (built.eligible, built.covered)
    # Commune pages look each row's gifts up in the indexes, wider pages hash the covered sets:
    # both give the same figures.
    communes = Unit.objects.filter(pk__in=set(built.hh_unit))
    per_commune = [selectors.coverage(campaign=campaign, unit=u) for u in communes]
    assert sum(c.eligible for c in per_commune) == built.eligible
    assert sum(c.covered for c in per_commune) == built.covered
    province = Unit.objects.get(path=communes[0].path[: 2 * 4])
    by_province = selectors.coverage(campaign=campaign, unit=province)
    assert {r.unit.pk: (r.eligible, r.covered) for r in by_province.rows} == {
        c.unit.pk: (c.eligible, c.covered) for c in per_commune if c.eligible
    }
    page = selectors.uncovered_list(campaign=campaign, unit=communes[0], limit=5)
    first = next(c for c in per_commune if c.unit.pk == communes[0].pk)
    assert page.total == first.uncovered

    officer = User.objects.get(pk=built.officer_pk)
    assert services.campaign_freeze(actor=officer, campaign=campaign) == built.eligible
    campaign.refresh_from_db()
    frozen = selectors.coverage(campaign=campaign, unit=root)
    assert (frozen.eligible, frozen.covered) == (built.eligible, built.covered)
