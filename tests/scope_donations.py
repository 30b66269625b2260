"""Scope registrations of the donations pages and API paths (see tests/scope_registry.py): donors,
a donor pair, contacts, donations with their receipts, pledges and instalments, all in Quảng Trị
(the activity fund of xã Vĩnh Linh, recorded by the Quảng Trị officer)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.scope_registry import register, register_api


def _qt_donor(tree: Any, people: Any, name: str = "Công ty TNHH Gió Lào") -> Any:
    from nhandao.funds import services

    return services.donor_create(
        actor=people.outsider,
        unit=tree.vinh_linh,
        data=services.DonorData(kind="business", name=name, email="gio@lao.vn"),
    )


def _qt_donation(tree: Any, people: Any) -> Any:
    from nhandao.funds import services

    return services.donation_record(
        actor=people.outsider,
        unit=tree.vinh_linh,
        data=services.DonationData(
            fund=services.fund_activity_for(tree.vinh_linh),
            amount=300_000,
            received_on=timezone.localdate() - dt.timedelta(days=1),
            donor=_qt_donor(tree, people),
        ),
    )


def _qt_pledge(tree: Any, people: Any) -> Any:
    from nhandao.funds import pledges, services

    today = timezone.localdate()
    return pledges.pledge_create(
        actor=people.outsider,
        unit=tree.vinh_linh,
        data=pledges.PledgeData(
            donor=_qt_donor(tree, people),
            fund=services.fund_activity_for(tree.vinh_linh),
            amount=1_200_000,
            pledged_on=today,
            count=3,
            first_due=today,
        ),
    )


@register("donor_detail", "donor_edit", "donor_contact_add")
def _donor(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_donor(tree, people).pk}


@register("donor_thanks_year")
def _donor_year(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_donation(tree, people).donor_id, "year": timezone.localdate().year}


@register("donor_contact_remove")
def _contact(tree: Any, people: Any) -> dict[str, Any]:
    from nhandao.funds.models import DonorContact

    donor = _qt_donor(tree, people)
    contact = DonorContact.objects.create(donor=donor, name="Lê Thị Hoa")
    return {"pk": donor.pk, "contact_id": contact.pk}


@register("donor_pair")
def _pair(tree: Any, people: Any) -> dict[str, Any]:
    a = _qt_donor(tree, people, "Công ty TNHH Gió Lào")
    b = _qt_donor(tree, people, "Công ty TNHH Gió Lào Quảng Trị")
    return {"pk": a.pk, "other": b.pk}


@register(
    "donation_detail",
    "donation_reverse",
    "donation_thanks",
    "receipt_print",
    "receipt_docx",
    "receipt_pdf",
    "receipt_issue",
    "receipt_email",
)
def _donation(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_donation(tree, people).pk}


@register("pledge_detail", "pledge_pay", "pledge_cancel")
def _pledge(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_pledge(tree, people).pk}


@register("pledge_remind")
def _instalment(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_pledge(tree, people).instalments.first().pk}


@register_api("/api/v1/funds/donors/{donor_id}")
def _api_donor(tree: Any, people: Any) -> dict[str, Any]:
    return {"donor_id": _qt_donor(tree, people).pk}


@register_api(
    "/api/v1/funds/donations/{donation_id}",
    "/api/v1/funds/donations/{donation_id}/reverse",
    "/api/v1/funds/donations/{donation_id}/receipt",
    "/api/v1/funds/donations/{donation_id}/receipt.pdf",
)
def _api_donation(tree: Any, people: Any) -> dict[str, Any]:
    return {"donation_id": _qt_donation(tree, people).pk}


@register_api("/api/v1/funds/pledges/{pledge_id}")
def _api_pledge(tree: Any, people: Any) -> dict[str, Any]:
    return {"pledge_id": _qt_pledge(tree, people).pk}
