"""Pledges: instalments (equal monthly or explicit rows adding up to the total), paid and
outstanding from the donations linked to the pledge, fulfilment and reopening on reversal,
cancelling with a reason, reminders (page, e-mail, stamp, audit) and the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.funds import pledges, services
from nhandao.funds import selectors_donations as sel
from nhandao.funds.models import Pledge, PledgeInstalment
from tests.conftest import actor, login
from tests.funds.conftest import TODAY

pytestmark = pytest.mark.django_db


def _pledge(people, tree, fund, donor, amount=1_000_000, pledged_on=TODAY, **extra):
    return pledges.pledge_create(
        actor=actor(people.hn_officer),
        unit=tree.hanoi,
        data=pledges.PledgeData(
            donor=donor, fund=fund, amount=amount, pledged_on=pledged_on, **extra
        ),
    )


def test_add_months_keeps_the_day_or_the_month_end():
    assert pledges.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert pledges.add_months(dt.date(2027, 11, 15), 3) == dt.date(2028, 2, 15)


def test_equal_instalments_add_up_to_the_total(people, tree, appeal, donor):
    pledge = _pledge(people, tree, appeal, donor, count=3, first_due=dt.date(2026, 12, 31))
    rows = list(pledge.instalments.values_list("due_on", "amount"))
    assert rows == [
        (dt.date(2026, 12, 31), 333_334),
        (dt.date(2027, 1, 31), 333_333),
        (dt.date(2027, 2, 28), 333_333),
    ]
    assert AuditEvent.objects.filter(object_type="funds.pledge", action="create").exists()


def test_explicit_rows_must_add_up(people, tree, appeal, donor):
    later = TODAY + dt.timedelta(days=30)
    with pytest.raises(ApplicationError, match="Tổng các đợt"):
        _pledge(people, tree, appeal, donor, instalments=[(TODAY, 400_000), (later, 500_000)])
    with pytest.raises(ApplicationError, match="trước ngày cam kết"):
        _pledge(
            people,
            tree,
            appeal,
            donor,
            instalments=[(TODAY - dt.timedelta(days=1), 500_000), (later, 500_000)],
        )
    assert not Pledge.objects.exists()
    pledge = _pledge(people, tree, appeal, donor, instalments=[(later, 600_000), (TODAY, 400_000)])
    assert [i.amount for i in pledge.instalments.all()] == [400_000, 600_000]


def test_paid_fills_instalments_in_due_order_and_fulfils(people, tree, appeal, donor, give):
    start = TODAY - dt.timedelta(days=20)
    pledge = _pledge(people, tree, appeal, donor, pledged_on=start, count=2, first_due=start)
    view = sel.pledge_view(pledge)
    assert [i.overdue for i in view.instalments] == [True, False]
    gift = give(appeal, 700_000, donor=donor, pledge=pledge)
    pledges.pledge_refresh(pledge)
    view = sel.pledge_view(Pledge.objects.get(pk=pledge.pk))
    assert [(i.paid, i.outstanding) for i in view.instalments] == [(500_000, 0), (200_000, 300_000)]
    assert view.pledge.status == "open"
    give(appeal, 300_000, donor=donor, pledge=pledge)
    assert pledges.pledge_refresh(pledge).status == "fulfilled"
    services.donation_reverse(actor=actor(people.hn_officer), donation=gift, reason="Nhầm")
    assert pledges.pledge_refresh(pledge).status == "open"


def test_a_pledge_of_another_donor_is_refused(people, tree, appeal, donor, give):
    pledge = _pledge(people, tree, appeal, donor)
    with pytest.raises(ApplicationError, match="nhà hảo tâm khác"):
        give(appeal, 100_000, pledge=pledge)


def test_cancel_needs_a_reason(people, tree, appeal, donor):
    pledge = _pledge(people, tree, appeal, donor)
    officer = actor(people.hn_officer)
    with pytest.raises(ApplicationError, match="lý do"):
        pledges.pledge_cancel(actor=officer, pledge=pledge, reason=" ")
    pledges.pledge_cancel(actor=officer, pledge=pledge, reason="Doanh nghiệp khó khăn")
    pledge.refresh_from_db()
    assert pledge.status == "cancelled" and "Doanh nghiệp khó khăn" in pledge.note
    with pytest.raises(ApplicationError):
        pledges.pledge_cancel(actor=officer, pledge=pledge, reason="Lần nữa")


def test_reminders_list_due_and_overdue_and_stamp(people, tree, appeal, donor, give):
    due = _pledge(people, tree, appeal, donor, count=2, first_due=TODAY + dt.timedelta(days=5))
    _pledge(people, tree, appeal, donor, first_due=TODAY + dt.timedelta(days=30))
    rows = pledges.reminders_due(user=actor(people.hn_officer), days=7)
    assert [(p.pk, r.outstanding) for p, r in rows] == [(due.pk, 500_000)]
    assert pledges.reminders_due(user=actor(people.outsider)) == []
    instalment = rows[0][1].instalment
    address = pledges.reminder_send(actor=actor(people.hn_officer), instalment=instalment)
    assert address == "lienhe@hongha.vn"
    assert len(mail.outbox) == 1 and "500.000 đ" in mail.outbox[0].body
    assert PledgeInstalment.objects.get(pk=instalment.pk).reminded_at is not None
    assert AuditEvent.objects.filter(changes__emailed_to="lienhe@hongha.vn").exists()
    give(appeal, 500_000, donor=donor, pledge=due)
    assert pledges.reminders_due(user=actor(people.hn_officer), days=7) == []
    with pytest.raises(ApplicationError, match="đủ"):
        pledges.reminder_send(actor=actor(people.hn_officer), instalment=instalment)


def test_pledge_pages(client, people, tree, appeal, donor):
    login(client, people.hn_officer)
    response = client.post(
        reverse("pledge_create"),
        {
            "donor": donor.pk,
            "fund": appeal.pk,
            "amount": "900.000",
            "pledged_on": TODAY.strftime("%d/%m/%Y"),
            "schedule": "rows",
            "count": "1",
            "inst-0-due_on": TODAY.strftime("%d/%m/%Y"),
            "inst-0-amount": "400.000",
            "inst-1-due_on": (TODAY + dt.timedelta(days=31)).strftime("%d/%m/%Y"),
            "inst-1-amount": "400.000",
            "earmark_kind": "",
        },
    )
    assert "Tổng các đợt (800.000 đ) khác tổng số cam kết (900.000 đ)." in response.content.decode()
    assert not Pledge.objects.exists()
    response = client.post(
        reverse("pledge_create"),
        {
            "donor": donor.pk,
            "fund": appeal.pk,
            "amount": "900.000",
            "pledged_on": TODAY.strftime("%d/%m/%Y"),
            "schedule": "equal",
            "count": "3",
            "earmark_kind": "",
        },
    )
    pledge = Pledge.objects.get()
    assert response["Location"] == reverse("pledge_detail", args=[pledge.pk])
    assert pledge.instalments.count() == 3
    page = client.get(reverse("pledge_detail", args=[pledge.pk])).content.decode()
    assert "300.000 đ" in page and "Công ty TNHH Thương mại Hồng Hà" in page
    pay = client.get(reverse("pledge_pay", args=[pledge.pk]))
    form = client.get(pay["Location"]).content.decode()
    assert f'value="{pledge.pk}" selected' in form and 'value="300.000"' in form
    listing = client.get(reverse("pledge_list"), {"due_within": "7"}).content.decode()
    assert reverse("pledge_detail", args=[pledge.pk]) in listing
    reminders = client.get(reverse("pledge_reminders")).content.decode()
    assert "Công ty TNHH Thương mại Hồng Hà" in reminders
    first = pledge.instalments.first()
    client.post(reverse("pledge_remind", args=[first.pk]))
    assert PledgeInstalment.objects.get(pk=first.pk).reminded_at is not None
    client.post(reverse("pledge_cancel", args=[pledge.pk]), {"reason": "Đổi kế hoạch"})
    assert Pledge.objects.get().status == "cancelled"


def test_recording_a_payment_through_the_form_fulfils_the_pledge(
    client, people, tree, appeal, donor
):
    pledge = _pledge(people, tree, appeal, donor, amount=300_000)
    login(client, people.hn_officer)
    client.post(
        reverse("donation_create"),
        {
            "fund": appeal.pk,
            "donor": donor.pk,
            "pledge": pledge.pk,
            "received_on": TODAY.strftime("%d/%m/%Y"),
            "method": "transfer",
            "amount": "300.000",
            "earmark_kind": "",
        },
    )
    assert Pledge.objects.get().status == "fulfilled"
