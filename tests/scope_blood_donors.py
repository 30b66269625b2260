"""Scope registrations of the blood donor, session, honour and pledge pages (see scope_registry.py).

The makers build a donor of xã Vĩnh Linh with a pending honour and a pledge, and a session held
there with one registration: all in Quảng Trị, outside Hà Nội."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from tests.scope_registry import register, register_api  # noqa: F401


def _qt_donor(tree: Any, people: Any) -> Any:
    from nhandao.blood.models import BloodDonor
    from nhandao.orgs.models import User
    from nhandao.people.services import PersonData, person_check, person_create

    outsider = User.objects.get(pk=people.outsider.pk)
    person = person_create(
        actor=outsider,
        unit=tree.vinh_linh,
        checked=person_check(PersonData(full_name="Trương Văn Hiến", birth="1990")),
    )
    return BloodDonor.objects.create(
        person=person,
        unit=tree.vinh_linh,
        abo="O",
        rh="+",
        card_code="QT" + secrets.token_hex(5).upper(),  # unique whatever other makers made
    )


def _qt_session(tree: Any, people: Any) -> Any:
    from nhandao.blood.models import BloodSession

    return BloodSession.objects.create(
        unit=tree.vinh_linh, held_on=dt.date(2026, 6, 14), place="Nhà văn hóa thôn Hiền Lương"
    )


@register("blood_donor_detail", "blood_donor_edit")
def _donor(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_donor(tree, people).pk}


@register(
    "blood_session_detail",
    "blood_session_edit",
    "blood_session_register",
)
def _session(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_session(tree, people).pk}


@register("blood_registration_remove")
def _registration(tree: Any, people: Any) -> dict[str, Any]:
    from nhandao.blood.models import SessionRegistration

    session = _qt_session(tree, people)
    reg = SessionRegistration.objects.create(session=session, donor=_qt_donor(tree, people))
    return {"pk": session.pk, "registration_id": reg.pk}


@register("blood_honour_award")
def _honour(tree: Any, people: Any) -> dict[str, Any]:
    from nhandao.blood.honours import honours_after_donation

    donor = _qt_donor(tree, people)
    donor.donation_count = 5
    donor.last_donation_on = dt.date(2026, 1, 5)
    donor.save()
    return {"pk": honours_after_donation(donor=donor)[0].pk}


@register("blood_pledge_withdraw")
def _pledge(tree: Any, people: Any) -> dict[str, Any]:
    from nhandao.blood.models import OrganPledge

    donor = _qt_donor(tree, people)
    pledge = OrganPledge.objects.create(
        person=donor.person, unit=tree.vinh_linh, kind="organ", registered_on=dt.date(2026, 1, 5)
    )
    return {"pk": pledge.pk}


@register("blood_pledge_create")
def _pledge_person(tree: Any, people: Any) -> dict[str, Any]:
    return {"person_id": _qt_donor(tree, people).person_id}
