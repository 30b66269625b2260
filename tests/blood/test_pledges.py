from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from nhandao.blood import selectors
from nhandao.blood.models import OrganPledge
from nhandao.blood.pledges import pledge_register, pledge_withdraw
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from tests.blood.b2_factories import make_donor, make_person
from tests.conftest import actor


def test_register_withdraw_never_deleted_and_counted(tree, people, as_user):
    person = make_person(tree.hoan_kiem, "Hoàng Thị Tâm")
    client = as_user(people.hn_officer)
    found = client.get(reverse("blood_pledge_list"), {"q": "tam"}).content.decode()
    assert "Hoàng Thị Tâm" in found
    url = reverse("blood_pledge_create", args=[person.pk])
    response = client.post(
        url, {"kind": "organ", "details": "giác mạc", "registered_on": "02/01/2026"}
    )
    assert response.status_code == 302
    pledge = OrganPledge.objects.get()
    with pytest.raises(ApplicationError, match="đã đăng ký"):
        pledge_register(
            actor=actor(people.hn_officer),
            person=person,
            unit=tree.hoan_kiem,
            kind="organ",
            registered_on=dt.date(2026, 1, 3),
        )
    pledge_register(
        actor=actor(people.hn_officer),
        person=make_person(tree.ba_dinh, "Vũ Văn Thân"),
        unit=tree.ba_dinh,
        kind="body",
        registered_on=dt.date(2026, 1, 3),
    )
    counts = selectors.pledge_counts(user=actor(people.hn_officer), unit=tree.hanoi)
    assert counts[0].counts == {"organ": 1, "body": 1}
    assert {c.unit.pk: c.total for c in counts[1:]} == {tree.hoan_kiem.pk: 1, tree.ba_dinh.pk: 1}
    client.post(reverse("blood_pledge_withdraw", args=[pledge.pk]), {"withdrawn_on": "01/02/2026"})
    pledge.refresh_from_db()
    assert pledge.withdrawn_on == dt.date(2026, 2, 1)
    assert OrganPledge.objects.count() == 2  # kept
    counts = selectors.pledge_counts(user=actor(people.hn_officer), unit=tree.hanoi)
    assert counts[0].counts == {"body": 1} and counts[0].withdrawn == 1
    assert AuditEvent.objects.filter(action="update", object_type="blood.organpledge").exists()
    with pytest.raises(ApplicationError):
        pledge_withdraw(actor=actor(people.hn_officer), pledge=pledge)
    page = client.get(reverse("blood_pledge_list"), {"unit": tree.hanoi.pk}).content.decode()
    page = page.split('id="pledges"')[1]  # the list (messages of the last posts come first)
    assert "Vũ Văn Thân" in page and "Hoàng Thị Tâm" not in page


def test_pledge_on_donor_page_and_future_date_refused(tree, people, as_user):
    donor = make_donor(tree.hoan_kiem, "Đinh Văn Hiếu")
    with pytest.raises(ApplicationError, match="tương lai"):
        pledge_register(
            actor=actor(people.hn_officer),
            person=donor.person,
            unit=tree.hoan_kiem,
            kind="tissue",
            registered_on=dt.date(2099, 1, 1),
        )
    pledge_register(
        actor=actor(people.hn_officer),
        person=donor.person,
        unit=tree.hoan_kiem,
        kind="tissue",
        registered_on=dt.date(2026, 1, 1),
    )
    page = as_user(people.hn_officer).get(reverse("blood_donor_detail", args=[donor.pk]))
    assert "Hiến mô" in page.content.decode()
