"""Reads of the check-in desk (selectors): find a donor by citizen ID, phone, donor-card code (or
its QR) or name, and say at once whether they may donate today.

Kept to a handful of indexed queries whatever the registry's size, because twenty stations call
it at once on a drive's morning: the donors (one query through the person's indexed ID, phone or
the card code), their latest weights and their running deferrals (one query each), and the rules
in force. The last donation comes from the donor's own counters (kept by ``donation_record``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from nhandao.core.phone import InvalidPhone, normalize_phone
from nhandao.core.text import fold

from . import eligibility
from .models import BloodDonor, Deferral, DonationKind, WeightRecord
from .services import CARD_PREFIX, normalize_card_code

LIMIT = 10
_DIGITS = re.compile(r"^[\d\s.+()-]{6,}$")
QR_PREFIX = "NHANDAO:"


@dataclass
class CheckinRow:
    donor: BloodDonor
    decision: eligibility.Decision
    weight_kg: Any
    weighed_on: dt.date | None
    deferrals: list[Deferral]


def donor_filter(query: str) -> Q | None:
    """The lookup a check-in query means, or None when it cannot find anyone."""
    query = query.strip()
    if query.upper().startswith(QR_PREFIX):
        query = query[len(QR_PREFIX) :]
    if not query:
        return None
    code = normalize_card_code(query)
    if code.startswith(CARD_PREFIX) and len(code) > len(CARD_PREFIX) + 3:
        return Q(card_code=code)
    if _DIGITS.match(query):
        digits = re.sub(r"\D", "", query)
        if len(digits) == 12:  # a citizen ID, or a 12-digit CMND of before 2016
            return Q(person__id_number=digits) | Q(person__legacy_id=digits)
        found: list[Q] = [Q(person__legacy_id=digits)] if len(digits) == 9 else []
        with contextlib.suppress(InvalidPhone):  # not a phone number: the ID lookups alone
            found.append(Q(person__phone=normalize_phone(query)))
        if not found:
            return None
        q = found[0]
        for other in found[1:]:
            q |= other
        return q
    if len(query) < 2:
        return None
    return Q(person__name_key__contains=fold(query))


def checkin_lookup(
    *,
    user: Any,
    query: str,
    on: dt.date | None = None,
    kind: str = DonationKind.WHOLE_BLOOD,
    rules: eligibility.Rules | None = None,
) -> list[CheckinRow]:
    """Donors in the user's scope matching ``query``, each with the eligibility decision for a
    donation of ``kind`` on ``on`` (with their latest weight; the volume is chosen later)."""
    q = donor_filter(query)
    if q is None:
        return []
    on = on or timezone.localdate()
    donors = list(
        BloodDonor.objects.visible_to(user)
        .filter(q, person__merged_into__isnull=True)
        .select_related("person", "unit")
        .order_by("person__sort_key", "pk")[:LIMIT]
    )
    if not donors:
        return []
    if rules is None:
        from .selectors import rules_in_force

        rules = eligibility.rules_from_row(rules_in_force(on))
    ids = [donor.pk for donor in donors]
    weights: dict[int, tuple[Any, dt.date | None]] = {}
    for donor_id, weight, measured_on in (
        WeightRecord.objects.filter(donor_id__in=ids, measured_on__lte=on)
        .order_by("donor_id", "-measured_on", "-pk")
        .values_list("donor_id", "kg", "measured_on")
    ):
        weights.setdefault(donor_id, (weight, measured_on))
    running: dict[int, list[Deferral]] = {}
    for deferral in Deferral.objects.filter(donor_id__in=ids, deferred_on__lte=on).filter(
        Q(until__isnull=True) | Q(until__gte=on)
    ):
        running.setdefault(deferral.donor_id, []).append(deferral)
    rows = []
    for donor in donors:
        kg: Any = None
        weighed_on: dt.date | None = None
        if donor.pk in weights:
            kg, weighed_on = weights[donor.pk]
        open_deferrals = running.get(donor.pk, [])
        last = None
        if donor.last_donation_on is not None and donor.last_donation_on <= on:
            last = (donor.last_donation_on, donor.last_donation_kind)
        facts = eligibility.DonorFacts(
            birth_date=donor.person.birth_date,
            birth_precision=donor.person.birth_precision,
            sex=donor.person.sex,
            weight_kg=kg,
            last_donation=last,
            deferral_until=max((x.until for x in open_deferrals if x.until), default=None),
            deferral_permanent=any(x.until is None for x in open_deferrals),
        )
        decision = eligibility.check(rules, facts, on=on, kind=kind)
        rows.append(CheckinRow(donor, decision, kg, weighed_on, open_deferrals))
    return rows


def donation_get(*, user: Any, pk: Any) -> Any:
    """A donation (its certificate) through the user's scope, or 404."""
    from nhandao.core.scoping import get_visible_or_404

    from .models import BloodDonation

    qs = BloodDonation.objects.select_related(
        "donor", "donor__person", "donor__person__ward", "unit", "session"
    )
    return get_visible_or_404(qs, user, pk=pk)


def transfusion_use_list(*, donation: Any) -> list[Any]:
    return list(donation.uses.order_by("used_on", "pk"))


def session_list_around(*, user: Any, on: dt.date | None = None) -> list[Any]:
    """Sessions in scope held today (or on ``on``) and not cancelled: where check-in happens."""
    from .models import BloodSession, SessionStatus

    on = on or timezone.localdate()
    return list(
        BloodSession.objects.visible_to(user)
        .filter(held_on__gte=on - dt.timedelta(days=1), held_on__lte=on + dt.timedelta(days=1))
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("unit")
        .order_by("held_on", "place")[:50]
    )
