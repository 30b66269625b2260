"""The yearly receipts-and-use statement: figures straight from the ledger, split by year, by
donor kind and by distribution, and always balanced (opening + movements == closing)."""

from __future__ import annotations

import datetime as dt

import pytest

from nhandao.aid.models import Distribution
from nhandao.funds import ledger, services
from nhandao.funds.annual import annual_statement
from nhandao.funds.models import Entry
from tests.campaigns.conftest import make_campaign
from tests.conftest import actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def hanoi_fund(tree):
    return services.fund_activity_for(tree.hanoi)


def test_the_statement_of_a_year_adds_up(tree, people, hanoi_fund, donor, give):
    officer = actor(people.hn_officer)
    give(hanoi_fund, 1_000_000, donor=donor, received_on=dt.date(2025, 6, 1))
    give(hanoi_fund, 2_000_000, donor=donor, received_on=dt.date(2026, 2, 1))
    anon = give(hanoi_fund, 500_000, received_on=dt.date(2026, 3, 1))
    services.donation_reverse(actor=officer, donation=anon, reason="Ghi trùng")
    ledger.allocate(
        fund=hanoi_fund,
        from_unit=tree.hanoi,
        to_unit=tree.ba_dinh,
        amount=700_000,
        posted_on=dt.date(2026, 4, 1),
        actor=officer,
    )
    campaign = make_campaign(people, tree, starts_on=dt.date(2026, 11, 1))
    dist = Distribution.objects.create(
        campaign=campaign, unit=tree.ba_dinh, title="Trao quà Tết Ba Đình", held_on=TODAY_2026
    )
    ledger.disburse(
        fund=hanoi_fund,
        unit=tree.ba_dinh,
        amount=400_000,
        posted_on=TODAY_2026,
        actor=officer,
        description="Mua quà",
        distribution=dist,
    )
    ledger.disburse(
        fund=hanoi_fund,
        unit=tree.hanoi,
        amount=100_000,
        posted_on=TODAY_2026,
        actor=officer,
        description="Văn phòng phẩm",
    )

    last = annual_statement(hanoi_fund, 2025)
    assert (last.opening, last.receipts_money, last.closing) == (0, 1_000_000, 1_000_000)

    st = annual_statement(hanoi_fund, 2026)
    assert st.opening == 1_000_000
    assert st.receipts_money == 2_500_000 and st.receipts_goods == 0
    assert st.receipts_by_kind == [("Doanh nghiệp", 2_000_000), ("Không ghi nhà hảo tâm", 500_000)]
    assert (st.allocated_in, st.allocated_out) == (700_000, 700_000)
    assert st.spent == 500_000
    assert st.spent_by_distribution == [
        ("Trao quà Tết Ba Đình", 400_000),
        ("Chi khác (không gắn đợt trao)", 100_000),
    ]
    assert st.reversed == -500_000
    assert st.closing == 2_500_000 == ledger.balance(fund=hanoi_fund, unit=None)
    assert st.balanced

    ba_dinh = annual_statement(hanoi_fund, 2026, unit=tree.ba_dinh)
    assert (ba_dinh.opening, ba_dinh.allocated_in, ba_dinh.spent, ba_dinh.closing) == (
        0,
        700_000,
        400_000,
        300_000,
    )
    assert ba_dinh.balanced and ba_dinh.receipts_money == 0


def test_the_figures_are_plain_ints_and_lists(hanoi_fund, give):
    give(hanoi_fund, 50_000, received_on=dt.date(2026, 1, 2))
    st = annual_statement(hanoi_fund, 2026)
    for name in (
        "opening",
        "receipts_money",
        "receipts_goods",
        "allocated_in",
        "allocated_out",
        "transferred_in",
        "transferred_out",
        "spent",
        "reversed",
        "closing",
        "year",
    ):
        assert type(getattr(st, name)) is int, name
    assert isinstance(st.receipts_by_kind, list) and isinstance(st.spent_by_distribution, list)
    assert st.fund == hanoi_fund
    assert Entry.objects.count() == 1


TODAY_2026 = dt.date(2026, 11, 20)
