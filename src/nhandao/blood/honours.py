"""Honours (Decision 122/QĐ-BCĐQG): crossing a threshold of donations creates a pending honour for
the donor, and for the family (the donor's household) from the sum of its members' donations.

The thresholds are data (``HonourRule``); awarding a pending honour is recorded with the decision.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nhandao.core.audit import audit_record
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent

from .models import BloodDonor, Honour, HonourRule, HonourScope, HonourStatus

A = AuditEvent.Action


def family_donation_count(household_id: int | None) -> int:
    """Donations of every donor whose person belongs to the household."""
    if household_id is None:
        return 0
    total = BloodDonor.objects.filter(person__household_id=household_id).aggregate(
        n=Sum("donation_count")
    )["n"]
    return int(total or 0)


def _donation_dates(**filters: Any) -> list[datetime.date]:
    from .models import BloodDonation

    return list(
        BloodDonation.objects.filter(**filters)
        .order_by("donated_on", "pk")
        .values_list("donated_on", flat=True)
    )


def _reached_on(
    threshold: int, count: int, dates: list[datetime.date], default: datetime.date
) -> datetime.date:
    """The day of the threshold-th donation when the stored history shows it (an imported
    history crosses several thresholds at once, each on its own day), else ``default``."""
    index = threshold - 1 - (count - len(dates))
    return dates[index] if 0 <= index < len(dates) else default


def _create_missing(
    *,
    rules: list[HonourRule],
    count: int,
    held: set[int],
    fields: dict[str, Any],
    dates: Any = None,
) -> list[Honour]:
    created: list[Honour] = []
    history: list[datetime.date] | None = None
    for rule in rules:
        if rule.threshold > count or rule.pk in held:
            continue
        values = dict(fields)
        if dates is not None:
            history = dates() if history is None else history
            values["reached_on"] = _reached_on(rule.threshold, count, history, values["reached_on"])
        try:
            with transaction.atomic():
                honour = Honour.objects.create(rule=rule, count=count, **values)
        except IntegrityError:
            # Another station created the same honour at the same moment: it is held now.
            continue
        audit_record(actor=None, action=A.CREATE, obj=honour)
        created.append(honour)
    return created


def honours_after_donation(*, donor: BloodDonor, on: datetime.date | None = None) -> list[Honour]:
    """Create the pending honours the donor (and the donor's family) reached and does not hold yet.

    Idempotent: calling it again creates nothing new. ``reached_on`` is ``on`` when given, else
    the day of the donation that crossed the threshold (read from the history when a rule is
    reached), else the donor's last donation date.
    """
    reached_on = on or donor.last_donation_on or timezone.localdate()
    rules = list(HonourRule.objects.filter(is_active=True).order_by("threshold"))
    base = {"unit_id": donor.unit_id, "reached_on": reached_on}
    person_rules = [r for r in rules if r.scope == HonourScope.PERSON]
    held = set(Honour.objects.filter(donor=donor).values_list("rule_id", flat=True))
    created = _create_missing(
        rules=person_rules,
        count=donor.donation_count,
        held=held,
        fields={**base, "donor": donor},
        dates=None if on else (lambda: _donation_dates(donor=donor)),
    )
    household_id = donor.person.household_id
    if household_id is not None:
        family_rules = [r for r in rules if r.scope == HonourScope.FAMILY]
        held = set(
            Honour.objects.filter(household_id=household_id).values_list("rule_id", flat=True)
        )
        created += _create_missing(
            rules=family_rules,
            count=family_donation_count(household_id),
            held=held,
            fields={**base, "household_id": household_id},
            dates=None
            if on
            else (lambda: _donation_dates(donor__person__household_id=household_id)),
        )
    return created


def honour_award(
    *, honour: Honour, decision_no: str, awarded_on: datetime.date, actor: Any
) -> Honour:
    """Mark a pending honour awarded, with the decision number and date (audited)."""
    decision_no = (decision_no or "").strip()
    if not decision_no:
        raise ApplicationError(_("Chưa ghi số quyết định khen thưởng."), field="decision_no")
    if awarded_on is None:
        raise ApplicationError(_("Chưa ghi ngày quyết định khen thưởng."), field="awarded_on")
    if awarded_on > timezone.localdate():
        raise ApplicationError(_("Ngày khen thưởng ở tương lai."), field="awarded_on")
    if awarded_on < honour.reached_on:
        raise ApplicationError(
            _("Ngày khen thưởng trước ngày đạt mốc (%(d)s).")
            % {"d": honour.reached_on.strftime("%d/%m/%Y")},
            field="awarded_on",
        )
    with transaction.atomic():
        locked = Honour.objects.select_for_update().get(pk=honour.pk)
        if locked.status == HonourStatus.AWARDED:
            raise ApplicationError(_("Tôn vinh này đã được khen."))
        old = {"status": locked.status, "decision_no": locked.decision_no, "awarded_on": None}
        locked.status = HonourStatus.AWARDED
        locked.decision_no = decision_no
        locked.awarded_on = awarded_on
        locked.save(update_fields=["status", "decision_no", "awarded_on"])
        audit_record(
            actor=actor,
            action=A.UPDATE,
            obj=locked,
            unit_path=locked.unit.path,
            changes={
                "status": [old["status"], locked.status],
                "decision_no": [old["decision_no"], decision_no],
                "awarded_on": [None, awarded_on.isoformat()],
            },
        )
    return locked
