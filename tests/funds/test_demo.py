"""The funds demo data, loaded by `manage.py demo` as the demo command builds it (geography, the
demo tree and users, addresses, the Tết campaign and its partner distribution, then funds): run
twice, it adds nothing the second time, its figures add up and the ledger is sound."""

from __future__ import annotations

import importlib.util
from io import StringIO

import pytest
from django.core.management import call_command

from nhandao.funds import ledger
from nhandao.funds import sponsorships as sp
from nhandao.funds.demo import APPEAL_CODE, APPEAL_GIFTS, IN_KIND
from nhandao.funds.models import (
    Donation,
    Donor,
    Entry,
    Fund,
    PaymentRequest,
    Pledge,
    PledgeInstalment,
    Pocket,
    Receipt,
    Sponsorship,
    SponsorshipFulfilment,
)
from nhandao.orgs.models import Unit

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (
            Donor,
            Fund,
            Donation,
            Receipt,
            Entry,
            Pocket,
            Pledge,
            PledgeInstalment,
            Sponsorship,
            SponsorshipFulfilment,
            PaymentRequest,
        )
    )


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def test_demo_seed_twice_adds_nothing_and_adds_up():
    call_command("demo", stdout=StringIO())
    first = _snapshot()
    call_command("demo", stdout=StringIO())
    assert _snapshot() == first

    appeal = Fund.objects.get(code=APPEAL_CODE)
    hanoi = Unit.objects.get(short_code="P01")
    hoan_kiem = Unit.objects.get(short_code="W00070")
    money = sum(g[3] for g in APPEAL_GIFTS)
    goods = sum(q * v for _n, _m, q, v in IN_KIND)
    assert (appeal.donations_count, appeal.received_money, appeal.received_goods) == (
        len(APPEAL_GIFTS) + 1,
        money,
        goods,
    )
    assert appeal.account_no.startswith("DEMO") and appeal.kind == "appeal"
    # Donors of every kind; about thirty donations, each with its numbered receipt.
    assert set(Donor.objects.values_list("kind", flat=True)) == {
        "organisation",
        "business",
        "individual",
        "foreign",
        "anonymous",
    }
    donations = Donation.objects.all()
    assert 28 <= donations.count() <= 35
    assert Receipt.objects.count() == donations.count()
    assert set(donations.values_list("method", flat=True)) == {"cash", "transfer", "in_kind"}
    assert donations.filter(anonymous=True).exists()
    assert donations.filter(earmark_kind="area", earmark_unit=hoan_kiem).count() == 1
    assert donations.filter(earmark_kind="beneficiary").count() == 1
    # Money moved down to Hoàn Kiếm, and spent there on the demo distribution.
    assert ledger.balance(fund=appeal, unit=hoan_kiem) == 40_000_000
    assert ledger.balance(fund=appeal, unit=hanoi) == money - 40_000_000
    assert ledger.balance(fund=appeal, unit=hanoi, goods=True) == goods
    activity = Fund.objects.get(unit=hanoi, kind="activity")
    assert activity.received_money == 34_500_000
    spent = Entry.objects.filter(kind="disbursement", distribution__isnull=False)
    assert spent.count() == 1 and spent.get().amount == -10_000_000
    assert ledger.balance(fund=activity, unit=hoan_kiem) == 10_000_000
    # Two sponsors with their fulfilments; the monthly one is a month behind.
    rows = {s.frequency: s for s in Sponsorship.objects.all()}
    assert set(rows) == {"monthly", "quarterly"}
    assert SponsorshipFulfilment.objects.filter(voided=False).count() == 4
    assert sp.progress(rows["monthly"]).overdue
    assert not sp.progress(rows["quarterly"]).overdue
    consented = sp.sponsor_view(rows["quarterly"].token)
    hidden = sp.sponsor_view(rows["monthly"].token)
    assert consented.consented and consented.address_label == "Nguyễn Thị Lành"
    assert not hidden.consented and hidden.address_label.startswith("Một hộ gia đình tại")
    assert "Mắc bệnh hiểm nghèo" not in hidden.groups
    # The pledge and the dynamic-QR request come through their own services.
    if _has("nhandao.funds.pledges"):
        assert PledgeInstalment.objects.filter(pledge__fund=appeal).count() == 3
    if _has("nhandao.portal.services"):
        assert PaymentRequest.objects.filter(fund=appeal, amount=300_000).count() == 1
    assert ledger.pockets_mismatched() == []
    assert not Pocket.objects.filter(balance__lt=0).exists()
