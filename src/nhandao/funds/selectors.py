"""Reads of funds, appeals and the ledger, always through the user's scope.

A fund is visible when its unit is in the user's scope, or when it holds money (a pocket) at a
unit in the scope: a commune sees the province's appeal it received an allocation of, and then
only its own part (the figures and entries of its subtree). ``fund_paths`` says which part.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from nhandao.core.scoping import MAX_ID, path_filter, scope_paths

from .models import (
    Entry,
    EntryKind,
    Fund,
    FundDocument,
    FundExtension,
    FundKind,
    FundStatus,
    Pocket,
)


def _visible_funds(user: Any) -> QuerySet[Fund]:
    paths = scope_paths(user)
    if paths is None:
        return Fund.objects.all()
    if not paths:
        return Fund.objects.none()
    held = Pocket.objects.filter(path_filter("unit__path", paths)).values("fund_id")
    return Fund.objects.filter(path_filter("unit__path", paths) | Q(pk__in=held))


def fund_list(
    *,
    user: Any,
    kind: str = "",
    status: str = "",
    query: str = "",
    unit: Any = None,
) -> QuerySet[Fund]:
    """Funds the user may see, appeals open first, then newest."""
    qs = _visible_funds(user).select_related("unit", "campaign")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if query:
        q = query.strip()
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(account_no__icontains=q))
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs.order_by("status", "kind", "-opens_on", "-pk")


def fund_get(*, user: Any, pk: Any) -> Fund:
    """A fund the user may see, or 404 (missing and out of scope alike)."""
    if isinstance(pk, int) and not 0 < pk <= MAX_ID:
        raise Http404
    try:
        return _visible_funds(user).select_related("unit", "campaign").get(pk=pk)
    except (Fund.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def fund_paths(*, user: Any, fund: Fund) -> list[str] | None:
    """The part of ``fund`` the user sees: ``None`` for the whole fund (its unit is in scope),
    else the user's scope paths inside the fund's subtree."""
    paths = scope_paths(user)
    if paths is None or any(fund.unit.path.startswith(p) for p in paths):
        return None
    return [p for p in paths if p.startswith(fund.unit.path)]


def entry_get(*, user: Any, pk: Any) -> Entry:
    if isinstance(pk, int) and not 0 < pk <= MAX_ID:
        raise Http404
    try:
        return (
            Entry.objects.visible_to(user)
            .select_related("fund", "fund__unit", "unit", "pocket", "distribution", "donation")
            .get(pk=pk)
        )
    except (Entry.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# --- figures ---------------------------------------------------------------------------------


@dataclass
class Figures:
    """What a fund (or the user's part of it) holds, received and spent, in đồng."""

    balance_money: int = 0
    balance_goods: int = 0
    received: int = 0  # receipts, net of reversed receipts
    spent: int = 0  # disbursements, net of reversed disbursements
    allocated_in: int = 0
    allocated_out: int = 0
    transferred_in: int = 0
    transferred_out: int = 0
    entries: int = 0

    @property
    def balance(self) -> int:
        return self.balance_money + self.balance_goods


_SIGNED = {
    EntryKind.RECEIPT: ("received", 1),
    EntryKind.DISBURSEMENT: ("spent", -1),
    EntryKind.ALLOCATION_IN: ("allocated_in", 1),
    EntryKind.ALLOCATION_OUT: ("allocated_out", -1),
    EntryKind.TRANSFER_IN: ("transferred_in", 1),
    EntryKind.TRANSFER_OUT: ("transferred_out", -1),
}


def figures_for(
    funds: list[Fund], *, paths: list[str] | None = None, on: dt.date | None = None
) -> dict[int, Figures]:
    """The figures of several funds in two queries (the home page, the API list). With ``on``,
    everything is as at the end of that day."""
    out = {f.pk: Figures() for f in funds}
    if not funds:
        return out
    where = Q(fund_id__in=list(out))
    if paths is not None:
        where &= path_filter("unit__path", paths)
    if on is not None:
        where &= Q(posted_on__lte=on)
    rows = (
        Entry.objects.filter(where)
        .values("fund_id", "kind", "reverses__kind", "pocket__goods")
        .annotate(s=Sum("amount"), n=Count("id"))
        .order_by()
    )
    for row in rows:
        fig = out[row["fund_id"]]
        amount = int(row["s"] or 0)
        fig.entries += row["n"]
        if row["pocket__goods"]:
            fig.balance_goods += amount
        else:
            fig.balance_money += amount
        kind = row["reverses__kind"] if row["kind"] == EntryKind.REVERSAL else row["kind"]
        name, sign = _SIGNED.get(kind, ("", 0))
        if name:
            setattr(fig, name, getattr(fig, name) + sign * amount)
    return out


def fund_figures(
    *, fund: Fund, paths: list[str] | None = None, on: dt.date | None = None
) -> Figures:
    return figures_for([fund], paths=paths, on=on)[fund.pk]


def pockets(*, fund: Fund, paths: list[str] | None = None) -> list[Pocket]:
    """The pockets of a fund (by unit, money or goods, earmark) that hold or held money."""
    qs = Pocket.objects.filter(fund=fund).select_related(
        "unit", "earmark_campaign", "earmark_unit", "earmark_beneficiary__person"
    )
    if paths is not None:
        qs = qs.filter(path_filter("unit__path", paths))
    return list(qs.order_by("unit__path", "goods", "key"))


def earmark_label(pocket: Any) -> str:
    """A pocket's (or a donation's) earmark in words."""
    from django.utils.translation import gettext as _

    kind = pocket.earmark_kind
    if not kind:
        return _("Không chỉ định")
    if kind == "campaign":
        return _("Phong trào: %s") % pocket.earmark_campaign
    if kind == "area":
        return _("Địa bàn: %s") % pocket.earmark_unit
    return _("Địa chỉ nhân đạo: %s") % pocket.earmark_beneficiary.person.full_name


def spent_by_distribution(*, fund: Fund, paths: list[str] | None = None) -> list[dict[str, Any]]:
    """Spending net of reversals per distribution it paid for (the fund page's table)."""
    where = Q(fund=fund, distribution__isnull=False) & (
        Q(kind=EntryKind.DISBURSEMENT) | Q(reverses__kind=EntryKind.DISBURSEMENT)
    )
    if paths is not None:
        where &= path_filter("unit__path", paths)
    rows = (
        Entry.objects.filter(where)
        .values(
            "distribution_id",
            "distribution__title",
            "distribution__held_on",
            "distribution__unit__name",
        )
        .annotate(s=Sum("amount"), n=Count("id"))
        .order_by("-distribution__held_on", "distribution_id")
    )
    return [
        {
            "id": r["distribution_id"],
            "title": r["distribution__title"],
            "held_on": r["distribution__held_on"],
            "unit": r["distribution__unit__name"],
            "amount": -int(r["s"] or 0),
        }
        for r in rows
        if r["s"]
    ]


def extensions(*, fund: Fund) -> list[FundExtension]:
    return list(fund.extensions.all())


def documents(*, fund: Fund) -> list[FundDocument]:
    return list(fund.documents.select_related("uploaded_by"))


# --- the ledger ------------------------------------------------------------------------------


@dataclass
class LedgerFilter:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    kind: str = ""
    unit: Any = None  # the unit whose subtree is shown
    goods: bool | None = None  # None: money and goods


def entry_list(*, user: Any, fund: Fund, f: LedgerFilter | None = None) -> QuerySet[Entry]:
    """Entries of a fund in the user's scope, oldest first (the order of the running balance)."""
    f = f or LedgerFilter()
    qs = (
        Entry.objects.visible_to(user)
        .filter(fund=fund)
        .select_related("unit", "pocket", "distribution", "donation", "reverses", "created_by")
    )
    qs = qs.filter(_ledger_where(f))
    if f.date_from:
        qs = qs.filter(posted_on__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(posted_on__lte=f.date_to)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    return qs.order_by("posted_on", "pk")


def _ledger_where(f: LedgerFilter) -> Q:
    where = Q()
    if f.unit is not None:
        where &= Q(unit__path__startswith=f.unit.path)
    if f.goods is not None:
        where &= Q(pocket__goods=f.goods)
    return where


def balance_before(*, user: Any, fund: Fund, f: LedgerFilter, first: Entry | None) -> int:
    """The running balance just before ``first`` (or before ``f.date_from`` when the list is
    empty), over the same units and money/goods as the list, all kinds together."""
    qs = Entry.objects.visible_to(user).filter(fund=fund).filter(_ledger_where(f))
    if first is not None:
        qs = qs.filter(
            Q(posted_on__lt=first.posted_on) | Q(posted_on=first.posted_on, pk__lt=first.pk)
        )
    elif f.date_from:
        qs = qs.filter(posted_on__lt=f.date_from)
    else:
        return 0
    return int(qs.aggregate(s=Sum("amount"))["s"] or 0)


def balance_on(*, user: Any, fund: Fund, on: dt.date, unit: Any = None) -> tuple[int, int]:
    """(money, goods) of the fund at the end of ``on``, in the user's scope (or a subtree)."""
    qs = Entry.objects.visible_to(user).filter(fund=fund, posted_on__lte=on)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    rows = dict(
        qs.values("pocket__goods")
        .annotate(s=Sum("amount"))
        .values_list("pocket__goods", "s")
        .order_by()
    )
    return int(rows.get(False) or 0), int(rows.get(True) or 0)


# --- deadlines -------------------------------------------------------------------------------


@dataclass
class DeadlineRow:
    fund: Fund
    warnings: list[str] = field(default_factory=list)
    overdue: bool = False


def appeals_near_deadline(*, user: Any, today: dt.date | None = None) -> list[DeadlineRow]:
    """Open appeals the user may see that are near or past a deadline (warn_days ahead)."""
    from .services import deadline_warnings

    today = today or timezone.localdate()
    out: list[DeadlineRow] = []
    qs = fund_list(user=user, kind=FundKind.APPEAL, status=FundStatus.OPEN)
    for fund in qs:
        warnings = deadline_warnings(fund, today)
        if warnings:
            overdue = any(
                end is not None and end < today
                for end in (fund.receiving_ends_on, fund.distribution_ends_on)
            )
            out.append(DeadlineRow(fund, warnings, overdue))
    out.sort(key=lambda r: (not r.overdue, r.fund.distribution_ends_on or today))
    return out


# --- choices for the fund-manage actions -----------------------------------------------------


def manageable_pockets(
    *, user: Any, fund: Fund, unrestricted_only: bool = False, with_money: bool = True
) -> list[Pocket]:
    """Pockets of ``fund`` the user may move money out of ("fund.manage" at their unit)."""
    from nhandao.orgs.permissions import can

    qs = Pocket.objects.visible_to(user).filter(fund=fund)
    if with_money:
        qs = qs.filter(balance__gt=0)
    if unrestricted_only:
        qs = qs.filter(key="")
    rows = qs.select_related(
        "unit", "earmark_campaign", "earmark_unit", "earmark_beneficiary__person"
    ).order_by("unit__path", "goods", "key")
    return [p for p in rows if can(user, "fund.manage", p.unit)]


def pocket_label(pocket: Pocket) -> str:
    from django.utils.translation import gettext as _

    from nhandao.core.money import format_vnd

    what = _("hiện vật") if pocket.goods else _("tiền")
    return f"{pocket.unit.name} · {what} · {earmark_label(pocket)} — {format_vnd(pocket.balance)}"


def fund_units(*, user: Any, fund: Fund, limit: int = 1000) -> list[Any]:
    """Units of the fund's subtree the user can see (filters, allocation targets)."""
    from nhandao.orgs.models import Unit

    return list(
        Unit.objects.visible_to(user)
        .filter(path__startswith=fund.unit.path, is_active=True)
        .order_by("path")[:limit]
    )


def allocation_targets(*, user: Any, fund: Fund, sources: list[Pocket]) -> list[Any]:
    """Units money may go to: the visible units of the fund's subtree, and the units above each
    source up to the fund's unit (forwarding up what a commune collected)."""
    from nhandao.campaigns.models import ancestor_paths
    from nhandao.orgs.models import Unit

    above = {
        p
        for s in sources
        for p in ancestor_paths(s.unit.path)
        if p.startswith(fund.unit.path) and p != s.unit.path
    }
    units = {u.pk: u for u in fund_units(user=user, fund=fund)}
    for u in Unit.objects.filter(path__in=above):
        units[u.pk] = u
    return sorted(units.values(), key=lambda u: u.path)


def transfer_targets(*, user: Any, fund: Fund, sources: list[Pocket]) -> list[Fund]:
    """Open funds that may receive money from these pockets: funds held at a pocket's unit or
    above it (the unit's own activity fund first of all)."""
    from nhandao.campaigns.models import ancestor_paths

    from .services import fund_activity_for

    prefixes = {p for s in sources for p in ancestor_paths(s.unit.path)}
    for s in sources:
        fund_activity_for(s.unit)
    return list(
        Fund.objects.filter(unit__path__in=prefixes, status=FundStatus.OPEN)
        .exclude(pk=fund.pk)
        .select_related("unit")
        .order_by("unit__path", "kind", "name")
    )


def spend_choices(
    *, user: Any, fund: Fund, pocket: Pocket, distribution_id: Any = None
) -> tuple[list[Any], list[Any]]:
    """(distributions, aid records) a pocket may pay for, read through the user's scope: the
    earmark narrows both; a beneficiary's earmark lists that person's (or household's) gifts."""
    from nhandao.aid.models import AidRecord, Distribution

    dists = Distribution.objects.visible_to(user).filter(unit__path__startswith=fund.unit.path)
    records = AidRecord.objects.visible_to(user).live().select_related("person", "campaign")  # type: ignore[attr-defined]
    if pocket.earmark_kind == "campaign":
        dists = dists.filter(campaign_id=pocket.earmark_campaign_id or 0)
    elif pocket.earmark_kind == "area" and pocket.earmark_unit is not None:
        dists = dists.filter(unit__path__startswith=pocket.earmark_unit.path)
    chosen_records: list[Any] = []
    if pocket.earmark_kind == "beneficiary" and pocket.earmark_beneficiary is not None:
        person = pocket.earmark_beneficiary.person
        q = Q(person_id=person.pk)
        if person.household_id:
            q |= Q(household_id=person.household_id)
        chosen_records = list(records.filter(q).order_by("-given_on", "-pk")[:200])
    elif distribution_id:
        chosen_records = list(
            records.filter(distribution_id=distribution_id).order_by("person__sort_key")[:1000]
        )
    return list(dists.order_by("-held_on", "-pk")[:300]), chosen_records
