"""Reads of donors, donations, receipts and pledges, always through the user's scope.

Funds a user may receive into are those of the units in scope and the open appeals of the units
above (a commune collects for its province's appeal, rules.md "Appeals")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.http import Http404

from nhandao.core.scoping import get_visible_or_404, path_filter, scope_paths
from nhandao.core.text import fold
from nhandao.orgs.permissions import can

from .models import (
    Donation,
    DonationStatus,
    Donor,
    Entry,
    Fund,
    FundStatus,
    Pledge,
    PledgeInstalment,
    PledgeStatus,
    Receipt,
)

MAX_ID = 2**63 - 1


def _ancestors(path: str) -> list[str]:
    """The paths of a unit and of every unit above it."""
    from nhandao.orgs.models import Unit

    step = Unit.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


# --- funds -----------------------------------------------------------------------------------


def funds_receivable(*, user: Any, open_only: bool = True) -> QuerySet[Fund]:
    """Open funds the user may record gifts into: funds held inside the scope, and funds of the
    units above it (their appeals and activity funds collect from below). With
    ``open_only=False`` closed ones too, so that the service can say why a gift is refused."""
    paths = scope_paths(user)
    qs = Fund.objects.select_related("unit")
    if open_only:
        qs = qs.filter(status=FundStatus.OPEN)
    if paths is None:
        return qs.order_by("kind", "-opens_on", "name")
    if not paths:
        return qs.none()
    above = sorted({a for p in paths for a in _ancestors(p)})
    return qs.filter(path_filter("unit__path", paths) | Q(unit__path__in=above)).order_by(
        "kind", "-opens_on", "name"
    )


def fund_receivable_get(*, user: Any, pk: Any, open_only: bool = False) -> Fund:
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    if not 0 < pk <= MAX_ID:
        raise Http404
    found = funds_receivable(user=user, open_only=open_only).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def fund_by_code_or_id(*, user: Any, value: str) -> Fund:
    """A fund the user may receive into (open or closed), named by its code ("BAO3HN") or id."""
    text = str(value).strip()
    qs = funds_receivable(user=user, open_only=False)
    found = None
    if text.isdigit() and len(text) < 19:
        found = qs.filter(pk=int(text)).first()
    if found is None:
        found = qs.filter(code=text.upper()).first()
    if found is None:
        raise Http404
    return found


def funds_visible(*, user: Any) -> QuerySet[Fund]:
    """Every fund (open or closed) the user may see donations of, for list filters."""
    paths = scope_paths(user)
    qs = Fund.objects.all()
    if paths is None:
        return qs.order_by("-opens_on", "name")
    if not paths:
        return qs.none()
    above = sorted({a for p in paths for a in _ancestors(p)})
    return qs.filter(path_filter("unit__path", paths) | Q(unit__path__in=above)).order_by(
        "-opens_on", "name"
    )


def receiving_unit(*, user: Any, fund: Fund) -> Any:
    """The unit a gift into ``fund`` is recorded at: the user's own unit when it lies under the
    fund's unit, else the fund's unit (a province officer recording into a commune's fund)."""
    assignment = getattr(user, "active_assignment", None)
    units = [assignment.unit] if assignment is not None else []
    if not units:
        units = [
            a.unit
            for a in user.assignments.filter(is_active=True, unit__is_active=True).select_related(
                "unit"
            )
        ]
    for unit in sorted(units, key=lambda u: -len(u.path)):
        if unit.path.startswith(fund.unit.path):
            return unit
    return fund.unit


# --- donors ----------------------------------------------------------------------------------


# A role that sees phones masked finds a donor by a whole number only: part of a number would
# tell, one search at a time, the digits the mask hides.
WHOLE_PHONE = 9


def donor_list(*, user: Any, query: str = "", kind: str = "") -> QuerySet[Donor]:
    """Donors in scope, merged ones left out: by folded name (prefix or contains), tax code or
    phone (part of it with pii.view, else at least ``WHOLE_PHONE`` digits)."""
    qs = Donor.objects.visible_to(user).active().select_related("unit")
    text = (query or "").strip()
    if text:
        digits = "".join(ch for ch in text if ch.isdigit())
        where = Q(name_key__contains=fold(text)) if fold(text) else Q(pk__in=[])
        if digits and len(digits) >= 3 and digits == text.replace(" ", "").replace(".", ""):
            where |= Q(tax_code__startswith=digits)
            if len(digits) >= WHOLE_PHONE or can(user, "pii.view"):
                where |= Q(phone__contains=digits)
        elif text.replace("-", "").isalnum() and not text.isalpha():
            where |= Q(tax_code__iexact=text)
        qs = qs.filter(where)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("sort_key", "pk")


def donor_get(*, user: Any, pk: Any) -> Donor:
    """A donor in scope (merged or not), or 404."""
    return get_visible_or_404(
        Donor.objects.select_related("unit", "merged_into"), user, pk=_int(pk)
    )


def donor_survivor(donor: Donor) -> Donor:
    """The record a merged donor now lives in (following a chain of merges)."""
    seen = {donor.pk}
    while donor.merged_into_id is not None:
        donor = Donor.objects.select_related("unit", "merged_into").get(pk=donor.merged_into_id)
        if donor.pk in seen:  # pragma: no cover - a cycle cannot be written by the services
            break
        seen.add(donor.pk)
    return donor


def _int(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


@dataclass
class DonorHistory:
    donations: list[Donation]
    pledges: list[Any]
    sponsorships: list[Any]
    years: list[tuple[int, int, int]]  # year, count, total
    total: int
    contacts: list[Any] = field(default_factory=list)


def donor_history(*, donor: Donor, user: Any) -> DonorHistory:
    donations = list(
        Donation.objects.visible_to(user)
        .filter(donor=donor)
        .select_related("fund", "receipt", "unit")
        .order_by("-received_on", "-id")[:500]
    )
    pledges = [
        pledge_view(p)
        for p in Pledge.objects.visible_to(user)
        .filter(donor=donor)
        .select_related("fund")
        .prefetch_related("instalments")
    ]
    sponsorships = list(
        donor.sponsorships.filter(
            path_filter("unit__path", scope_paths(user) or [])
            if scope_paths(user) is not None
            else Q()
        ).select_related("beneficiary", "beneficiary__person", "unit")
    )
    years = [
        (row["y"], row["n"], int(row["s"] or 0))
        for row in Donation.objects.visible_to(user)
        .filter(donor=donor, status=DonationStatus.RECORDED)
        .annotate(y=ExtractYear("received_on"))
        .values("y")
        .annotate(n=Count("id"), s=Sum("amount"))
        .order_by("-y")
    ]
    return DonorHistory(
        donations=donations,
        pledges=pledges,
        sponsorships=sponsorships,
        years=years,
        total=sum(y[2] for y in years),
        contacts=list(donor.contacts.all()),
    )


def donor_year_donations(*, donor: Donor, user: Any, year: int) -> list[Donation]:
    return list(
        Donation.objects.visible_to(user)
        .filter(donor=donor, status=DonationStatus.RECORDED, received_on__year=year)
        .select_related("fund")
        .order_by("received_on", "id")
    )


# --- donations -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DonationFilters:
    fund: Fund | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    method: str = ""
    status: str = ""
    query: str = ""
    donor: Donor | None = None


def donation_list(*, user: Any, filters: DonationFilters) -> QuerySet[Donation]:
    qs = Donation.objects.visible_to(user).select_related("fund", "unit", "receipt", "donor")
    f = filters
    if f.fund is not None:
        qs = qs.filter(fund=f.fund)
    if f.date_from:
        qs = qs.filter(received_on__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(received_on__lte=f.date_to)
    if f.method:
        qs = qs.filter(method=f.method)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.donor is not None:
        qs = qs.filter(donor=f.donor)
    if f.query.strip():
        text = f.query.strip()
        qs = qs.filter(
            Q(donor__name_key__contains=fold(text))
            | Q(donor_name__icontains=text)
            | Q(reference__iexact=text)
        )
    return qs.order_by("-received_on", "-id")


def donation_totals(qs: QuerySet[Donation]) -> dict[str, int]:
    row = qs.order_by().aggregate(
        n=Count("id"),
        s=Sum("amount", filter=Q(status=DonationStatus.RECORDED)),
        r=Count("id", filter=Q(status=DonationStatus.RECORDED)),
    )
    return {"count": row["n"] or 0, "recorded": row["r"] or 0, "amount": int(row["s"] or 0)}


def donation_get(*, user: Any, pk: Any) -> Donation:
    qs = Donation.objects.select_related(
        "fund",
        "fund__unit",
        "unit",
        "donor",
        "pledge",
        "earmark_campaign",
        "earmark_unit",
        "earmark_beneficiary",
        "earmark_beneficiary__person",
        "recorded_by",
        "reversed_by",
    )
    return get_visible_or_404(qs, user, pk=_int(pk))


def donation_entries(*, donation: Donation) -> list[Entry]:
    return list(Entry.objects.filter(donation=donation).order_by("posted_on", "id"))


def donation_receipt(donation: Donation) -> Receipt | None:
    return Receipt.objects.filter(donation=donation).first()


def donation_statement_line(donation: Donation) -> Any:
    from .models import StatementLine

    return StatementLine.objects.filter(donation=donation).select_related("statement").first()


def earmark_label(obj: Any) -> str:
    """The earmark of a donation or pledge in words."""
    from django.utils.translation import gettext as _

    kind = obj.earmark_kind
    if not kind:
        return _("Không chỉ định")
    if kind == "campaign" and obj.earmark_campaign_id:
        return _("Phong trào: %s") % obj.earmark_campaign.name
    if kind == "area" and obj.earmark_unit_id:
        return _("Địa bàn: %s") % obj.earmark_unit.name
    if kind == "beneficiary" and obj.earmark_beneficiary_id:
        return _("Địa chỉ nhân đạo: %s") % obj.earmark_beneficiary.person.full_name
    return ""


def receipt_get(*, user: Any, donation_pk: Any) -> Receipt:
    qs = Receipt.objects.select_related(
        "donation",
        "donation__fund",
        "donation__donor",
        "donation__earmark_campaign",
        "donation__earmark_unit",
        "donation__earmark_beneficiary",
        "donation__earmark_beneficiary__person",
        "unit",
    )
    return get_visible_or_404(qs, user, donation_id=_int(donation_pk))


# --- pledges ---------------------------------------------------------------------------------


@dataclass
class InstalmentView:
    instalment: PledgeInstalment
    paid: int
    outstanding: int
    overdue: bool

    @property
    def due_on(self) -> dt.date:
        return self.instalment.due_on

    @property
    def amount(self) -> int:
        return self.instalment.amount


@dataclass
class PledgeView:
    pledge: Pledge
    paid: int
    outstanding: int
    instalments: list[InstalmentView]

    @property
    def overdue(self) -> bool:
        return any(i.overdue for i in self.instalments)


def pledge_paid(pledge: Pledge) -> int:
    row = Donation.objects.filter(pledge=pledge, status=DonationStatus.RECORDED).aggregate(
        s=Sum("amount")
    )
    return int(row["s"] or 0)


def pledge_view(pledge: Pledge, *, paid: int | None = None, today: dt.date | None = None) -> Any:
    """Paid and outstanding per instalment: what was given fills the instalments in due-date
    order."""
    from django.utils import timezone

    today = today or timezone.localdate()
    paid = pledge_paid(pledge) if paid is None else paid
    left = paid
    rows: list[InstalmentView] = []
    for inst in sorted(pledge.instalments.all(), key=lambda i: (i.due_on, i.pk)):
        covered = min(left, inst.amount)
        left -= covered
        outstanding = inst.amount - covered
        rows.append(
            InstalmentView(
                instalment=inst,
                paid=covered,
                outstanding=outstanding,
                overdue=(
                    outstanding > 0 and inst.due_on < today and pledge.status == PledgeStatus.OPEN
                ),
            )
        )
    return PledgeView(
        pledge=pledge, paid=paid, outstanding=max(pledge.amount - paid, 0), instalments=rows
    )


def pledge_list(
    *,
    user: Any,
    status: str = "",
    due_within: int | None = None,
    donor: Donor | None = None,
    today: dt.date | None = None,
) -> QuerySet[Pledge]:
    from django.utils import timezone

    today = today or timezone.localdate()
    qs = Pledge.objects.visible_to(user).select_related("donor", "fund", "unit")
    if status:
        qs = qs.filter(status=status)
    if donor is not None:
        qs = qs.filter(donor=donor)
    if due_within is not None:
        horizon = today + dt.timedelta(days=due_within)
        qs = qs.filter(
            status=PledgeStatus.OPEN,
            pk__in=PledgeInstalment.objects.filter(due_on__lte=horizon).values("pledge_id"),
        )
    return qs.prefetch_related("instalments").order_by("-pledged_on", "-id")


def pledge_views(pledges: list[Pledge], today: dt.date | None = None) -> list[PledgeView]:
    """Views of a page of pledges, their paid sums read in one query."""
    ids = [p.pk for p in pledges]
    sums = dict(
        Donation.objects.filter(pledge_id__in=ids, status=DonationStatus.RECORDED)
        .values("pledge_id")
        .annotate(s=Sum("amount"))
        .values_list("pledge_id", "s")
    )
    return [pledge_view(p, paid=int(sums.get(p.pk) or 0), today=today) for p in pledges]


def pledge_get(*, user: Any, pk: Any) -> Pledge:
    qs = Pledge.objects.select_related(
        "donor",
        "fund",
        "unit",
        "earmark_campaign",
        "earmark_unit",
        "earmark_beneficiary",
        "earmark_beneficiary__person",
    ).prefetch_related("instalments")
    return get_visible_or_404(qs, user, pk=_int(pk))


def pledges_open_for(*, donor: Donor | None, fund: Fund | None = None) -> list[Pledge]:
    if donor is None:
        return []
    qs = Pledge.objects.filter(donor=donor, status=PledgeStatus.OPEN).select_related("fund")
    if fund is not None:
        qs = qs.filter(fund=fund)
    return list(qs.order_by("pledged_on", "id"))


def instalment_get(*, user: Any, pk: Any) -> PledgeInstalment:
    inst = (
        PledgeInstalment.objects.select_related("pledge", "pledge__donor", "pledge__unit")
        .filter(pk=_int(pk) if 0 < _int(pk) <= MAX_ID else 0)
        .first()
    )
    if inst is None:
        raise Http404
    get_visible_or_404(Pledge.objects.all(), user, pk=inst.pledge_id)
    return inst
