"""Sponsors of humanitarian addresses (BEN-4, "Mỗi tổ chức, cá nhân gắn với một địa chỉ nhân
đạo"): the services that link a sponsor to an address, record and void fulfilments and end a
commitment (atomic, audited), and the scoped reads: lists, progress per period, addresses still
without a sponsor, and what a sponsor's private link may show.

A commitment is due period by period from ``starts_on`` (monthly, quarterly, yearly, or once);
what was given covers the periods in order, so a late payment still counts for the period it was
owed for. A period is overdue once its last day has passed without being covered.
"""

from __future__ import annotations

import calendar
import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from nhandao.beneficiaries.models import Beneficiary, GroupMembership
from nhandao.beneficiaries.models import Status as BeneficiaryStatus
from nhandao.core.audit import audit_events_for, audit_record
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.core.money import format_vnd
from nhandao.core.text import fold, nfc

from .ledger import check_amount
from .models import (
    Donation,
    DonationStatus,
    Donor,
    Frequency,
    Sponsorship,
    SponsorshipFulfilment,
    SponsorshipStatus,
)
from .services import d, require

A = AuditEvent.Action
PERM = "donation.record"
MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}
ONCE_GRACE_DAYS = 30  # a one-time gift without an end date is overdue 30 days after the start
FIRST_YEAR, LAST_YEAR = 1990, 2100


def new_token() -> str:
    """The sponsor's private link: 128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)[:32]


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, kept inside the target month (31/01 + 1 → 28/02)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def active_q(today: dt.date | None = None, prefix: str = "") -> Q:
    """An active commitment: not ended or stopped, and not past its end date."""
    today = today or timezone.localdate()
    return Q(**{f"{prefix}status": SponsorshipStatus.ACTIVE}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": today})
    )


def _check_day(day: Any, field_name: str, label: str) -> dt.date:
    if not isinstance(day, dt.date):
        raise ApplicationError(_("Chưa nhập %(label)s.") % {"label": label}, field=field_name)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ApplicationError(
            _("%(label)s phải trong khoảng năm %(a)s–%(b)s.")
            % {"label": label.capitalize(), "a": FIRST_YEAR, "b": LAST_YEAR},
            field=field_name,
        )
    return day


def _text(value: str, limit: int = 255) -> str:
    return nfc(value or "")[:limit]


# --- progress: periods due, covered, overdue -----------------------------------------------


@dataclass(frozen=True)
class Period:
    number: int
    starts_on: dt.date
    deadline: dt.date  # the last day to give for this period
    expected: int
    covered: int  # how much of ``expected`` what was given covers (periods covered in order)

    @property
    def state(self) -> str:
        if self.covered >= self.expected:
            return "covered"
        return "partial" if self.covered else "open"


@dataclass
class Progress:
    periods_planned: int | None  # None when the commitment has no end date
    periods_due: int  # periods started by today (or by the end date)
    periods_covered: int  # whole periods what was given covers
    periods_overdue: int  # periods past their last day and not covered
    expected: int  # periods_due × amount
    given: int
    overdue: bool
    next_due_on: dt.date | None  # start of the first period not covered (None: all done)
    next_deadline: dt.date | None
    last_given_on: dt.date | None = None
    periods: list[Period] = field(default_factory=list)

    @property
    def shortfall(self) -> int:
        return max(self.expected - self.given, 0)


def _step(s: Sponsorship) -> int | None:
    return MONTHS.get(s.frequency)  # type: ignore[call-overload]


def _schedule(s: Sponsorship, until: dt.date) -> list[tuple[dt.date, dt.date]]:
    """(start, last day) of each period from ``starts_on`` that starts by ``until`` (and never
    past the end date)."""
    last = min(until, s.ends_on) if s.ends_on else until
    step = _step(s)
    if step is None:  # once
        if s.starts_on > last:
            return []
        end = s.ends_on or s.starts_on + dt.timedelta(days=ONCE_GRACE_DAYS)
        return [(s.starts_on, end)]
    out: list[tuple[dt.date, dt.date]] = []
    start = s.starts_on
    n = 0
    while start <= last:
        following = add_months(s.starts_on, step * (n + 1))
        end = following - dt.timedelta(days=1)
        out.append((start, min(end, s.ends_on) if s.ends_on else end))
        start = following
        n += 1
    return out


def _planned(s: Sponsorship) -> int | None:
    if s.frequency == Frequency.ONCE:
        return 1
    if s.ends_on is None:
        return None
    return len(_schedule(s, s.ends_on))


def progress(
    s: Sponsorship,
    *,
    given: int | None = None,
    last_given_on: dt.date | None = None,
    today: dt.date | None = None,
    with_periods: bool = False,
) -> Progress:
    """Expected against given for one commitment, as of ``today``."""
    today = today or timezone.localdate()
    if given is None:
        live = s.fulfilments.filter(voided=False)
        given = int(live.aggregate(s=Sum("amount"))["s"] or 0)
        last = live.order_by("-given_on").values_list("given_on", flat=True).first()
        last_given_on = last
    amount = max(int(s.amount or 0), 1)
    schedule = _schedule(s, today)
    due = len(schedule)
    paid_periods = given // amount  # periods covered in order, however late
    covered = min(paid_periods, due)
    lapsed = sum(1 for _start, end in schedule if end < today)  # only these can be overdue
    live_status = s.status == SponsorshipStatus.ACTIVE
    overdue_periods = max(lapsed - paid_periods, 0) if live_status else 0
    planned = _planned(s)
    next_start: dt.date | None = None
    next_deadline: dt.date | None = None
    if live_status and (planned is None or paid_periods < planned):
        step = _step(s)
        if step is None:
            next_start = s.starts_on if paid_periods == 0 else None
        elif step * paid_periods <= (LAST_YEAR - s.starts_on.year) * 12:
            next_start = add_months(s.starts_on, step * paid_periods)
            if s.ends_on and next_start > s.ends_on:
                next_start = None
        if next_start is not None:
            ahead = _schedule(s, next_start)
            next_deadline = ahead[-1][1] if ahead else None
    periods: list[Period] = []
    if with_periods:
        left = given
        for n, (start, end) in enumerate(schedule, start=1):
            part = min(left, s.amount)
            left -= part
            periods.append(Period(n, start, end, s.amount, part))
    return Progress(
        periods_planned=planned,
        periods_due=due,
        periods_covered=covered,
        periods_overdue=overdue_periods,
        expected=due * s.amount,
        given=given,
        overdue=overdue_periods > 0,
        next_due_on=next_start,
        next_deadline=next_deadline,
        last_given_on=last_given_on,
        periods=periods,
    )


# --- services --------------------------------------------------------------------------------


@dataclass
class SponsorshipData:
    donor: Donor
    beneficiary: Beneficiary
    commitment: str
    amount: int
    frequency: str
    starts_on: dt.date
    ends_on: dt.date | None = None
    goods: bool = False
    note: str = ""


def _check_data(data: SponsorshipData) -> None:
    if len(_text(data.commitment)) < 3:
        raise ApplicationError(
            _("Hãy ghi nội dung cam kết (ví dụ: hỗ trợ tiền ăn học hằng tháng)."),
            field="commitment",
        )
    check_amount(data.amount)
    if data.frequency not in Frequency.values:
        raise ApplicationError(_("Tần suất không hợp lệ."), field="frequency")
    _check_day(data.starts_on, "starts_on", _("ngày bắt đầu"))
    if data.ends_on is not None:
        _check_day(data.ends_on, "ends_on", _("ngày kết thúc"))
        if data.ends_on <= data.starts_on:
            raise ApplicationError(
                _("Ngày kết thúc phải sau ngày bắt đầu (%(day)s).") % {"day": d(data.starts_on)},
                field="ends_on",
            )


@transaction.atomic
def sponsorship_create(*, actor: Any, data: SponsorshipData) -> Sponsorship:
    """Link a sponsor to a humanitarian address with a commitment. The address must be active
    and in the actor's scope, the sponsor visible to the actor, and the same sponsor not already
    actively linked to the same address."""
    beneficiary = (
        Beneficiary.objects.select_for_update()
        .select_related("unit", "person")
        .get(pk=data.beneficiary.pk)
    )
    require(actor, PERM, beneficiary.unit)
    donor = data.donor
    if donor.merged_into_id:
        donor = Donor.objects.get(pk=donor.merged_into_id)
    if not Donor.objects.visible_to(actor).filter(pk=donor.pk).exists():
        raise ApplicationError(
            _("Không tìm thấy nhà tài trợ trong phạm vi của bạn."), field="donor"
        )
    if beneficiary.status != BeneficiaryStatus.ACTIVE:
        raise ApplicationError(
            _("Địa chỉ nhân đạo này đang ở tình trạng «%(status)s», không gắn kết mới được.")
            % {"status": beneficiary.get_status_display()},
            field="beneficiary",
        )
    _check_data(data)
    today = timezone.localdate()
    taken = (
        Sponsorship.objects.filter(donor=donor, beneficiary=beneficiary)
        .filter(active_q(today))
        .first()
    )
    if taken is not None:
        raise ApplicationError(
            _("%(donor)s đang gắn kết với địa chỉ này (từ %(day)s); hãy kết thúc cam kết cũ trước.")
            % {"donor": donor.name, "day": d(taken.starts_on)},
            field="donor",
        )
    s = Sponsorship.objects.create(
        unit=beneficiary.unit,
        donor=donor,
        beneficiary=beneficiary,
        commitment=_text(data.commitment),
        goods=bool(data.goods),
        amount=data.amount,
        frequency=data.frequency,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        note=_text(data.note),
        token=new_token(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=s,
        unit_path=beneficiary.unit.path,
        changes={
            "donor": donor.name,
            "beneficiary": beneficiary.pk,
            "commitment": s.commitment,
            "amount": s.amount,
            "goods": s.goods,
            "frequency": s.frequency,
            "starts_on": d(s.starts_on),
            "ends_on": d(s.ends_on) if s.ends_on else None,
        },
    )
    return s


def eligible_donations(s: Sponsorship) -> QuerySet[Donation]:
    """The sponsor's live donations earmarked to this address, not yet tied to a fulfilment."""
    used = SponsorshipFulfilment.objects.filter(voided=False, donation__isnull=False).values(
        "donation_id"
    )
    return (
        Donation.objects.filter(
            donor_id=s.donor_id,
            earmark_kind="beneficiary",
            earmark_beneficiary_id=s.beneficiary_id,
            status=DonationStatus.RECORDED,
        )
        .exclude(pk__in=used)
        .select_related("fund")
        .order_by("-received_on", "-id")
    )


@transaction.atomic
def fulfilment_record(
    *,
    actor: Any,
    sponsorship: Sponsorship,
    given_on: dt.date,
    amount: int,
    description: str = "",
    donation: Donation | None = None,
) -> SponsorshipFulfilment:
    """Record one delivery against a commitment, optionally tied to the sponsor's donation that
    was earmarked to this address."""
    s = Sponsorship.objects.select_for_update().select_related("unit").get(pk=sponsorship.pk)
    require(actor, PERM, s.unit)
    _check_day(given_on, "given_on", _("ngày trao"))
    if given_on > timezone.localdate():
        raise ApplicationError(_("Ngày trao không được sau hôm nay."), field="given_on")
    if given_on < s.starts_on:
        raise ApplicationError(
            _("Ngày trao trước ngày bắt đầu cam kết (%(day)s).") % {"day": d(s.starts_on)},
            field="given_on",
        )
    if s.ends_on and given_on > s.ends_on:
        raise ApplicationError(
            _("Ngày trao sau ngày kết thúc cam kết (%(day)s).") % {"day": d(s.ends_on)},
            field="given_on",
        )
    check_amount(amount)
    if donation is not None:
        if not eligible_donations(s).filter(pk=donation.pk).exists():
            raise ApplicationError(
                _(
                    "Khoản ủng hộ %(ref)s không phải của nhà tài trợ này chỉ định cho địa chỉ "
                    "này, đã hủy, hoặc đã gắn với lần trao khác."
                )
                % {"ref": donation.reference},
                field="donation",
            )
        if amount > donation.amount:
            raise ApplicationError(
                _("Số tiền lần trao (%(a)s) lớn hơn khoản ủng hộ (%(b)s).")
                % {"a": format_vnd(amount), "b": format_vnd(donation.amount)},
                field="amount",
            )
    f = SponsorshipFulfilment.objects.create(
        sponsorship=s,
        given_on=given_on,
        amount=amount,
        description=_text(description),
        donation=donation,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=s,
        unit_path=s.unit.path,
        changes={
            "fulfilment": f.pk,
            "given_on": d(given_on),
            "amount": amount,
            "description": f.description,
            "donation": donation.reference if donation else None,
        },
    )
    return f


@transaction.atomic
def fulfilment_void(
    *, actor: Any, fulfilment: SponsorshipFulfilment, reason: str
) -> SponsorshipFulfilment:
    """Void a fulfilment recorded by mistake: kept, marked, with the reason."""
    f = SponsorshipFulfilment.objects.select_for_update().get(pk=fulfilment.pk)
    s = Sponsorship.objects.select_related("unit").get(pk=f.sponsorship_id)
    require(actor, PERM, s.unit)
    if f.voided:
        raise ApplicationError(_("Lần trao này đã được hủy."))
    reason = _text(reason)
    if len(reason) < 3:
        raise ApplicationError(_("Cần ghi lý do hủy."), field="reason")
    f.voided = True
    f.void_reason = reason
    f.save(update_fields=["voided", "void_reason"])
    audit_record(
        actor=actor,
        action=A.DEACTIVATE,
        obj=s,
        unit_path=s.unit.path,
        changes={
            "fulfilment": f.pk,
            "given_on": d(f.given_on),
            "amount": f.amount,
            "voided": [False, True],
            "reason": reason,
        },
    )
    return f


@transaction.atomic
def sponsorship_end(
    *, actor: Any, sponsorship: Sponsorship, status: str, on: dt.date, reason: str
) -> Sponsorship:
    """End a commitment (completed) or stop it (cancelled) on a day, with the reason. Periods
    after that day are no longer expected."""
    s = Sponsorship.objects.select_for_update().select_related("unit").get(pk=sponsorship.pk)
    require(actor, PERM, s.unit)
    if status not in (SponsorshipStatus.ENDED, SponsorshipStatus.CANCELLED):
        raise ApplicationError(_("Hãy chọn «Đã kết thúc» hoặc «Đã dừng»."), field="status")
    if s.status != SponsorshipStatus.ACTIVE:
        raise ApplicationError(
            _("Cam kết này đã ở trạng thái «%(status)s».") % {"status": s.get_status_display()}
        )
    _check_day(on, "on", _("ngày kết thúc"))
    if on < s.starts_on:
        raise ApplicationError(
            _("Ngày kết thúc không được trước ngày bắt đầu (%(day)s).") % {"day": d(s.starts_on)},
            field="on",
        )
    if on > timezone.localdate():
        raise ApplicationError(_("Ngày kết thúc không được sau hôm nay."), field="on")
    reason = _text(reason)
    if len(reason) < 3:
        raise ApplicationError(_("Cần ghi lý do kết thúc hoặc dừng."), field="reason")
    if s.fulfilments.filter(voided=False, given_on__gt=on).exists():
        raise ApplicationError(
            _("Đã có lần trao sau ngày %(day)s; hãy chọn ngày kết thúc muộn hơn.") % {"day": d(on)},
            field="on",
        )
    old = {"status": s.status, "ends_on": d(s.ends_on) if s.ends_on else None}
    s.status = status
    s.ends_on = min(s.ends_on, on) if s.ends_on else on
    s.save(update_fields=["status", "ends_on"])
    audit_record(
        actor=actor,
        action=A.DEACTIVATE,
        obj=s,
        unit_path=s.unit.path,
        changes={
            "status": [old["status"], s.status],
            "ends_on": [old["ends_on"], d(s.ends_on)],
            "reason": reason,
        },
    )
    return s


# --- selectors -------------------------------------------------------------------------------


def _given_total() -> Any:
    live = (
        SponsorshipFulfilment.objects.filter(sponsorship=OuterRef("pk"), voided=False)
        .order_by()
        .values("sponsorship")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    return Coalesce(Subquery(live), Value(0))


def _last_given() -> Any:
    return Subquery(
        SponsorshipFulfilment.objects.filter(sponsorship=OuterRef("pk"), voided=False)
        .order_by("-given_on")
        .values("given_on")[:1]
    )


def _base(user: Any) -> QuerySet[Sponsorship]:
    return (
        Sponsorship.objects.visible_to(user)
        .select_related("donor", "unit", "beneficiary__person__ward", "beneficiary__unit")
        .annotate(given_total=_given_total(), last_given_on=_last_given())
    )


def with_progress(rows: Any, today: dt.date | None = None) -> list[Sponsorship]:
    """Attach ``.progress`` to rows read through ``_base`` (no extra query)."""
    today = today or timezone.localdate()
    out = []
    for s in rows:
        s.progress = progress(  # type: ignore[attr-defined]
            s, given=int(s.given_total or 0), last_given_on=s.last_given_on, today=today
        )
        out.append(s)
    return out


@dataclass(frozen=True)
class ListFilters:
    unit: Any = None  # a unit already read through the user's scope
    status: str = ""
    overdue: bool = False
    query: str = ""  # sponsor or address name


def sponsorship_list(*, user: Any, filters: ListFilters) -> QuerySet[Sponsorship]:
    qs = _base(user)
    if filters.unit is not None:
        qs = qs.filter(unit__path__startswith=filters.unit.path)
    if filters.status in SponsorshipStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.query.strip():
        key = fold(filters.query)[:100]
        qs = qs.filter(
            Q(donor__name_key__contains=key) | Q(beneficiary__person__name_key__contains=key)
        )
    if filters.overdue:
        qs = qs.filter(status=SponsorshipStatus.ACTIVE)
    return qs.order_by("-starts_on", "-id")


def overdue_only(rows: Any, today: dt.date | None = None) -> list[Sponsorship]:
    """The overdue commitments among ``rows`` (computed in Python: periods depend on dates)."""
    return [s for s in with_progress(rows, today) if s.progress.overdue]  # type: ignore[attr-defined]


def sponsorship_get(*, user: Any, pk: Any) -> Sponsorship:
    from nhandao.core.scoping import get_visible_or_404

    return get_visible_or_404(_base(user), user, pk=pk)


def fulfilments_of(s: Sponsorship) -> list[SponsorshipFulfilment]:
    return list(s.fulfilments.select_related("donation", "recorded_by").order_by("given_on", "id"))


def history_of(s: Sponsorship) -> list[AuditEvent]:
    return list(
        audit_events_for(object_type=s._meta.label_lower, object_id=str(s.pk)).order_by("at")
    )


def end_reason(s: Sponsorship) -> str:
    """Why an ended or stopped commitment ended (kept in its audit trail)."""
    if s.status == SponsorshipStatus.ACTIVE:
        return ""
    event = (
        audit_events_for(object_type=s._meta.label_lower, object_id=str(s.pk))
        .filter(action=A.DEACTIVATE, changes__has_key="status")
        .order_by("-at", "-id")
        .first()
    )
    return str((event.changes or {}).get("reason", "")) if event else ""


def sponsorships_of_donor(user: Any, donor: Donor) -> list[Sponsorship]:
    """All the commitments of a sponsor that the user may see, newest first, with progress."""
    rows = _base(user).filter(donor=donor).order_by("-starts_on", "-id")
    return with_progress(rows)


def sponsorships_of_beneficiary(user: Any, beneficiary: Beneficiary) -> list[Sponsorship]:
    rows = _base(user).filter(beneficiary=beneficiary).order_by("-starts_on", "-id")
    return with_progress(rows)


@dataclass
class Due:
    sponsorship: Sponsorship
    progress: Progress


def due_list(
    *, user: Any, unit: Any = None, days: int = 30, today: dt.date | None = None
) -> list[Due]:
    """Active commitments with a period not yet covered that starts within ``days`` (or is
    already overdue), overdue first, then by the day it is due."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=max(days, 0))
    qs = _base(user).filter(active_q(today))
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    out = []
    for s in with_progress(qs, today):
        p = s.progress  # type: ignore[attr-defined]
        if p.overdue or (p.next_due_on is not None and p.next_due_on <= horizon):
            out.append(Due(s, p))
    out.sort(
        key=lambda x: (
            not x.progress.overdue,
            x.progress.next_due_on or dt.date.max,
            x.sponsorship.pk,
        )
    )
    return out


# --- addresses still without a sponsor -------------------------------------------------------


def unsponsored_list(
    *, user: Any, unit: Any = None, group: str = "", today: dt.date | None = None
) -> QuerySet[Beneficiary]:
    """Active humanitarian addresses in scope with no active sponsorship: one NOT EXISTS on the
    sponsorships of each row (indexed by beneficiary), so a province of 100,000 addresses pages
    without reading the sponsorships into memory. Sorted by name (Vietnamese collation)."""
    today = today or timezone.localdate()
    sponsored = Sponsorship.objects.filter(beneficiary=OuterRef("pk")).filter(active_q(today))
    qs = (
        Beneficiary.objects.visible_to(user)
        .filter(status=BeneficiaryStatus.ACTIVE)
        .filter(~Exists(sponsored))
    )
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if group:
        qs = qs.filter(
            Exists(GroupMembership.objects.filter(beneficiary=OuterRef("pk"), group_id=group))
        )
    return qs.order_by("person__sort_key", "pk")


def unsponsored_ids(**filters: Any) -> QuerySet[Beneficiary, int]:
    """The ids of :func:`unsponsored_list` in its order: a page is cut from this narrow list
    (sorting only names and ids), then its rows are read by :func:`unsponsored_rows`."""
    return unsponsored_list(**filters).values_list("pk", flat=True)


def unsponsored_rows(ids: list[int]) -> list[Beneficiary]:
    """One page of addresses with their person, commune and groups, in the order of ``ids``
    (already read through the user's scope)."""
    memberships = GroupMembership.objects.select_related("group").order_by("group__rank")
    rows = (
        Beneficiary.objects.filter(pk__in=ids)
        .select_related("person", "person__ward", "unit")
        .prefetch_related(Prefetch("memberships", queryset=memberships))
    )
    found = {b.pk: b for b in rows}
    return [found[pk] for pk in ids if pk in found]


# --- what the sponsor's private link shows ---------------------------------------------------


@dataclass
class SponsorView:
    """Everything the public sponsor page renders: nothing else reaches the template."""

    sponsor_name: str
    commitment: str
    goods: bool
    amount: int
    frequency: str
    starts_on: dt.date
    ends_on: dt.date | None
    status: str
    consented: bool
    address_label: str  # the full name with consent, else "Một hộ gia đình tại …"
    commune: str
    groups: list[str]
    circumstances: str  # empty without consent
    fulfilments: list[tuple[dt.date, int, str]]
    progress: Progress
    unit_name: str


def _commune(b: Beneficiary) -> str:
    person = b.person
    if person.ward_id and person.ward is not None:
        return person.ward.name
    return b.unit.name


def sponsor_view(token: str) -> SponsorView | None:
    """The sponsor's page by its private token, or None. The address is described only as far as
    the beneficiary consented: with an active consent the full name, commune, circumstances and
    groups; without, "a household in <commune>" and the groups that are not sensitive. Never
    identifiers, phone, exact address or birth date."""
    token = (token or "")[:32]
    if len(token) < 16:
        return None
    from nhandao.beneficiaries.selectors import has_active_consent

    memberships = GroupMembership.objects.select_related("group").order_by("group__rank")
    s = (
        Sponsorship.objects.select_related(
            "donor", "unit", "beneficiary__person__ward", "beneficiary__unit"
        )
        .prefetch_related(
            Prefetch("beneficiary__memberships", queryset=memberships), "beneficiary__consents"
        )
        .filter(token=token)
        .first()
    )
    if s is None:
        return None
    b = s.beneficiary
    consented = has_active_consent(b)
    commune = _commune(b)
    groups = [m.group.name for m in b.memberships.all() if consented or not m.group.sensitive]
    label = (
        b.person.full_name
        if consented
        else _("Một hộ gia đình tại %(commune)s") % {"commune": commune}
    )
    fulfilments = [
        (f.given_on, f.amount, f.description)
        for f in s.fulfilments.filter(voided=False).order_by("given_on", "id")
    ]
    return SponsorView(
        sponsor_name=s.donor.name,
        commitment=s.commitment,
        goods=s.goods,
        amount=s.amount,
        frequency=str(s.get_frequency_display()),
        starts_on=s.starts_on,
        ends_on=s.ends_on,
        status=str(s.get_status_display()),
        consented=consented,
        address_label=label,
        commune=commune,
        groups=groups,
        circumstances=b.circumstances if consented else "",
        fulfilments=fulfilments,
        progress=progress(s, with_periods=False),
        unit_name=s.unit.name,
    )
