"""What the public disclosure site (/cong-khai/) reads of the funds: only funds marked public,
only figures, donations as "date, public name, amount, note", and what was given in totals by
commune and by beneficiary group; a beneficiary is named only with an active consent to
publication (Decree 93/2021 disclosure; Law 91/2025 on personal data).

Nothing here needs a user: these are the public reads. Three rules keep them light at a million
donations for one appeal:

* no ``COUNT(*)`` over donations: the fund's counters (``donations_count``, ``received_money``,
  ``received_goods``, kept by the ledger) give the totals;
* the list is read by keyset (``id <`` the last id shown), 50 rows a page, through the indexes
  of ``funds_donation_public_idx`` and the portal's migration (name prefix, amount, day);
* everything that sums ledger entries or aid records is cached per fund under a key made of the
  fund's counters and the sum of its pockets' balances (``fund_state``): any receipt, reversal,
  spending or transfer changes that key, so a reversed donation leaves the figures at once.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Collate
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from nhandao.portal.folding import SQL_FUNCTION, fold_name

from .models import (
    Donation,
    DonationStatus,
    Entry,
    EntryKind,
    Fund,
    FundDocument,
    FundKind,
    FundStatus,
    Pocket,
)

PAGE_SIZE = 50
XLSX_CAP = 100_000
CSV_CHUNK = 5_000
FIGURES_TTL = 600  # seconds; the key changes with every movement anyway
GIVEN_TTL = 120  # aid records of the fund's campaign change without touching the ledger
GIVEN_UNITS_SHOWN = 200
CONSENTED_SHOWN = 300
NAME_QUERY_MAX = 60
CODE_RE = re.compile(r"^[A-Za-z0-9]{2,16}$")
FUND_TTL = 60
# A note may carry what a bank put in a transfer description: e-mail addresses and long digit
# runs (phone, account, ID numbers) are blanked before it is shown.
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_DIGITS_RE = re.compile(r"(?:\+?\d[\s.-]?){8,}")


class NameFold(Func):
    """``nhandao_fold(column)``: the same key as :func:`nhandao.portal.folding.fold_name`."""

    function = SQL_FUNCTION
    output_field = CharField()


# --- funds -----------------------------------------------------------------------------------


def public_funds() -> QuerySet[Fund]:
    """Funds and appeals shown on the public site, newest first."""
    return Fund.objects.filter(is_public=True).select_related("unit").order_by("-opens_on", "-id")


def public_fund(code: str, keys: FundKeys | None = None) -> Fund:
    """The public fund with this code (any case), or 404 (also for a fund not made public).
    With its ``keys``, kept in the cache under their state for a minute: the fund's counters
    cannot be stale, and its name or account follow within that minute."""
    if not CODE_RE.match(code or ""):
        raise Http404
    key = f"public:fund:{keys.state}" if keys is not None else ""
    fund = cache.get(key) if key else None
    if fund is None:
        fund = public_funds().filter(code=code.upper()).first()
        if fund is None:
            raise Http404
        if key:
            cache.set(key, fund, FUND_TTL)
    return fund


def public_documents(fund: Fund) -> QuerySet[FundDocument]:
    return FundDocument.objects.filter(fund=fund, is_public=True).order_by("-uploaded_at", "-id")


def public_document(fund: Fund, pk: int) -> FundDocument:
    doc = public_documents(fund).filter(pk=pk).first()
    if doc is None or not doc.file:
        raise Http404
    return doc


# --- figures ---------------------------------------------------------------------------------


@dataclass
class Figures:
    received_money: int = 0
    received_goods: int = 0
    donations_count: int = 0
    spent: int = 0
    transferred_in: int = 0
    transferred_out: int = 0
    balance: int = 0  # money
    balance_goods: int = 0  # goods, valued in đồng

    @property
    def received(self) -> int:
        return self.received_money + self.received_goods

    @property
    def balance_total(self) -> int:
        return self.balance + self.balance_goods


def _balances(fund_ids: list[int]) -> dict[int, tuple[int, int]]:
    out: dict[int, list[int]] = {pk: [0, 0] for pk in fund_ids}
    rows = (
        Pocket.objects.filter(fund_id__in=fund_ids)
        .values("fund_id", "goods")
        .annotate(s=Sum("balance"))
        .order_by()
    )
    for row in rows:
        out[row["fund_id"]][1 if row["goods"] else 0] += int(row["s"] or 0)
    return {pk: (v[0], v[1]) for pk, v in out.items()}


@dataclass(frozen=True)
class FundKeys:
    """What the page caches of a fund are keyed on, read in one query (see ``fund_keys``)."""

    pk: int
    code: str
    receipts: str  # changes with every donation recorded or reversed
    state: str  # ... and with every spending or transfer
    spending: str  # changes with spending and transfers only
    balances: tuple[int, int]  # money, goods


def _keys_sql() -> str:
    """The statement of ``fund_keys``: table names from the models, values as parameters."""
    fund, pocket = Fund._meta.db_table, Pocket._meta.db_table
    sums = f"COALESCE((SELECT SUM(p.balance) FROM {pocket} p WHERE p.fund_id = f.id AND p.goods = %s), 0)"  # noqa: S608, E501
    return f"SELECT f.id, f.donations_count, f.received_money, f.received_goods, {sums}, {sums} FROM {fund} f WHERE f.code = %s AND f.is_public = %s"  # noqa: S608, E501


def fund_keys(code: str) -> FundKeys:
    """The cache keys of the public fund with this code, from one small query (the fund's
    counters and its pockets' sums), or 404: what a cached page needs before anything else.
    The statement is written out rather than built by the ORM: it runs on every public page
    view, and building it cost more than running it."""
    if not CODE_RE.match(code or ""):
        raise Http404
    with connection.cursor() as cursor:
        cursor.execute(_KEYS_SQL, [False, True, code.upper(), True])
        row = cursor.fetchone()
    if row is None:
        raise Http404
    pk, count, money, goods, b_money, b_goods = row
    receipts = f"{pk}:{count}:{money}:{goods}"
    beyond = int(b_money) + int(b_goods) - money - goods
    return FundKeys(
        pk=pk,
        code=code.upper(),
        receipts=receipts,
        state=f"{receipts}:{beyond}",
        spending=f"{pk}:{beyond}",
        balances=(int(b_money), int(b_goods)),
    )


_KEYS_SQL = _keys_sql()


# How long one process answers public pages from the keys it last read of a fund before asking
# the database again. The ledger and a fund's save forget them at once in the process that made
# the change; every other process follows within this. (The pages also tell browsers and
# proxies they may keep them a minute.)
KEYS_FRESH_S = 1.0
_recent: dict[str, tuple[float, FundKeys]] = {}


def fund_keys_recent(code: str) -> FundKeys:
    """``fund_keys`` as this process read them less than ``KEYS_FRESH_S`` ago, or read now:
    what the public pages' cache asks on every request."""
    now = time.monotonic()
    seen = _recent.get(code.upper())
    if seen is not None and now - seen[0] < KEYS_FRESH_S:
        return seen[1]
    keys = fund_keys(code)
    _recent[keys.code] = (now, keys)
    return keys


def forget_fund(pk: int) -> None:
    """Drop the keys this process holds of the fund ``pk`` (its ledger moved, or it changed)."""
    for code, (_at, keys) in list(_recent.items()):
        if keys.pk == pk:
            _recent.pop(code, None)


def forget_all() -> None:
    """Drop every fund's keys this process holds (tests start from nothing)."""
    _recent.clear()


@receiver([post_save, post_delete], sender=Fund, dispatch_uid="funds.public.forget_fund")
def _fund_changed(sender: Any, instance: Fund, **kwargs: Any) -> None:
    forget_fund(instance.pk)


def fund_state(fund: Fund, balances: tuple[int, int]) -> str:
    """A short key that changes with every ledger movement of the fund: its counters, and what
    its balances hold beyond the receipts (spending and transfers move only that)."""
    return f"{receipts_key(fund)}:{_beyond(fund, balances)}"


def _beyond(fund: Fund, balances: tuple[int, int]) -> int:
    return balances[0] + balances[1] - fund.received_money - fund.received_goods


def spending_key(fund: Fund, balances: tuple[int, int]) -> str:
    """A key that changes with every spending, transfer or reversal of them, but not with a
    donation: what the fund's balances hold beyond its receipts."""
    return f"{fund.pk}:{_beyond(fund, balances)}"


_MOVES = (EntryKind.DISBURSEMENT, EntryKind.TRANSFER_IN, EntryKind.TRANSFER_OUT)


def _movements(fund_ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """(spent, transferred in, transferred out) per fund, net of reversals."""
    sums: dict[int, dict[str, int]] = {pk: {} for pk in fund_ids}
    rows = (
        Entry.objects.filter(fund_id__in=fund_ids)
        .filter(Q(kind__in=_MOVES) | Q(kind=EntryKind.REVERSAL, reverses__kind__in=_MOVES))
        .values("fund_id", "kind", "reverses__kind")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    for row in rows:
        kind = row["reverses__kind"] if row["kind"] == EntryKind.REVERSAL else row["kind"]
        sums[row["fund_id"]][kind] = sums[row["fund_id"]].get(kind, 0) + int(row["s"] or 0)
    return {
        pk: (
            -s.get(EntryKind.DISBURSEMENT, 0),
            s.get(EntryKind.TRANSFER_IN, 0),
            -s.get(EntryKind.TRANSFER_OUT, 0),
        )
        for pk, s in sums.items()
    }


def figures_for(
    funds: list[Fund], balances: dict[int, tuple[int, int]] | None = None
) -> dict[int, Figures]:
    """The public figures of each fund: counters as stored, balances from the pockets (a few
    rows), spending and transfers from the ledger, cached under the fund's state."""
    ids = [f.pk for f in funds]
    if balances is None:
        balances = _balances(ids)
    keys = {f.pk: "portal:moves:" + spending_key(f, balances[f.pk]) for f in funds}
    cached = cache.get_many(list(keys.values()))
    missing = [pk for pk, key in keys.items() if key not in cached]
    if missing:
        fresh = _movements(missing)
        cache.set_many({keys[pk]: fresh[pk] for pk in missing}, FIGURES_TTL)
        cached.update({keys[pk]: fresh[pk] for pk in missing})
    out: dict[int, Figures] = {}
    for f in funds:
        spent, t_in, t_out = cached[keys[f.pk]]
        money, goods = balances[f.pk]
        out[f.pk] = Figures(
            received_money=f.received_money,
            received_goods=f.received_goods,
            donations_count=f.donations_count,
            spent=spent,
            transferred_in=t_in,
            transferred_out=t_out,
            balance=money,
            balance_goods=goods,
        )
    return out


def figures(fund: Fund) -> Figures:
    return figures_for([fund])[fund.pk]


def balances_and_state(fund: Fund) -> tuple[dict[int, tuple[int, int]], str]:
    """The fund's balances (money, goods) as ``figures_for`` takes them, and its state key (for
    the caches), from one read of its pockets."""
    balances = _balances([fund.pk])
    return balances, fund_state(fund, balances[fund.pk])


def spending_state(fund: Fund) -> str:
    return spending_key(fund, _balances([fund.pk])[fund.pk])


def receipts_key(fund: Fund) -> str:
    """A key that changes with every donation recorded or reversed (the fund's counters, read
    with the fund itself): enough for the received list."""
    return f"{fund.pk}:{fund.donations_count}:{fund.received_money}:{fund.received_goods}"


def state_key(fund: Fund) -> str:
    return fund_state(fund, _balances([fund.pk])[fund.pk])


def receiving_open(fund: Fund, today: dt.date | None = None) -> bool:
    """Whether the fund takes gifts today (open, launched, inside its receiving window)."""
    today = today or timezone.localdate()
    if fund.status != FundStatus.OPEN or today < fund.opens_on:
        return False
    return fund.receiving_ends_on is None or today <= fund.receiving_ends_on


def status_label(fund: Fund, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    if fund.status == FundStatus.CLOSED:
        return _("Đã kết thúc")
    if today < fund.opens_on:
        return _("Sắp phát động")
    if fund.kind == FundKind.APPEAL and fund.receiving_ends_on and today > fund.receiving_ends_on:
        if fund.distribution_ends_on and today <= fund.distribution_ends_on:
            return _("Đã hết hạn tiếp nhận, đang phân phối")
        return _("Đã hết hạn tiếp nhận")
    return _("Đang tiếp nhận")


# --- donations -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DonationFilter:
    q: str = ""  # the start of the donor's name, diacritics and case ignored
    amount: int | None = None
    day: dt.date | None = None

    @property
    def empty(self) -> bool:
        return not (self.q or self.amount or self.day)


@dataclass(frozen=True)
class PublicDonation:
    id: int
    received_on: dt.date
    name: str
    amount: int
    note: str


def public_note(note: str, anonymous: bool) -> str:
    """The note as shown: none for an anonymous gift (a transfer description often carries the
    sender's name), e-mail addresses and long digit runs blanked otherwise."""
    if anonymous or not note:
        return ""
    text = _EMAIL_RE.sub("…", note)
    return _DIGITS_RE.sub("… ", text).strip()


def _public(row: tuple[Any, ...], anonymous_name: str) -> PublicDonation:
    pk, day, name, anonymous, amount, note = row
    return PublicDonation(
        id=pk,
        received_on=day,
        name=anonymous_name if anonymous else name,
        amount=amount,
        note=public_note(note, anonymous) if note else "",
    )


_COLUMNS = ("id", "received_on", "donor_name", "anonymous", "amount", "note")


def _name_key() -> Any:
    """The indexed name key, compared in byte order (the index's "C" collation on PostgreSQL;
    SQLite compares bytes by default)."""
    key = NameFold("donor_name")
    return Collate(key, "C") if connection.vendor == "postgresql" else key


def _successor(prefix: str) -> str:
    """The smallest string above every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def name_prefix(q: str) -> str:
    return fold_name(" ".join(q.split()))[:NAME_QUERY_MAX]


def donations_query(fund: Fund, flt: DonationFilter) -> QuerySet[Donation]:
    """The fund's recorded donations matching ``flt``: newest recorded first, or, for a name
    search, by name (a range of the name index, read in its order). A name search never finds
    an anonymous gift (that would tell who gave it)."""
    qs: Any = Donation.objects.filter(fund=fund, status=DonationStatus.RECORDED)
    if flt.amount is not None:
        qs = qs.filter(amount=flt.amount)
    if flt.day is not None:
        qs = qs.filter(received_on=flt.day)
    prefix = name_prefix(flt.q) if flt.q else ""
    if not prefix:
        return qs.order_by("-id")
    qs = qs.filter(anonymous=False).annotate(name_key=_name_key())
    qs = qs.filter(name_key__gte=prefix, name_key__lt=_successor(prefix))
    return qs.order_by("name_key", "id")


@dataclass
class DonationPage:
    rows: list[PublicDonation] = field(default_factory=list)
    next_cursor: int | None = None  # the cursor of the next page (None on the last one)


def donations_page(
    fund: Fund, flt: DonationFilter, cursor: int | None = None, size: int = PAGE_SIZE
) -> DonationPage:
    """One page of the list by keyset: ``cursor`` is the id of the last row of the page before
    (newest first: the ids below it; by name: the rows after it in name order)."""
    anonymous_name = pgettext("anonymous donor", "Nhà hảo tâm")
    if flt.q and name_prefix(flt.q):
        raw = _by_name_rows(fund, flt, cursor, size + 1)
    else:
        raw = _newest_rows(fund, flt, cursor, size + 1)
    rows = [_public(r, anonymous_name) for r in raw]
    page = DonationPage(rows=rows[:size])
    if len(rows) > size:
        page.next_cursor = rows[size - 1].id
    return page


def _by_name_rows(
    fund: Fund, flt: DonationFilter, cursor: int | None, limit: int
) -> list[tuple[Any, ...]]:
    qs: Any = donations_query(fund, flt)
    if cursor is not None:
        # The cursor counts only as a row this very list shows (recorded, not anonymous, of
        # this fund, matching the search): any other id starts from the top, so that no
        # hidden name (an anonymous or cancelled gift) can be placed between public ones.
        key = qs.filter(pk=cursor).values_list("name_key", flat=True).first()
        if key is not None:
            qs = qs.filter(name_key__gte=key).filter(Q(name_key__gt=key) | Q(id__gt=cursor))
    return list(qs.values_list(*_COLUMNS)[:limit])


# Stand-ins for the values of a newest-first page, so that its statement is built by the ORM
# once per shape and then run with the real values (building it cost more than running it).
_FUND, _CURSOR, _AMOUNT, _DAY = -7_700_001, -7_700_002, -7_700_003, dt.date(1901, 2, 3)


@functools.lru_cache(maxsize=64)
def _newest_statement(
    vendor: str, amount: bool, day: bool, cursor: bool, limit: int
) -> tuple[str, tuple[Any, ...]]:
    qs: Any = Donation.objects.filter(fund_id=_FUND, status=DonationStatus.RECORDED)
    if amount:
        qs = qs.filter(amount=_AMOUNT)
    if day:
        qs = qs.filter(received_on=_DAY)
    if cursor:
        qs = qs.filter(id__lt=_CURSOR)
    sql, params = qs.order_by("-id").values_list(*_COLUMNS)[:limit].query.sql_with_params()
    return sql, tuple(params)


def _newest_rows(
    fund: Fund, flt: DonationFilter, cursor: int | None, limit: int
) -> list[tuple[Any, ...]]:
    sql, template = _newest_statement(
        connection.vendor, flt.amount is not None, flt.day is not None, cursor is not None, limit
    )
    values: dict[Any, Any] = {_FUND: fund.pk, _CURSOR: cursor, _AMOUNT: flt.amount}
    if flt.day is not None:
        values[_DAY] = flt.day
        values[_DAY.isoformat()] = flt.day.isoformat()  # SQLite's adapted form
    params = [values.get(p, p) if isinstance(p, int | str | dt.date) else p for p in template]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    if rows and isinstance(rows[0][1], str):  # SQLite hands dates back as text
        rows = [(r[0], dt.date.fromisoformat(r[1]), *r[2:]) for r in rows]
    return rows


def donations_iter(
    fund: Fund, flt: DonationFilter, limit: int | None = None
) -> Iterator[PublicDonation]:
    """Every matching donation in the list's order, read by keyset in chunks (the downloads)."""
    cursor: int | None = None
    left = limit
    while left is None or left > 0:
        size = CSV_CHUNK if left is None else min(CSV_CHUNK, left)
        page = donations_page(fund, flt, cursor, size)
        yield from page.rows
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
        if left is not None:
            left -= len(page.rows)


# --- what was given --------------------------------------------------------------------------


@dataclass
class GivenRow:
    label: str
    households: int
    people: int
    gifts: int
    value: int


@dataclass
class Given:
    by_unit: list[GivenRow] = field(default_factory=list)
    units_more: int = 0  # communes beyond the rows shown
    by_group: list[GivenRow] = field(default_factory=list)
    total: GivenRow | None = None
    named: list[tuple[str, str, int]] = field(default_factory=list)  # name, commune, value


def given_records(fund: Fund) -> QuerySet[Any]:
    """The live aid records the fund paid for (through disbursements not reversed) and those of
    its campaign."""
    from nhandao.aid.models import AidRecord

    paid = Entry.aid_records.through.objects.filter(
        entry__fund=fund,
        entry__kind=EntryKind.DISBURSEMENT,
        entry__reversed_by__isnull=True,
    ).values("aidrecord_id")
    where = Q(pk__in=paid)
    if fund.campaign_id:
        where |= Q(campaign_id=fund.campaign_id)
    return AidRecord.objects.live().filter(where)


def _row(label: str, r: dict[str, Any]) -> GivenRow:
    return GivenRow(
        label=label,
        households=int(r["households"] or 0),
        people=int(r["people"] or 0),
        gifts=int(r["gifts"] or 0),
        value=int(r["value"] or 0),
    )


_TALLY = {
    # A recipient without a household record counts as a household of their own.
    "households": Count(Coalesce(F("household_id"), Value(0) - F("person_id")), distinct=True),
    "people": Count("person_id", distinct=True),
    "gifts": Count("id"),
    "value": Sum("value"),
}


def _given(fund: Fund) -> Given:
    from nhandao.beneficiaries.models import Beneficiary, Consent, GroupMembership
    from nhandao.beneficiaries.selectors import has_active_consent

    records = given_records(fund)
    out = Given()
    total = records.aggregate(**_TALLY)
    if not total["gifts"]:
        return out
    out.total = _row(str(_("Tổng cộng")), total)
    units = list(
        records.values("unit_id", "unit__name").annotate(**_TALLY).order_by("-value", "unit__name")
    )
    out.by_unit = [_row(r["unit__name"], r) for r in units[:GIVEN_UNITS_SHOWN]]
    out.units_more = max(len(units) - GIVEN_UNITS_SHOWN, 0)
    # Each recipient counts once, under the first non-sensitive group of their record; a group
    # that reveals health data is never named here ("Đối tượng khác").
    first_group = (
        GroupMembership.objects.filter(beneficiary__person_id=OuterRef("person_id"))
        .order_by("group__sensitive", "group__rank", "group_id")
        .values("group_id")[:1]
    )
    sensitive = (
        GroupMembership.objects.filter(beneficiary__person_id=OuterRef("person_id"))
        .order_by("group__sensitive", "group__rank", "group_id")
        .values("group__sensitive")[:1]
    )
    groups = (
        records.annotate(g=Subquery(first_group), s=Subquery(sensitive))
        .values("g", "s")
        .annotate(**_TALLY)
        .order_by()
    )
    from nhandao.beneficiaries.models import BeneficiaryGroup

    names = dict(BeneficiaryGroup.objects.values_list("code", "name"))
    ranks = dict(BeneficiaryGroup.objects.values_list("code", "rank"))
    merged: dict[str, dict[str, int]] = {}
    order: dict[str, int] = {}
    for r in groups:
        if r["g"] is None:
            label, rank = str(_("Chưa phân nhóm đối tượng")), 10_001
        elif r["s"]:
            label, rank = str(_("Đối tượng khác")), 10_000
        else:
            label, rank = names.get(r["g"], r["g"]), ranks.get(r["g"], 999)
        acc = merged.setdefault(label, dict.fromkeys(_TALLY, 0))
        for k in _TALLY:
            acc[k] += int(r[k] or 0)
        order[label] = rank
    out.by_group = [_row(label, merged[label]) for label in sorted(merged, key=order.__getitem__)]
    # Named only with an active consent to publication (checked again on the objects).
    consented = Consent.objects.filter(
        beneficiary__person_id=OuterRef("person_id"), withdrawn_on__isnull=True
    )
    named = list(
        records.filter(Exists(consented))
        .values("person_id", "person__full_name", "unit__name")
        .annotate(value=Sum("value"))
        .order_by("unit__name", "person__full_name")[:CONSENTED_SHOWN]
    )
    if named:
        allowed = {
            b.person_id
            for b in Beneficiary.objects.filter(
                person_id__in=[r["person_id"] for r in named]
            ).prefetch_related("consents")
            if has_active_consent(b)
        }
        out.named = [
            (r["person__full_name"], r["unit__name"], int(r["value"] or 0))
            for r in named
            if r["person_id"] in allowed
        ]
    return out


def given(fund: Fund, state: str | None = None) -> Given:
    """What was given from the fund, cached for ``GIVEN_TTL`` under its spending state."""
    key = "portal:given:" + (state or spending_state(fund))
    found = cache.get(key)
    if found is None:
        found = _given(fund)
        cache.set(key, found, GIVEN_TTL)
    return found


# --- the yearly statement --------------------------------------------------------------------


def statement_years(fund: Fund, today: dt.date | None = None) -> list[int]:
    today = today or timezone.localdate()
    last = today.year
    if fund.status == FundStatus.CLOSED and fund.closed_at is not None:
        last = min(last, timezone.localtime(fund.closed_at).year)
    first = min(fund.opens_on.year, last)
    return list(range(last, first - 1, -1))


def annual(fund: Fund, year: int, state: str | None = None) -> Any:
    """The fund's receipts-and-use statement of ``year`` (funds.annual), cached under its state."""
    from .annual import annual_statement

    if year not in statement_years(fund):
        raise Http404
    key = f"portal:annual:{year}:" + (state or state_key(fund))
    found = cache.get(key)
    if found is None:
        found = annual_statement(fund, year)
        cache.set(key, found, FIGURES_TTL)
    return found


__all__ = [
    "CODE_RE",
    "PAGE_SIZE",
    "XLSX_CAP",
    "DonationFilter",
    "DonationPage",
    "Figures",
    "FundKeys",
    "Given",
    "GivenRow",
    "PublicDonation",
    "annual",
    "balances_and_state",
    "donations_iter",
    "donations_page",
    "donations_query",
    "figures",
    "figures_for",
    "fund_keys",
    "given",
    "given_records",
    "name_prefix",
    "public_document",
    "public_documents",
    "public_fund",
    "public_funds",
    "public_note",
    "receipts_key",
    "receiving_open",
    "spending_key",
    "spending_state",
    "state_key",
    "status_label",
]
