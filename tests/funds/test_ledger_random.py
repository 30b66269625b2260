"""Randomised sequences of donations (some earmarked), reversals, allocations, transfers and
spendings (some refused): after every step each pocket's balance equals the sum of its entries,
no balance is negative, each fund's counters equal the sums of its live donations, and a refused
operation changed nothing."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nhandao.aid.models import Distribution
from nhandao.core.errors import ApplicationError
from nhandao.funds import ledger, services, spending
from nhandao.funds.ledger import Earmark
from nhandao.funds.models import Donation, Entry, Fund, Pocket
from tests.campaigns.conftest import make_campaign
from tests.conftest import actor
from tests.funds.conftest import TODAY

pytestmark = pytest.mark.django_db

amounts = st.one_of(
    st.integers(min_value=1, max_value=3_000_000),
    st.sampled_from([0, -50_000, 10**16]),  # refused amounts
)
fund_ix = st.integers(min_value=0, max_value=1)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("give"), fund_ix, amounts, st.booleans()),
        st.tuples(st.just("reverse_gift"), st.integers(min_value=0, max_value=20)),
        st.tuples(st.just("allocate"), fund_ix, amounts, st.booleans(), st.booleans()),
        st.tuples(st.just("transfer"), amounts, st.booleans()),
        st.tuples(st.just("spend"), fund_ix, amounts, st.booleans(), st.booleans()),
        st.tuples(st.just("reverse_entry"), st.integers(min_value=0, max_value=40)),
    ),
    min_size=1,
    max_size=12,
)


class Rollback(Exception):
    pass


def _state():
    return (
        sorted(Entry.objects.values_list("pk", "amount")),
        sorted(Pocket.objects.values_list("pk", "balance")),
        sorted(Fund.objects.values_list("pk", "donations_count", "received_money")),
        sorted(Donation.objects.values_list("pk", "status")),
    )


def _check_invariants():
    assert ledger.pockets_mismatched() == []
    assert not Pocket.objects.filter(balance__lt=0).exists()
    for fund in Fund.objects.all():
        live = Donation.objects.filter(fund=fund, status="recorded").aggregate(
            n=Count("id"), s=Sum("amount")
        )
        assert fund.donations_count == live["n"]
        assert fund.received_money + fund.received_goods == (live["s"] or 0)


@settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_random_sequences_keep_the_ledger_sound(tree, people, tet_campaign, ops):
    officer = actor(people.hn_officer)
    area = Earmark(kind="area", unit_id=tree.ba_dinh.pk)
    try:
        with transaction.atomic():
            appeal = services.appeal_create(
                actor=officer,
                unit=tree.hanoi,
                data=services.AppealData(
                    name="Bão số 3",
                    code="RANDOM",
                    opens_on=TODAY,
                    bank_bin="970436",
                    account_no="999000111",
                ),
            )
            funds = [appeal, services.fund_activity_for(tree.hanoi)]
            at_ba_dinh = Distribution.objects.create(
                campaign=tet_campaign, unit=tree.ba_dinh, title="Ba Đình", held_on=TODAY
            )
            at_hoan_kiem = Distribution.objects.create(
                campaign=tet_campaign, unit=tree.hoan_kiem, title="Hoàn Kiếm", held_on=TODAY
            )
            for op in ops:
                before = _state()
                try:
                    _apply(op, officer, tree, funds, area, at_ba_dinh, at_hoan_kiem)
                except ApplicationError:
                    assert _state() == before, op
                _check_invariants()
            raise Rollback
    except Rollback:
        pass


def _apply(op, officer, tree, funds, area, at_ba_dinh, at_hoan_kiem):
    kind = op[0]
    if kind == "give":
        _, ix, amount, earmarked = op
        services.donation_record(
            actor=officer,
            unit=tree.hanoi,
            data=services.DonationData(
                fund=funds[ix],
                amount=amount,
                received_on=TODAY,
                earmark=area if earmarked else Earmark(),
                issue_receipt=False,
            ),
        )
    elif kind == "reverse_gift":
        gifts = list(Donation.objects.order_by("pk"))
        if not gifts:
            return
        services.donation_reverse(
            actor=officer, donation=gifts[op[1] % len(gifts)], reason="Ghi nhầm"
        )
    elif kind == "allocate":
        _, ix, amount, earmarked, down = op
        a, b = (tree.hanoi, tree.ba_dinh) if down else (tree.ba_dinh, tree.hanoi)
        spending.allocation_make(
            actor=officer,
            fund=funds[ix],
            from_unit=a,
            to_unit=b,
            amount=amount,
            posted_on=TODAY,
            earmark=area if earmarked else Earmark(),
        )
    elif kind == "transfer":
        _, amount, to_appeal = op
        source, target = (funds[1], funds[0]) if to_appeal else (funds[0], funds[1])
        spending.transfer_make(
            actor=officer,
            from_fund=source,
            to_fund=target,
            unit=tree.hanoi,
            amount=amount,
            posted_on=TODAY,
            reason="Theo quyết định",
        )
    elif kind == "spend":
        _, ix, amount, earmarked, right_place = op
        spending.spend(
            actor=officer,
            fund=funds[ix],
            unit=tree.hanoi,
            amount=amount,
            posted_on=TODAY,
            description="Chi hỗ trợ",
            earmark=area if earmarked else Earmark(),
            distribution=at_ba_dinh if right_place else at_hoan_kiem,
        )
    elif kind == "reverse_entry":
        entries = list(Entry.objects.exclude(kind="reversal").order_by("pk"))
        if not entries:
            return
        spending.entry_reverse(
            actor=officer, entry=entries[op[1] % len(entries)], reason="Điều chỉnh"
        )


@pytest.fixture
def tet_campaign(tree, people):
    import datetime as dt

    return make_campaign(people, tree, starts_on=dt.date(2026, 11, 1))
