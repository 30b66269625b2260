"""The core of the ledger: posting, receipts numbered per unit and year, the append-only rule in
the model, the queryset and the database, reversal, and the appeal's receiving window."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from nhandao.core.errors import ApplicationError
from nhandao.funds import ledger, services
from nhandao.funds.models import Entry, Fund, Receipt
from tests.conftest import actor
from tests.funds.conftest import TODAY

pytestmark = pytest.mark.django_db


def test_a_donation_posts_one_entry_and_gets_numbered_receipts(appeal, donor, give):
    first = give(appeal, 1_500_000, donor=donor)
    second = give(appeal, 250_000)
    assert Entry.objects.filter(donation=first).get().amount == 1_500_000
    assert ledger.balance(fund=appeal, unit=appeal.unit) == 1_750_000
    assert [first.receipt.number, second.receipt.number] == [1, 2]
    assert first.receipt.amount_words == "Một triệu năm trăm nghìn đồng"
    assert second.anonymous is True and second.public_name == "Nhà hảo tâm"
    appeal.refresh_from_db()
    assert (appeal.donations_count, appeal.received_money) == (2, 1_750_000)


def test_a_paper_receipt_number_cannot_be_reused(appeal, give):
    give(appeal, 100_000, receipt_number=7)
    with pytest.raises(ApplicationError, match=r"Số 7 năm .* đã dùng"):
        give(appeal, 200_000, receipt_number=7)
    assert Receipt.objects.count() == 1
    assert ledger.balance(fund=appeal) == 100_000  # the refused gift left nothing behind


@pytest.mark.parametrize("amount", [0, -5, 1.5, "100000", True])
def test_amounts_must_be_positive_whole_dong(appeal, give, amount):
    with pytest.raises(ApplicationError):
        give(appeal, amount)
    assert not Entry.objects.exists()


def test_entries_cannot_be_changed_or_deleted_by_any_path(appeal, give):
    entry = Entry.objects.get(donation=give(appeal, 100_000))
    entry.amount = 1
    with pytest.raises(ApplicationError):
        entry.save()
    with pytest.raises(ApplicationError):
        entry.delete()
    with pytest.raises(ApplicationError):
        Entry.objects.filter(pk=entry.pk).update(amount=2)
    with pytest.raises(ApplicationError):
        Entry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE funds_entry SET amount = 3 WHERE id = %s", [entry.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute("DELETE FROM funds_entry WHERE id = %s", [entry.pk])
    assert Entry.objects.get(pk=entry.pk).amount == 100_000


def test_a_reversed_donation_leaves_both_entries_and_a_zero_balance(appeal, people, give):
    gift = give(appeal, 300_000)
    services.donation_reverse(actor=actor(people.hn_officer), donation=gift, reason="Ghi nhầm")
    assert list(Entry.objects.filter(donation=gift).values_list("amount", flat=True)) == [
        300_000,
        -300_000,
    ]
    assert ledger.balance(fund=appeal) == 0
    assert Receipt.objects.get(donation=gift).voided
    appeal.refresh_from_db()
    assert (appeal.donations_count, appeal.received_money) == (0, 0)
    assert ledger.pockets_mismatched() == []


def test_spending_cannot_exceed_the_pocket_nor_touch_an_earmark(appeal, tree, people, give):
    earmark = ledger.Earmark(kind="area", unit_id=tree.ba_dinh.pk)
    give(appeal, 500_000, earmark=earmark)
    give(appeal, 200_000)
    officer = actor(people.hn_officer)
    with pytest.raises(ApplicationError, match="Số dư không đủ"):
        ledger.disburse(
            fund=appeal,
            unit=tree.hanoi,
            amount=300_000,
            posted_on=TODAY,
            actor=officer,
            description="Mua gạo",
        )
    ledger.allocate(
        fund=appeal,
        from_unit=tree.hanoi,
        to_unit=tree.ba_dinh,
        amount=500_000,
        posted_on=TODAY,
        actor=officer,
        earmark=earmark,
    )
    assert ledger.balance(fund=appeal, unit=tree.ba_dinh, earmark=earmark) == 500_000
    assert ledger.balance(fund=appeal, unit=tree.hanoi, subtree=True) == 700_000


def test_receiving_closes_after_the_window_unless_extended(appeal, people, give):
    late = appeal.receiving_ends_on + dt.timedelta(days=1)
    assert appeal.receiving_ends_on == appeal.opens_on + dt.timedelta(days=89)
    assert appeal.distribution_ends_on == appeal.receiving_ends_on + dt.timedelta(days=20)
    problem = services.receiving_problem(appeal, late)
    assert "hết hạn tiếp nhận" in problem
    services.appeal_extend(
        actor=actor(people.hn_officer),
        fund=appeal,
        decision_no="15/QĐ-HCTĐ",
        decided_on=TODAY,
        receiving_ends_on=late,
        reason="Bão số 4 tiếp theo",
    )
    appeal.refresh_from_db()
    assert services.receiving_problem(appeal, late) == ""
    services.fund_close(actor=actor(people.hn_officer), fund=appeal)
    with pytest.raises(ApplicationError, match="đã kết thúc"):
        give(Fund.objects.get(pk=appeal.pk), 100_000)


def test_an_account_serves_one_appeal_only(appeal, tree, people):
    with pytest.raises(ApplicationError, match="đã dùng cho"):
        services.appeal_create(
            actor=actor(people.hn_officer),
            unit=tree.hanoi,
            data=services.AppealData(
                name="Khác",
                code="KHAC26",
                opens_on=TODAY,
                bank_bin="970436",
                account_no="0011001234567",
            ),
        )
