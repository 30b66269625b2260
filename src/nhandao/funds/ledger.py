"""The only code that writes the ledger.

Every movement of money is posted here, inside the caller's transaction, with the pocket rows it
touches locked (``select_for_update``) in id order so two stations never deadlock. A pocket's
``balance`` moves with each entry in the same transaction, so it always equals the sum of its
entries; the database refuses a negative balance as a last line of defence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nhandao.core.errors import ApplicationError
from nhandao.core.money import format_vnd
from nhandao.core.text import STORED_LANGUAGE

from .models import Entry, EntryKind, Fund, Pocket, earmark_key
from .public import forget_fund

MAX_AMOUNT = 10**15  # one quadrillion đồng: anything above is a typing error


@dataclass(frozen=True)
class Earmark:
    """What money is reserved for; the empty earmark is unrestricted money."""

    kind: str = ""
    campaign_id: int | None = None
    unit_id: int | None = None
    beneficiary_id: int | None = None

    @property
    def key(self) -> str:
        return earmark_key(self.kind, self.campaign_id, self.unit_id, self.beneficiary_id)

    @classmethod
    def of(cls, obj: Any) -> Earmark:
        """The earmark of a donation, pledge or pocket."""
        return cls(
            obj.earmark_kind or "",
            obj.earmark_campaign_id if obj.earmark_kind == "campaign" else None,
            obj.earmark_unit_id if obj.earmark_kind == "area" else None,
            obj.earmark_beneficiary_id if obj.earmark_kind == "beneficiary" else None,
        )

    def fields(self) -> dict[str, Any]:
        return {
            "earmark_kind": self.kind,
            "earmark_campaign_id": self.campaign_id,
            "earmark_unit_id": self.unit_id,
            "earmark_beneficiary_id": self.beneficiary_id,
        }


UNRESTRICTED = Earmark()


def check_amount(amount: Any, field: str = "amount") -> int:
    """Whole đồng, positive, not absurd; anything else is refused in Vietnamese."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ApplicationError(_("Số tiền phải là số đồng nguyên, không có phần lẻ."), field=field)
    if amount <= 0:
        raise ApplicationError(_("Số tiền phải lớn hơn 0 đồng."), field=field)
    if amount > MAX_AMOUNT:
        raise ApplicationError(_("Số tiền quá lớn; hãy kiểm tra lại."), field=field)
    return amount


def pocket_for(
    fund: Fund, unit: Any, *, goods: bool = False, earmark: Earmark = UNRESTRICTED
) -> Pocket:
    """The pocket of (fund, unit, money or goods, earmark), created on first use, not locked."""
    key = earmark.key
    found = Pocket.objects.filter(fund=fund, unit=unit, goods=goods, key=key).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Pocket.objects.create(
                fund=fund, unit=unit, goods=goods, key=key, **earmark.fields()
            )
    except IntegrityError:  # another station created it a moment ago
        return Pocket.objects.get(fund=fund, unit=unit, goods=goods, key=key)


def lock(*pockets: Pocket) -> dict[int, Pocket]:
    """Lock pocket rows in id order and return them fresh from the database."""
    ids = sorted({p.pk for p in pockets})
    rows = {p.pk: p for p in Pocket.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    return rows


def _shortfall(pocket: Pocket, amount: int) -> ApplicationError:
    return ApplicationError(
        _("Số dư không đủ: còn %(balance)s, cần %(amount)s.")
        % {"balance": format_vnd(pocket.balance), "amount": format_vnd(amount)},
        field="amount",
    )


def _post(
    pocket: Pocket,
    *,
    kind: str,
    amount: int,
    posted_on: dt.date,
    actor: Any,
    description: str = "",
    donation: Any = None,
    distribution: Any = None,
    counterpart: Entry | None = None,
    reverses: Entry | None = None,
    reason: str = "",
) -> Entry:
    """Append one entry to a pocket the caller has locked, and move its balance."""
    if pocket.balance + amount < 0:
        raise _shortfall(pocket, -amount)
    Pocket.objects.filter(pk=pocket.pk).update(balance=F("balance") + amount)
    pocket.balance += amount
    forget_fund(pocket.fund_id)
    return Entry.objects.create(
        pocket=pocket,
        fund_id=pocket.fund_id,
        unit_id=pocket.unit_id,
        kind=kind,
        amount=amount,
        posted_on=posted_on,
        description=description[:255],
        donation=donation,
        distribution=distribution,
        counterpart=counterpart,
        reverses=reverses,
        reason=reason[:255],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _count_receipt(fund_id: int, *, goods: bool, amount: int, count: int) -> None:
    field = "received_goods" if goods else "received_money"
    Fund.objects.filter(pk=fund_id).update(
        donations_count=F("donations_count") + count, **{field: F(field) + amount}
    )
    forget_fund(fund_id)


@transaction.atomic
def post_receipt(donation: Any, *, actor: Any) -> Entry:
    """The receipt entry of a donation just saved: into the pocket of its earmark."""
    goods = donation.method == "in_kind"
    pocket = pocket_for(donation.fund, donation.unit, goods=goods, earmark=Earmark.of(donation))
    pocket = lock(pocket)[pocket.pk]
    with translation.override(STORED_LANGUAGE):
        text = _("Nhận ủng hộ: %(name)s") % {"name": donation.donor_name}
    entry = _post(
        pocket,
        kind=EntryKind.RECEIPT,
        amount=donation.amount,
        posted_on=donation.received_on,
        actor=actor,
        description=text,
        donation=donation,
    )
    _count_receipt(donation.fund_id, goods=goods, amount=donation.amount, count=1)
    return entry


@transaction.atomic
def allocate(
    *,
    fund: Fund,
    from_unit: Any,
    to_unit: Any,
    amount: int,
    posted_on: dt.date,
    actor: Any,
    earmark: Earmark = UNRESTRICTED,
    goods: bool = False,
    description: str = "",
) -> tuple[Entry, Entry]:
    """Move money of one fund between two units on one line of the tree: down (province →
    commune) or up (a commune forwarding what it collected). The earmark travels with it."""
    check_amount(amount)
    if from_unit.pk == to_unit.pk:
        raise ApplicationError(_("Đơn vị nhận phải khác đơn vị chuyển."), field="to_unit")
    for unit in (from_unit, to_unit):
        if not unit.path.startswith(fund.unit.path):
            raise ApplicationError(
                _("%(unit)s không thuộc phạm vi của quỹ %(fund)s.")
                % {"unit": unit.name, "fund": fund.name},
                field="to_unit",
            )
    if not (to_unit.path.startswith(from_unit.path) or from_unit.path.startswith(to_unit.path)):
        raise ApplicationError(
            _("Chỉ phân bổ cho đơn vị cấp dưới hoặc chuyển lên đơn vị cấp trên."), field="to_unit"
        )
    source = pocket_for(fund, from_unit, goods=goods, earmark=earmark)
    target = pocket_for(fund, to_unit, goods=goods, earmark=earmark)
    locked = lock(source, target)
    with translation.override(STORED_LANGUAGE):
        text = description or _("Phân bổ từ %(a)s cho %(b)s") % {
            "a": from_unit.name,
            "b": to_unit.name,
        }
    out = _post(
        locked[source.pk],
        kind=EntryKind.ALLOCATION_OUT,
        amount=-amount,
        posted_on=posted_on,
        actor=actor,
        description=text,
    )
    into = _post(
        locked[target.pk],
        kind=EntryKind.ALLOCATION_IN,
        amount=amount,
        posted_on=posted_on,
        actor=actor,
        description=text,
        counterpart=out,
    )
    return out, into


@transaction.atomic
def transfer(
    *,
    from_fund: Fund,
    to_fund: Fund,
    unit: Any,
    amount: int,
    posted_on: dt.date,
    actor: Any,
    reason: str,
    goods: bool = False,
) -> tuple[Entry, Entry]:
    """Move unrestricted money between two funds held at one unit, with the reason (e.g. the
    decision on what is left of an appeal). Earmarked money never leaves its fund."""
    check_amount(amount)
    if from_fund.pk == to_fund.pk:
        raise ApplicationError(_("Quỹ nhận phải khác quỹ chuyển."), field="to_fund")
    if not reason.strip():
        raise ApplicationError(_("Cần ghi lý do, căn cứ chuyển quỹ."), field="reason")
    if to_fund.status == "closed":
        raise ApplicationError(
            _("«%(fund)s» đã kết thúc, không nhận tiền chuyển đến.") % {"fund": to_fund.name},
            field="to_fund",
        )
    if not unit.path.startswith(to_fund.unit.path):
        raise ApplicationError(
            _("%(unit)s không thuộc phạm vi của quỹ %(fund)s.")
            % {"unit": unit.name, "fund": to_fund.name},
            field="to_fund",
        )
    source = pocket_for(from_fund, unit, goods=goods)
    target = pocket_for(to_fund, unit, goods=goods)
    locked = lock(source, target)
    with translation.override(STORED_LANGUAGE):
        text = _("Chuyển từ %(a)s sang %(b)s") % {"a": from_fund.name, "b": to_fund.name}
    out = _post(
        locked[source.pk],
        kind=EntryKind.TRANSFER_OUT,
        amount=-amount,
        posted_on=posted_on,
        actor=actor,
        description=text,
        reason=reason,
    )
    into = _post(
        locked[target.pk],
        kind=EntryKind.TRANSFER_IN,
        amount=amount,
        posted_on=posted_on,
        actor=actor,
        description=text,
        counterpart=out,
        reason=reason,
    )
    return out, into


@transaction.atomic
def disburse(
    *,
    fund: Fund,
    unit: Any,
    amount: int,
    posted_on: dt.date,
    actor: Any,
    description: str,
    earmark: Earmark = UNRESTRICTED,
    goods: bool = False,
    distribution: Any = None,
    aid_records: Any = (),
) -> Entry:
    """Spend from one pocket: never more than it holds, never outside its earmark."""
    check_amount(amount)
    if not description.strip():
        raise ApplicationError(_("Cần ghi nội dung chi."), field="description")
    pocket = pocket_for(fund, unit, goods=goods, earmark=earmark)
    pocket = lock(pocket)[pocket.pk]
    if pocket.balance < amount:
        raise _shortfall(pocket, amount)
    entry = _post(
        pocket,
        kind=EntryKind.DISBURSEMENT,
        amount=-amount,
        posted_on=posted_on,
        actor=actor,
        description=description,
        distribution=distribution,
    )
    if aid_records:
        entry.aid_records.add(*aid_records)
    return entry


@transaction.atomic
def reverse(
    entry: Entry, *, actor: Any, reason: str, posted_on: dt.date | None = None
) -> list[Entry]:
    """Cancel an entry (and the other half of an allocation or transfer) by posting the opposite
    amounts, with the reason. An entry is reversed once; a reversal is never reversed."""
    if not reason.strip():
        raise ApplicationError(_("Cần ghi lý do của bút toán đảo."), field="reason")
    if entry.kind == EntryKind.REVERSAL:
        raise ApplicationError(_("Không thể đảo một bút toán đảo."))
    pair = [entry]
    other = entry.counterpart or Entry.objects.filter(counterpart=entry).first()
    if other is not None:
        pair.append(other)
    if Entry.objects.filter(reverses__in=pair).exists():
        raise ApplicationError(_("Bút toán này đã được đảo."))
    day = posted_on or timezone.localdate()
    locked = lock(*(e.pocket for e in pair))
    # Money coming back first, so a pair never fails on its own intermediate balance.
    made: list[Entry] = []
    for original in sorted(pair, key=lambda e: e.amount):
        with translation.override(STORED_LANGUAGE):
            text = _("Đảo: %(text)s") % {"text": original.description}
        made.append(
            _post(
                locked[original.pocket_id],
                kind=EntryKind.REVERSAL,
                amount=-original.amount,
                posted_on=day,
                actor=actor,
                description=text,
                donation=original.donation,
                distribution=original.distribution,
                reverses=original,
                reason=reason,
            )
        )
        if original.kind == EntryKind.RECEIPT:
            _count_receipt(
                original.fund_id,
                goods=locked[original.pocket_id].goods,
                amount=-original.amount,
                count=-1,
            )
    return made


# --- balances --------------------------------------------------------------------------------


def balance(
    *,
    fund: Fund | None = None,
    unit: Any = None,
    on: dt.date | None = None,
    subtree: bool = False,
    goods: bool | None = False,
    earmark: Earmark | None = None,
) -> int:
    """The balance of a fund (or of all funds) at a unit (or its subtree), now or at the end of a
    day. Today's figure reads the pockets; a past day sums the entries up to it."""
    where = Q()
    if fund is not None:
        where &= Q(fund=fund)
    if unit is not None:
        where &= Q(unit__path__startswith=unit.path) if subtree else Q(unit=unit)
    if goods is not None:
        where &= Q(goods=goods) if on is None else Q(pocket__goods=goods)
    if earmark is not None:
        where &= Q(key=earmark.key) if on is None else Q(pocket__key=earmark.key)
    if on is None:
        return int(Pocket.objects.filter(where).aggregate(s=Sum("balance"))["s"] or 0)
    return int(Entry.objects.filter(where, posted_on__lte=on).aggregate(s=Sum("amount"))["s"] or 0)


def pockets_mismatched() -> list[int]:
    """Pockets whose balance differs from the sum of their entries (an audit check; empty when
    the ledger is sound)."""
    sums = dict(
        Entry.objects.values("pocket_id").annotate(s=Sum("amount")).values_list("pocket_id", "s")
    )
    return [
        p.pk for p in Pocket.objects.only("pk", "balance") if p.balance != int(sums.get(p.pk) or 0)
    ]
