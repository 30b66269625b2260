"""Scope registrations of the vouchers pages and API paths (imported by tests/scope_registry.py):
the fair pages, and every API path of campaigns and aid. Objects are made in Quảng Trị by its
officer: a running campaign, a fair in Vĩnh Linh with a stall, one voucher issued."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.scope_registry import register, register_api


def _qt_campaign(tree: Any, people: Any) -> Any:
    from nhandao.campaigns import services as campaigns
    from nhandao.orgs.models import User

    officer = User.objects.get(pk=people.outsider.pk)
    today = timezone.localdate()
    data = campaigns.CampaignData(
        kind="custom",
        name="Tết Nhân ái Quảng Trị",
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=30),
    )
    campaign = campaigns.campaign_create(actor=officer, unit=tree.quang_tri, data=data)
    return campaigns.campaign_launch(actor=officer, campaign=campaign)


def _qt_fair(tree: Any, people: Any) -> tuple[Any, Any, Any]:
    """(fair, stall, voucher) in Vĩnh Linh."""
    from nhandao.aid import vouchers
    from nhandao.beneficiaries import services as beneficiaries
    from nhandao.orgs.models import User
    from nhandao.people.services import PersonData

    officer = User.objects.get(pk=people.outsider.pk)
    campaign = _qt_campaign(tree, people)
    today = timezone.localdate()
    fair = vouchers.fair_create(
        actor=officer,
        campaign=campaign,
        unit=tree.vinh_linh,
        data=vouchers.FairData("Hội chợ Vĩnh Linh", today, today + dt.timedelta(days=2), 300_000),
    )
    stall = vouchers.stall_add(actor=officer, fair=fair, name="Gian gạo")
    person = beneficiaries.beneficiary_register(
        actor=officer,
        unit=tree.vinh_linh,
        person=PersonData(full_name="Hồ Thị Lan", birth="1948"),
        profile=beneficiaries.ProfileData(),
    ).person
    voucher = vouchers.voucher_issue(actor=officer, fair=fair, people=[person])[0]
    return fair, stall, voucher


@register(
    "fair_detail",
    "stall_add",
    "voucher_issue",
    "voucher_sheet",
    "fair_reconcile",
    "fair_reconcile_export",
)
def _fair(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_fair(tree, people)[0].pk}


@register("voucher_redeem")
def _stall(tree: Any, people: Any) -> dict[str, Any]:
    fair, stall, _voucher = _qt_fair(tree, people)
    return {"pk": fair.pk, "stall_pk": stall.pk}


@register("voucher_void")
def _voucher(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_fair(tree, people)[2].pk}


@register_api(
    "/api/v1/campaigns/{campaign_id}",
    "/api/v1/campaigns/{campaign_id}/launch",
    "/api/v1/campaigns/{campaign_id}/coverage",
    "/api/v1/campaigns/{campaign_id}/uncovered",
    "/api/v1/campaigns/{campaign_id}/targets",
    "/api/v1/campaigns/{campaign_id}/aid",
)
def _api_campaign(tree: Any, people: Any) -> dict[str, Any]:
    return {"campaign_id": _qt_campaign(tree, people).pk}


@register_api("/api/v1/aid/{record_id}/void")
def _api_aid_record(tree: Any, people: Any) -> dict[str, Any]:
    return {"record_id": _qt_fair(tree, people)[2].aid_record_id}
