"""Scope registrations of the sponsorships pages and API paths (see tests/scope_registry.py): a
Quảng Trị sponsor linked to a Vĩnh Linh address, so Hà Nội users get 404; the sponsor's private
link is public (no login) and registered with ``register_public``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.scope_registry import register, register_api, register_public


def _qt_sponsorship(tree: Any, people: Any) -> Any:
    from nhandao.beneficiaries import services as beneficiaries
    from nhandao.funds import services
    from nhandao.funds import sponsorships as sp
    from nhandao.people.services import PersonData

    b = beneficiaries.beneficiary_register(
        actor=people.outsider,
        unit=tree.vinh_linh,
        person=PersonData(full_name="Lê Văn Tám", birth="1951"),
        profile=beneficiaries.ProfileData(circumstances="Nhà bị sập sau bão"),
    )
    donor = services.donor_create(
        actor=people.outsider,
        unit=tree.quang_tri,
        data=services.DonorData(kind="business", name="Công ty Cổ phần Cát Quảng Trị"),
    )
    return sp.sponsorship_create(
        actor=people.outsider,
        data=sp.SponsorshipData(
            donor=donor,
            beneficiary=b,
            commitment="Hỗ trợ tiền ăn hằng tháng",
            amount=500_000,
            frequency="monthly",
            starts_on=dt.date(2026, 1, 1),
        ),
    )


def _qt_fulfilment(tree: Any, people: Any) -> Any:
    from nhandao.funds import sponsorships as sp

    s = _qt_sponsorship(tree, people)
    return sp.fulfilment_record(
        actor=people.outsider, sponsorship=s, given_on=dt.date(2026, 1, 5), amount=500_000
    )


@register("sponsorship_detail", "sponsorship_fulfil", "sponsorship_end")
def _sponsorship(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_sponsorship(tree, people).pk}


@register("sponsorship_fulfilment_void")
def _fulfilment(tree: Any, people: Any) -> dict[str, Any]:
    f = _qt_fulfilment(tree, people)
    return {"pk": f.sponsorship_id, "fulfilment_id": f.pk}


@register_public("portal_sponsor")
def _sponsor_link(tree: Any, people: Any) -> dict[str, Any]:
    return {"token": _qt_sponsorship(tree, people).token}


@register_api(
    "/api/v1/sponsorships/{sponsorship_id}",
    "/api/v1/sponsorships/{sponsorship_id}/fulfilments",
    "/api/v1/sponsorships/{sponsorship_id}/end",
)
def _api_sponsorship(tree: Any, people: Any) -> dict[str, Any]:
    return {"sponsorship_id": _qt_sponsorship(tree, people).pk}


@register_api("/api/v1/sponsorships/{sponsorship_id}/fulfilments/{fulfilment_id}/void")
def _api_fulfilment(tree: Any, people: Any) -> dict[str, Any]:
    f = _qt_fulfilment(tree, people)
    return {"sponsorship_id": f.sponsorship_id, "fulfilment_id": f.pk}
