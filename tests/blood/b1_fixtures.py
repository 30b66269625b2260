"""Fixtures of the check-in tests: a session held today in Hoàn Kiếm and donors registered there."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from nhandao.blood import services
from nhandao.blood.models import BloodSession, SessionStatus
from nhandao.people.services import PersonData
from tests.conftest import actor

TODAY = timezone.localdate()


@dataclass
class Desk:
    session: BloodSession
    an: Any  # a man of 36, 60 kg, never donated
    binh: Any  # a woman, 44.9 kg
    officer: Any


def make_donor(by: Any, unit: Any, name: str, **kw: Any) -> Any:
    person = PersonData(
        full_name=name,
        birth=kw.pop("birth", "17/05/1990"),
        sex=kw.pop("sex", "male"),
        id_number=kw.pop("id_number", ""),
        phone=kw.pop("phone", ""),
    )
    return services.donor_register(
        actor=actor(by),
        unit=unit,
        person=person,
        data=services.DonorData(abo=kw.pop("abo", "O"), rh=kw.pop("rh", "+"), **kw),
        on=TODAY,
    )


def make_desk(tree: Any, people: Any) -> Desk:
    """Each test module wraps this in its own ``desk`` fixture."""
    session = BloodSession.objects.create(
        unit=tree.hoan_kiem,
        held_on=TODAY,
        place="Cung Văn hóa Hữu nghị",
        status=SessionStatus.OPEN,
        target_units=200,
    )
    an = make_donor(
        people.hn_officer,
        tree.hoan_kiem,
        "Nguyễn Văn An",
        id_number="001090001234",
        phone="0912345678",
        weight_kg="60",
    )
    binh = make_donor(
        people.hn_officer,
        tree.hoan_kiem,
        "Lê Thị Bình",
        birth="02/02/1995",
        sex="female",
        weight_kg="44,9",
        abo="A",
        rh="",
    )
    return Desk(session, an, binh, actor(people.hn_officer))


def donate(desk: Desk, donor: Any, **kw: Any) -> Any:
    by = kw.pop("by", desk.officer)
    data = services.DonationData(
        kind=kw.pop("kind", "whole_blood"),
        volume_ml=kw.pop("volume_ml", 350),
        weight_kg=kw.pop("weight_kg", "60"),
        **kw,
    )
    return services.donation_record(actor=by, donor=donor, session=desk.session, data=data)


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)
