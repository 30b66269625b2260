"""Pledges: a promise to give, in instalments, with reminders before each is due.

What was given against a pledge is the sum of its recorded donations (``Donation.pledge``); it
fills the instalments in due-date order. A pledge becomes fulfilled when its donations cover the
total, and open again when a reversal uncovers it."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nhandao.core.audit import audit_record
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.core.money import format_vnd
from nhandao.core.text import STORED_LANGUAGE, nfc

from .ledger import Earmark, check_amount
from .models import Donor, Fund, Pledge, PledgeInstalment, PledgeStatus
from .selectors_donations import InstalmentView, pledge_paid, pledge_view
from .services import _check_earmark, d, require

A = AuditEvent.Action
MAX_INSTALMENTS = 120
REMIND_DAYS = 7


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, the last day of a shorter month when it has no such day
    (31/01 → 28/02 or 29/02)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def equal_instalments(total: int, count: int, first_due: dt.date) -> list[tuple[dt.date, int]]:
    """``count`` monthly instalments from ``first_due``; the đồng left over by the division go
    to the first instalment, so the rows add up to the total exactly."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ApplicationError(_("Số đợt phải là số nguyên dương."), field="count")
    if count > MAX_INSTALMENTS:
        raise ApplicationError(_("Tối đa %(n)s đợt.") % {"n": MAX_INSTALMENTS}, field="count")
    share, extra = divmod(total, count)
    if share == 0:
        raise ApplicationError(_("Mỗi đợt phải lớn hơn 0 đồng."), field="count")
    return [(add_months(first_due, i), share + (extra if i == 0 else 0)) for i in range(count)]


@dataclass
class PledgeData:
    donor: Donor
    fund: Fund
    amount: int
    pledged_on: dt.date
    earmark: Earmark = field(default_factory=Earmark)
    note: str = ""
    # Either explicit rows (due date, amount) or ``count`` equal monthly rows from ``first_due``.
    instalments: list[tuple[dt.date, int]] = field(default_factory=list)
    count: int | None = None
    first_due: dt.date | None = None


def _rows(data: PledgeData) -> list[tuple[dt.date, int]]:
    if data.instalments:
        rows = list(data.instalments)
        if len(rows) > MAX_INSTALMENTS:
            raise ApplicationError(
                _("Tối đa %(n)s đợt.") % {"n": MAX_INSTALMENTS}, field="instalments"
            )
        for n, (due, amount) in enumerate(rows, start=1):
            if not isinstance(due, dt.date):
                raise ApplicationError(_("Đợt %(n)s: chưa có hạn.") % {"n": n}, field="instalments")
            check_amount(amount, "instalments")
    else:
        count = data.count if data.count is not None else 1
        first = data.first_due or data.pledged_on
        rows = equal_instalments(data.amount, count, first)
    total = sum(a for _d, a in rows)
    if total != data.amount:
        raise ApplicationError(
            _("Tổng các đợt (%(sum)s) khác tổng số cam kết (%(total)s).")
            % {"sum": format_vnd(total), "total": format_vnd(data.amount)},
            field="instalments",
        )
    if any(due < data.pledged_on for due, _a in rows):
        raise ApplicationError(
            _("Hạn của các đợt không được trước ngày cam kết."), field="instalments"
        )
    return sorted(rows)


@transaction.atomic
def pledge_create(*, actor: Any, unit: Any, data: PledgeData) -> Pledge:
    require(actor, "donation.record", unit)
    check_amount(data.amount)
    if data.donor.merged_into_id:
        raise ApplicationError(_("Nhà hảo tâm này đã được hợp nhất vào hồ sơ khác."), field="donor")
    if data.fund.status != "open":
        raise ApplicationError(
            _("«%(fund)s» đã kết thúc, không nhận cam kết mới.") % {"fund": data.fund.name},
            field="fund",
        )
    if not unit.path.startswith(data.fund.unit.path):
        raise ApplicationError(
            _("%(unit)s không thuộc phạm vi của «%(fund)s».")
            % {"unit": unit.name, "fund": data.fund.name},
            field="fund",
        )
    _check_earmark(actor, data.fund, data.earmark)
    rows = _rows(data)
    pledge = Pledge.objects.create(
        unit=unit,
        donor=data.donor,
        fund=data.fund,
        amount=data.amount,
        pledged_on=data.pledged_on,
        note=nfc(data.note)[:255],
        created_by=actor,
        **data.earmark.fields(),
    )
    PledgeInstalment.objects.bulk_create(
        [PledgeInstalment(pledge=pledge, due_on=due, amount=amount) for due, amount in rows]
    )
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=pledge,
        unit_path=unit.path,
        changes={
            "donor": data.donor.name,
            "fund": data.fund.code,
            "amount": data.amount,
            "instalments": [[d(due), amount] for due, amount in rows],
        },
    )
    return pledge


def pledge_refresh(pledge: Pledge, *, actor: Any = None) -> Pledge:
    """Fulfilled when its recorded donations cover the total; open again when they no longer
    do (a reversal). A cancelled pledge stays cancelled."""
    pledge = Pledge.objects.get(pk=pledge.pk)
    if pledge.status == PledgeStatus.CANCELLED:
        return pledge
    paid = pledge_paid(pledge)
    status = PledgeStatus.FULFILLED if paid >= pledge.amount else PledgeStatus.OPEN
    if status != pledge.status:
        old = pledge.status
        Pledge.objects.filter(pk=pledge.pk).update(status=status)
        pledge.status = status
        audit_record(
            actor=actor,
            action=A.UPDATE,
            obj=pledge,
            unit_path=pledge.unit.path,
            changes={"status": [old, status], "paid": paid},
        )
    return pledge


@transaction.atomic
def pledge_cancel(*, actor: Any, pledge: Pledge, reason: str) -> Pledge:
    require(actor, "donation.record", pledge.unit)
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if pledge.status != PledgeStatus.OPEN:
        raise ApplicationError(_("Chỉ hủy được cam kết đang thực hiện."))
    reason = nfc(reason or "")
    if not reason:
        raise ApplicationError(_("Cần ghi lý do hủy cam kết."), field="reason")
    pledge.status = PledgeStatus.CANCELLED
    with translation.override(STORED_LANGUAGE):
        cancelled = _("Hủy: %s") % reason
    pledge.note = (f"{pledge.note} · " if pledge.note else "") + cancelled
    pledge.note = pledge.note[:255]
    pledge.save(update_fields=["status", "note"])
    audit_record(
        actor=actor,
        action=A.DEACTIVATE,
        obj=pledge,
        unit_path=pledge.unit.path,
        changes={"status": ["open", "cancelled"], "reason": reason},
    )
    return pledge


# --- reminders -------------------------------------------------------------------------------


def reminders_due(
    *, user: Any = None, days: int = REMIND_DAYS, today: dt.date | None = None
) -> list[tuple[Pledge, InstalmentView]]:
    """Instalments of open pledges due within ``days`` or overdue, still not fully given, in
    due-date order. ``user=None`` reads every unit (the command run by the system)."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=days)
    pledges = Pledge.objects.filter(status=PledgeStatus.OPEN)
    if user is not None:
        pledges = Pledge.objects.visible_to(user).filter(status=PledgeStatus.OPEN)
    pledges = pledges.filter(
        pk__in=PledgeInstalment.objects.filter(due_on__lte=horizon).values("pledge_id")
    ).select_related("donor", "donor__unit", "fund", "unit")
    out: list[tuple[Pledge, InstalmentView]] = []
    for pledge in pledges.prefetch_related("instalments"):
        view = pledge_view(pledge, today=today)
        for row in view.instalments:
            if row.outstanding > 0 and row.due_on <= horizon:
                out.append((pledge, row))
    out.sort(key=lambda pr: (pr[1].due_on, pr[0].donor.sort_key, pr[1].instalment.pk))
    return out


def reminder_address(donor: Donor) -> str:
    if donor.email:
        return donor.email
    contact = donor.contacts.exclude(email="").first()
    return contact.email if contact is not None else ""


@transaction.atomic
def reminder_send(*, actor: Any, instalment: PledgeInstalment, today: dt.date | None = None) -> str:
    """Remind the donor of one instalment: an e-mail when the donor has an address; the
    instalment is stamped either way (the officer may have phoned). Returns the address used.
    ``actor`` is a user, or a label string for the scheduled command acting for every unit."""
    pledge = instalment.pledge
    if not isinstance(actor, str):
        require(actor, "donation.record", pledge.unit)
    if pledge.status != PledgeStatus.OPEN:
        raise ApplicationError(_("Cam kết không còn đang thực hiện."))
    view = pledge_view(pledge, today=today)
    row = next((r for r in view.instalments if r.instalment.pk == instalment.pk), None)
    if row is None or row.outstanding <= 0:
        raise ApplicationError(_("Đợt này đã được ủng hộ đủ."))
    donor = pledge.donor
    address = reminder_address(donor)
    if address:
        # A letter to the donor: in Vietnamese whatever the language of the officer's pages.
        with translation.override(STORED_LANGUAGE):
            body = _(
                "Kính gửi %(donor)s,\n\n"
                "%(unit)s trân trọng cảm ơn tấm lòng của Quý vị đã cam kết ủng hộ «%(fund)s».\n"
                "Xin nhắc đợt cam kết có hạn ngày %(due)s, số tiền còn lại %(amount)s.\n"
                "Khi chuyển khoản, xin ghi nội dung: %(code)s %(name)s.\n\n"
                "Trân trọng."
            ) % {
                "donor": donor.name,
                "unit": pledge.unit.name,
                "fund": pledge.fund.name,
                "due": d(row.due_on),
                "amount": format_vnd(row.outstanding),
                "code": pledge.fund.code,
                "name": donor.name,
            }
            EmailMessage(
                subject=_("Nhắc đợt cam kết ủng hộ «%(fund)s»") % {"fund": pledge.fund.name},
                body=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[address],
            ).send()
    now = timezone.now()
    PledgeInstalment.objects.filter(pk=instalment.pk).update(reminded_at=now)
    instalment.reminded_at = now
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=pledge,
        unit_path=pledge.unit.path,
        changes={
            "reminded": d(row.due_on),
            "outstanding": row.outstanding,
            "emailed_to": address,
        },
    )
    return address
