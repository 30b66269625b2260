"""Scope registrations of the blood-donation pages and API paths (see tests/scope_registry.py):
the check-in desk of a session, the certificate page, recording donations and deferrals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.scope_registry import register, register_api


def _qt_session(tree: Any, people: Any) -> Any:
    from nhandao.blood.models import BloodSession

    return BloodSession.objects.create(
        unit=tree.vinh_linh, held_on=dt.date(2026, 6, 14), place="Nhà văn hóa xã Vĩnh Linh"
    )


def _qt_donor(tree: Any, people: Any) -> Any:
    from nhandao.blood import services
    from nhandao.people.services import PersonData

    return services.donor_register(
        actor=people.outsider,
        unit=tree.vinh_linh,
        person=PersonData(full_name="Trần Văn Hiến", birth="12/03/1990", sex="male"),
        data=services.DonorData(abo="O", rh="+", weight_kg="60"),
    )


@register("blood_checkin", "blood_checkin_new")
def _session(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_session(tree, people).pk}


@register("blood_checkin_donor", "blood_checkin_defer")
def _session_donor(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_session(tree, people).pk, "donor_id": _qt_donor(tree, people).pk}


@register("blood_certificate")
def _certificate(tree: Any, people: Any) -> dict[str, Any]:
    from nhandao.blood.models import BloodDonation

    donor = _qt_donor(tree, people)
    donation = BloodDonation.objects.create(
        donor=donor,
        unit=tree.vinh_linh,
        donated_on=dt.date(2026, 1, 5),
        kind="whole_blood",
        volume_ml=350,
    )
    return {"pk": donation.pk}


@register_api(
    "/api/v1/blood/sessions/{session_id}/donations",
    "/api/v1/blood/sessions/{session_id}/deferrals",
)
def _api_session(tree: Any, people: Any) -> dict[str, Any]:
    return {"session_id": _qt_session(tree, people).pk}
