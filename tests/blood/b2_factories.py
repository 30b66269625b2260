"""Small builders for the blood tests of donors' pages, sessions, honours and statistics (donors and
donations written directly, as B1's services would leave them)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from nhandao.blood.models import BloodDonation, BloodDonor, DonationKind
from nhandao.people.models import Household, Person
from nhandao.people.services import PersonData, person_check, person_create

_codes = itertools.count(1)


def make_person(unit: Any, full_name: str, *, household: Household | None = None, **kw: Any):
    from nhandao.orgs.models import User

    checked = person_check(PersonData(full_name=full_name, **kw))
    by = User.objects.get(username="national")  # the conftest persona, who may enter anywhere
    return person_create(actor=by, unit=unit, checked=checked, household=household)


def make_donor(
    unit: Any,
    full_name: str = "Nguyễn Văn An",
    *,
    abo: str = "O",
    rh: str = "+",
    household: Household | None = None,
    person: Person | None = None,
    **kw: Any,
) -> BloodDonor:
    person = person or make_person(unit, full_name, household=household, **kw)
    return BloodDonor.objects.create(
        person=person, unit=unit, abo=abo, rh=rh, card_code=f"HM{next(_codes):06d}"
    )


def add_donation(
    donor: BloodDonor,
    on: dt.date,
    *,
    kind: str = DonationKind.WHOLE_BLOOD,
    volume_ml: int = 350,
    unit: Any = None,
    session: Any = None,
    certificate_no: str = "",
) -> BloodDonation:
    first = donor.donation_count == 0
    donation = BloodDonation.objects.create(
        donor=donor,
        unit=unit or donor.unit,
        session=session,
        donated_on=on,
        kind=kind,
        volume_ml=volume_ml,
        certificate_no=certificate_no,
        first_time=first,
    )
    donor.donation_count += 1
    if donor.last_donation_on is None or on >= donor.last_donation_on:
        donor.last_donation_on = on
        donor.last_donation_kind = kind
    donor.save()
    return donation


def xlsx_values(content: bytes, sheet: int = 0) -> list[str]:
    """Every non-empty cell of a workbook's sheet, as text."""
    import io

    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    rows = book.get_sheet_by_index(sheet).to_python()
    return [str(v) for row in rows for v in row if v not in ("", None)]
