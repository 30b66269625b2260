"""Scope registrations of the aid pages and API paths (imported by tests/scope_registry.py).

The makers build a Tết Nhân ái launched by Quảng Trị, a partner, a distribution held by xã Vĩnh
Linh with one planned recipient, and one gift recorded there: all outside Hà Nội."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.scope_registry import register, register_api  # noqa: F401


def _qt_campaign(tree: Any, people: Any) -> Any:
    from nhandao.campaigns import services as campaigns
    from nhandao.orgs.models import User

    outsider = User.objects.get(pk=people.outsider.pk)
    data = campaigns.CampaignData(
        kind="tet", lunar_year=2027, groups=["poor"], starts_on=dt.date(2026, 11, 1)
    )
    campaign = campaigns.campaign_create(actor=outsider, unit=tree.quang_tri, data=data)
    return campaigns.campaign_launch(actor=outsider, campaign=campaign)


def _qt_partner(tree: Any, people: Any) -> Any:
    from nhandao.aid import services
    from nhandao.orgs.models import User

    return services.partner_create(
        actor=User.objects.get(pk=people.outsider.pk),
        unit=tree.quang_tri,
        data=services.PartnerData(name="Công ty Vĩnh Linh"),
    )


def _qt_distribution(tree: Any, people: Any) -> tuple[Any, Any]:
    """A distribution in Vĩnh Linh with one planned recipient, and that recipient."""
    from nhandao.aid import services
    from nhandao.beneficiaries import services as beneficiaries
    from nhandao.orgs.models import User
    from nhandao.people.services import PersonData

    outsider = User.objects.get(pk=people.outsider.pk)
    campaign = _qt_campaign(tree, people)
    person = beneficiaries.beneficiary_register(
        actor=outsider,
        unit=tree.vinh_linh,
        person=PersonData(full_name="Hồ Văn Lụa", birth="1948"),
        profile=beneficiaries.ProfileData(
            groups=[beneficiaries.GroupEntry("poor", 2025, "2022–2025")]
        ),
    ).person
    distribution = services.distribution_create(
        actor=outsider,
        campaign=campaign,
        unit=tree.vinh_linh,
        data=services.DistributionData(
            title="Trao quà Tết thôn Hiền Lương", held_on=campaign.starts_on, unit_value=500_000
        ),
    )
    services.planned_add(actor=outsider, distribution=distribution, people=[person])
    return distribution, person


@register("partner_detail", "partner_edit", "partner_login_create")
def _partner(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_partner(tree, people).pk}


@register(
    "distribution_detail",
    "distribution_status",
    "planned_search",
    "planned_add",
    "distribution_sheet",
    "distribution_record",
    "distribution_lookup",
    "distribution_tick",
)
def _distribution(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_distribution(tree, people)[0].pk}


@register("planned_remove")
def _planned(tree: Any, people: Any) -> dict[str, Any]:
    from nhandao.aid import selectors

    distribution, _person = _qt_distribution(tree, people)
    line = selectors.planned_list(distribution=distribution)[0]
    return {"pk": distribution.pk, "line_id": line.pk}


@register("aid_detail", "aid_photo")
def _record(tree: Any, people: Any) -> dict[str, Any]:
    from nhandao.aid import services
    from nhandao.orgs.models import User

    distribution, person = _qt_distribution(tree, people)
    record = services.aid_record(
        actor=User.objects.get(pk=people.outsider.pk),
        campaign=distribution.campaign,
        person=person,
        data=services.distribution_aid_data(distribution),
        distribution=distribution,
    )
    return {"pk": record.pk}
