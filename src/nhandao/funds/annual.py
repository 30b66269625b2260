"""The yearly receipts-and-use statement of a fund (Decree 93/2019, amended by 03/2026: each fund
publishes what it received and how it used it before 31 March of the next year).

The statement is computed from the ledger alone, so it always agrees with the balances:
``opening + receipts_money + receipts_goods + allocated_in - allocated_out + transferred_in
- transferred_out - spent + reversed == closing``. ``reversed`` is signed (a reversed gift counts
negative, a reversed spending positive). Every figure is a plain ``int`` and every breakdown a
list of ``(label, amount)`` tuples, so the portal and the exports read them without the ORM.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from .models import DonorKind, Entry, EntryKind, Fund


@dataclass
class AnnualStatement:
    fund: Fund
    year: int
    unit: Any = None  # the unit whose subtree is reported; None for the whole fund
    opening: int = 0  # balance at the end of 31/12 of the year before
    receipts_money: int = 0
    receipts_goods: int = 0
    receipts_by_kind: list[tuple[str, int]] = field(default_factory=list)
    receipts_count: int = 0
    allocated_in: int = 0
    allocated_out: int = 0
    transferred_in: int = 0
    transferred_out: int = 0
    spent: int = 0
    spent_money: int = 0
    spent_goods: int = 0
    spent_by_kind: list[tuple[str, int]] = field(default_factory=list)
    spent_by_distribution: list[tuple[str, int]] = field(default_factory=list)
    reversed: int = 0
    closing: int = 0  # balance at the end of 31/12 of the year
    opening_goods: int = 0  # the part of ``opening`` held as goods
    closing_goods: int = 0  # the part of ``closing`` held as goods

    @property
    def receipts(self) -> int:
        return self.receipts_money + self.receipts_goods

    @property
    def movements(self) -> int:
        return (
            self.receipts_money
            + self.receipts_goods
            + self.allocated_in
            - self.allocated_out
            + self.transferred_in
            - self.transferred_out
            - self.spent
            + self.reversed
        )

    @property
    def balanced(self) -> bool:
        """The check printed at the foot of the statement: opening + movements == closing."""
        return self.opening + self.movements == self.closing

    @property
    def starts_on(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def ends_on(self) -> dt.date:
        return dt.date(self.year, 12, 31)

    @property
    def publish_by(self) -> dt.date:
        """The day by which the statement is to be published (31 March of the next year)."""
        return dt.date(self.year + 1, 3, 31)

    def rows(self) -> list[tuple[str, int]]:
        """The statement's lines in print order (the page, the workbook and the document)."""
        return [
            (_("Số dư đầu năm (01/01/%(y)s)") % {"y": self.year}, self.opening),
            (_("Thu bằng tiền"), self.receipts_money),
            (_("Thu bằng hiện vật (quy ra tiền)"), self.receipts_goods),
            (_("Nhận phân bổ từ đơn vị khác"), self.allocated_in),
            (_("Phân bổ cho đơn vị khác"), -self.allocated_out),
            (_("Nhận từ quỹ khác"), self.transferred_in),
            (_("Chuyển sang quỹ khác"), -self.transferred_out),
            (_("Chi hỗ trợ"), -self.spent),
            (_("Bút toán đảo (điều chỉnh)"), self.reversed),
            (_("Số dư cuối năm (31/12/%(y)s)") % {"y": self.year}, self.closing),
        ]


def _sum(qs: Any) -> int:
    return int(qs.aggregate(s=Sum("amount"))["s"] or 0)


def annual_statement(fund: Fund, year: int, unit: Any = None) -> AnnualStatement:
    """What ``fund`` received and used in ``year`` (at ``unit`` and its sub-units when given)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    where = Q(fund=fund)
    if unit is not None:
        where &= Q(unit__path__startswith=unit.path)
    entries = Entry.objects.filter(where)
    before = entries.filter(posted_on__lt=start)
    upto = entries.filter(posted_on__lte=end)
    inside = entries.filter(posted_on__gte=start, posted_on__lte=end)
    st = AnnualStatement(fund=fund, year=year, unit=unit)
    st.opening = _sum(before)
    st.closing = _sum(upto)
    st.opening_goods = _sum(before.filter(pocket__goods=True))
    st.closing_goods = _sum(upto.filter(pocket__goods=True))

    by_kind = dict(
        inside.values("kind").annotate(s=Sum("amount")).values_list("kind", "s").order_by()
    )

    def total(kind: str) -> int:
        return abs(int(by_kind.get(kind) or 0))

    receipts = inside.filter(kind=EntryKind.RECEIPT)
    st.receipts_goods = _sum(receipts.filter(pocket__goods=True))
    st.receipts_money = total(EntryKind.RECEIPT) - st.receipts_goods
    st.receipts_count = receipts.count()
    st.allocated_in = total(EntryKind.ALLOCATION_IN)
    st.allocated_out = total(EntryKind.ALLOCATION_OUT)
    st.transferred_in = total(EntryKind.TRANSFER_IN)
    st.transferred_out = total(EntryKind.TRANSFER_OUT)
    st.spent = total(EntryKind.DISBURSEMENT)
    st.reversed = int(by_kind.get(EntryKind.REVERSAL) or 0)

    donor_kinds = dict(DonorKind.choices)
    amounts: dict[str, int] = {}
    for kind, amount in (
        receipts.values("donation__donor__kind")
        .annotate(s=Sum("amount"))
        .values_list("donation__donor__kind", "s")
        .order_by()
    ):
        label = str(donor_kinds.get(kind or "", _("Không ghi nhà hảo tâm")))
        amounts[label] = amounts.get(label, 0) + int(amount or 0)
    order = [str(v) for v in donor_kinds.values()]
    st.receipts_by_kind = sorted(
        amounts.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else 99, kv[0])
    )

    spending = inside.filter(kind=EntryKind.DISBURSEMENT)
    st.spent_goods = -_sum(spending.filter(pocket__goods=True))
    st.spent_money = st.spent - st.spent_goods
    from nhandao.aid.models import AidKind

    aid_kinds = dict(AidKind.choices)
    kinds: dict[str, int] = {}
    titles: dict[str, int] = {}
    rows = (
        spending.values("distribution_id", "distribution__title", "distribution__kind")
        .annotate(s=Sum("amount"))
        .order_by("distribution__held_on", "distribution_id")
    )
    for row in rows:
        amount = -int(row["s"] or 0)
        if row["distribution_id"] is None:
            kind_label = title = str(_("Chi khác (không gắn đợt trao)"))
        else:
            kind_label = str(aid_kinds.get(row["distribution__kind"], row["distribution__kind"]))
            title = row["distribution__title"]
            if title in titles:  # two distributions with the same title stay apart
                title = f"{title} (#{row['distribution_id']})"
        kinds[kind_label] = kinds.get(kind_label, 0) + amount
        titles[title] = titles.get(title, 0) + amount
    st.spent_by_kind = sorted(kinds.items(), key=lambda kv: -kv[1])
    other = str(_("Chi khác (không gắn đợt trao)"))
    st.spent_by_distribution = sorted(titles.items(), key=lambda kv: kv[0] == other)
    return st
