"""Spending rules: earmarked money only on its earmark (beneficiary, area, campaign), never over the
pocket, an appeal's money only until its distribution deadline; a refused spending writes
nothing; the spent total per distribution; transfers into a closed appeal refused."""

from __future__ import annotations

import datetime as dt

import pytest

from nhandao.aid import services as aid
from nhandao.aid.models import AidKind, Distribution
from nhandao.beneficiaries.models import Beneficiary
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.funds import ledger, selectors, services, spending
from nhandao.funds.ledger import Earmark
from nhandao.funds.models import Entry, Pocket
from tests.campaigns.conftest import make_campaign, tet  # noqa: F401 - the fixture
from tests.conftest import actor
from tests.funds.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def t(tet):  # noqa: F811 - the launched Tết campaign with its households
    return tet


def _gift(people, t, person, kind=AidKind.GIFT, distribution=None):
    return aid.aid_record(
        actor=actor(people.hn_officer),
        campaign=t.campaign,
        person=person,
        data=aid.AidData(kind=kind, value=500_000, given_on=TODAY),
        distribution=distribution,
    )


def _spend(people, fund, unit, amount, **kw):
    return spending.spend(
        actor=actor(people.hn_officer),
        fund=fund,
        unit=unit,
        amount=amount,
        posted_on=kw.pop("posted_on", TODAY),
        description=kw.pop("description", "Hỗ trợ"),
        **kw,
    )


def _ledger_state():
    return (Entry.objects.count(), sorted(Pocket.objects.values_list("pk", "balance")))


def test_a_beneficiary_earmark_pays_only_that_person_or_household(tree, people, t, appeal, give):
    an = Beneficiary.objects.get(person=t.an)
    earmark = Earmark(kind="beneficiary", beneficiary_id=an.pk)
    give(appeal, 2_000_000, earmark=earmark)
    binh_gift = _gift(people, t, t.binh)
    wife_gift = _gift(people, t, t.an_wife, kind=AidKind.CASH)
    before = _ledger_state()
    with pytest.raises(ApplicationError, match="hãy chọn các lần trao"):
        _spend(people, appeal, tree.hanoi, 500_000, earmark=earmark)
    with pytest.raises(ApplicationError, match="không chi cho hỗ trợ của người khác"):
        _spend(people, appeal, tree.hanoi, 500_000, earmark=earmark, aid_records=[binh_gift])
    assert _ledger_state() == before  # refused: nothing written
    entry = _spend(people, appeal, tree.hanoi, 500_000, earmark=earmark, aid_records=[wife_gift])
    assert list(entry.aid_records.all()) == [wife_gift]
    assert ledger.balance(fund=appeal, unit=tree.hanoi, earmark=earmark) == 1_500_000
    assert AuditEvent.objects.filter(object_type="funds.entry", object_id=str(entry.pk)).exists()


def test_an_area_earmark_pays_only_inside_that_area(tree, people, t, appeal, give):
    earmark = Earmark(kind="area", unit_id=tree.ba_dinh.pk)
    give(appeal, 1_000_000, earmark=earmark)
    hk = Distribution.objects.create(
        campaign=t.campaign, unit=tree.hoan_kiem, title="Trao quà Hoàn Kiếm", held_on=TODAY
    )
    bd = Distribution.objects.create(
        campaign=t.campaign, unit=tree.ba_dinh, title="Trao quà Ba Đình", held_on=TODAY
    )
    with pytest.raises(ApplicationError, match="không thuộc địa bàn được chỉ định"):
        _spend(people, appeal, tree.hanoi, 300_000, earmark=earmark, distribution=hk)
    with pytest.raises(ApplicationError, match="không thuộc địa bàn được chỉ định"):
        _spend(
            people,
            appeal,
            tree.hanoi,
            300_000,
            earmark=earmark,
            aid_records=[_gift(people, t, t.binh)],
        )
    _spend(people, appeal, tree.hanoi, 300_000, earmark=earmark, distribution=bd)
    _spend(people, appeal, tree.hanoi, 200_000, distribution=bd, earmark=earmark)
    rows = selectors.spent_by_distribution(fund=appeal)
    assert [(r["title"], r["amount"]) for r in rows] == [("Trao quà Ba Đình", 500_000)]


def test_a_campaign_earmark_pays_only_that_campaign(tree, people, t, appeal, give):
    earmark = Earmark(kind="campaign", campaign_id=t.campaign.pk)
    give(appeal, 1_000_000, earmark=earmark)
    other = make_campaign(people, tree, kind="tet", lunar_year=2028, starts_on=dt.date(2026, 11, 2))
    elsewhere = Distribution.objects.create(
        campaign=other, unit=tree.hanoi, title="Đợt khác", held_on=TODAY
    )
    mine = Distribution.objects.create(
        campaign=t.campaign, unit=tree.hanoi, title="Đợt Tết", held_on=TODAY
    )
    with pytest.raises(ApplicationError, match="không thuộc phong trào được chỉ định"):
        _spend(people, appeal, tree.hanoi, 100_000, earmark=earmark, distribution=elsewhere)
    with pytest.raises(ApplicationError, match="hãy chọn đợt trao"):
        _spend(people, appeal, tree.hanoi, 100_000, earmark=earmark)
    entry = _spend(people, appeal, tree.hanoi, 100_000, earmark=earmark, distribution=mine)
    assert entry.distribution == mine and entry.amount == -100_000


def test_an_appeal_is_spent_by_its_distribution_deadline_unless_extended(tree, people, give):
    officer = actor(people.hn_officer)
    opened = TODAY - dt.timedelta(days=120)
    fund = services.appeal_create(
        actor=officer,
        unit=tree.hanoi,
        data=services.AppealData(
            name="Lũ quét Mường Tè",
            code="LUMT",
            opens_on=opened,
            bank_bin="970418",
            account_no="12010000777",
            receiving_days=10,
        ),
    )
    give(fund, 900_000, received_on=opened)
    end = fund.distribution_ends_on
    with pytest.raises(ApplicationError) as refused:
        _spend(people, fund, tree.hanoi, 100_000)
    assert end.strftime("%d/%m/%Y") in refused.value.message
    assert "gia hạn" in refused.value.message
    _spend(people, fund, tree.hanoi, 100_000, posted_on=end)  # the last day is still allowed
    services.appeal_extend(
        actor=officer,
        fund=fund,
        decision_no="20/QĐ-HCTĐ",
        decided_on=TODAY,
        receiving_ends_on=TODAY,
        reason="Còn hộ chưa nhận",
    )
    fund.refresh_from_db()
    _spend(people, fund, tree.hanoi, 100_000)
    assert ledger.balance(fund=fund) == 700_000


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (0, "lớn hơn 0"),
        (-100, "lớn hơn 0"),
        (1.5, "không có phần lẻ"),
        (2_000_000, "Số dư không đủ"),
    ],
)
def test_bad_spending_is_refused_in_vietnamese_and_writes_nothing(
    tree, people, appeal, give, amount, message
):
    give(appeal, 1_000_000)
    before = _ledger_state()
    with pytest.raises(ApplicationError, match=message):
        _spend(people, appeal, tree.hanoi, amount)
    assert _ledger_state() == before


def test_spending_from_an_empty_pocket_or_in_the_future_is_refused(tree, people, appeal, give):
    give(appeal, 1_000_000)
    before = _ledger_state()
    with pytest.raises(ApplicationError, match="số dư 0"):
        _spend(people, appeal, tree.ba_dinh, 100_000)
    with pytest.raises(ApplicationError, match="sau hôm nay"):
        _spend(people, appeal, tree.hanoi, 100_000, posted_on=TODAY + dt.timedelta(days=1))
    assert _ledger_state() == before  # no empty pocket was opened either


def test_only_fund_managers_spend(tree, people, activity_fund, give):
    give(activity_fund, 500_000, by=people.clerk, unit=tree.hoan_kiem)
    with pytest.raises(ApplicationError, match="không có quyền"):
        spending.spend(
            actor=actor(people.clerk),
            fund=activity_fund,
            unit=tree.hoan_kiem,
            amount=100_000,
            posted_on=TODAY,
            description="Mua quà",
        )


def test_a_transfer_into_a_closed_appeal_is_refused(tree, people, appeal, give):
    officer = actor(people.hn_officer)
    hanoi_fund = services.fund_activity_for(tree.hanoi)
    give(hanoi_fund, 800_000)
    services.fund_close(actor=officer, fund=appeal)
    before = _ledger_state()
    with pytest.raises(ApplicationError, match="đã kết thúc"):
        spending.transfer_make(
            actor=officer,
            from_fund=hanoi_fund,
            to_fund=appeal,
            unit=tree.hanoi,
            amount=100_000,
            posted_on=TODAY,
            reason="Bổ sung",
        )
    assert _ledger_state() == before


def test_reversing_a_spending_gives_the_money_back_and_nets_the_distribution(
    tree, people, t, appeal, give
):
    give(appeal, 1_000_000)
    dist = Distribution.objects.create(
        campaign=t.campaign, unit=tree.hanoi, title="Đợt 1", held_on=TODAY
    )
    entry = _spend(people, appeal, tree.hanoi, 400_000, distribution=dist)
    spending.entry_reverse(actor=actor(people.hn_officer), entry=entry, reason="Chi nhầm quỹ")
    assert ledger.balance(fund=appeal) == 1_000_000
    assert selectors.spent_by_distribution(fund=appeal) == []
    with pytest.raises(ApplicationError, match="đã được đảo"):
        spending.entry_reverse(actor=actor(people.hn_officer), entry=entry, reason="Lần nữa")
    assert ledger.pockets_mismatched() == []


def test_reversing_a_receipt_cancels_the_donation(people, appeal, give):
    gift = give(appeal, 300_000)
    entry = Entry.objects.get(donation=gift)
    spending.entry_reverse(actor=actor(people.hn_officer), entry=entry, reason="Ghi trùng")
    gift.refresh_from_db()
    appeal.refresh_from_db()
    assert gift.status == "reversed" and appeal.received_money == 0
