from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from nhandao.blood import selectors
from nhandao.blood.donor_profile import DonorPreferences, donor_update
from nhandao.blood.models import BloodDonor, Deferral
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from tests.blood.b2_factories import add_donation, make_donor, xlsx_values
from tests.conftest import actor, make_user

TODAY = timezone.localdate()


@pytest.fixture
def donors(tree, people):
    an = make_donor(tree.hoan_kiem, "Nguyễn Văn An", abo="O", rh="+", phone="0912345678")
    binh = make_donor(tree.ba_dinh, "Đỗ Thị Bình", abo="A", rh="-", phone="0987654321")
    chau = make_donor(tree.hoan_kiem, "Ánh Văn Châu", abo="", rh="")
    add_donation(an, TODAY - dt.timedelta(days=100))
    add_donation(binh, TODAY - dt.timedelta(days=30))
    return an, binh, chau


def test_list_search_filters_and_vietnamese_order(tree, people, donors, as_user):
    an, binh, chau = donors
    user = actor(people.hn_officer)
    names = [d.person.full_name for d in selectors.donor_list(user=user)]
    assert names == ["Nguyễn Văn An", "Đỗ Thị Bình", "Ánh Văn Châu"]  # by given name
    assert list(selectors.donor_list(user=user, query="binh")) == [binh]
    assert list(selectors.donor_list(user=user, query="0912345678")) == [an]
    assert list(selectors.donor_list(user=user, query=an.card_code.lower())) == [an]
    assert list(selectors.donor_list(user=user, group="A-")) == [binh]
    assert list(selectors.donor_list(user=user, group="O")) == [an]
    assert list(selectors.donor_list(user=user, group="?")) == [chau]
    assert list(selectors.donor_list(user=user, unit=tree.ba_dinh)) == [binh]
    again = selectors.donor_list(user=user, eligible_again=True)
    assert set(again) == {an, chau}
    assert list(selectors.donor_list(user=actor(people.outsider))) == []
    page = as_user(people.hn_officer).get(reverse("blood_donor_list"), {"q": "an"})
    assert page.status_code == 200
    assert "Nguyễn Văn An" in page.content.decode()
    assert "0912 345 678" in page.content.decode()  # an officer has pii.view
    page = as_user(people.clerk).get(reverse("blood_donor_list"), {"q": "an"}).content.decode()
    assert "091****678" in page and "0912 345 678" not in page


def test_deferral_running_is_not_eligible_again(tree, people, donors):
    an, _b, chau = donors
    Deferral.objects.create(
        donor=chau, unit=tree.hoan_kiem, deferred_on=TODAY, reason_code="huyết áp", until=None
    )
    Deferral.objects.create(
        donor=an,
        unit=tree.hoan_kiem,
        deferred_on=TODAY - dt.timedelta(days=60),
        reason_code="cảm cúm",
        until=TODAY - dt.timedelta(days=1),
    )
    again = selectors.donor_list(user=actor(people.hn_officer), eligible_again=True)
    assert list(again) == [an]


def test_donor_page_masks_deferrals_and_logs_who_saw_them(tree, people, donors, as_user):
    an = donors[0]
    Deferral.objects.create(
        donor=an, unit=tree.hoan_kiem, deferred_on=TODAY, reason_code="viêm gan", until=None
    )
    url = reverse("blood_donor_detail", args=[an.pk])
    viewer = make_user("viewer", tree.hanoi, "viewer", "Người Xem")
    page = as_user(viewer).get(url).content.decode()
    assert "viêm gan" not in page
    assert "0912345678" not in page and "091 234 5678" not in page
    assert "<svg" in page  # the card's QR code
    assert not AuditEvent.objects.filter(action="view_sensitive").exists()
    page = as_user(people.hn_admin).get(url).content.decode()
    assert "viêm gan" in page
    assert AuditEvent.objects.filter(
        action="view_sensitive", object_id=str(an.pk), actor=people.hn_admin
    ).exists()


def test_edit_blood_group_and_preferences_is_audited(tree, people, donors, as_user):
    chau = donors[2]
    url = reverse("blood_donor_edit", args=[chau.pk])
    client = as_user(people.hn_officer)
    response = client.post(url, {"abo": "B", "rh": "+", "contact_sms": "on", "opted_out": "on"})
    assert response.status_code == 302
    chau.refresh_from_db()
    assert (chau.blood_group, chau.contact_sms, chau.contact_call, chau.opted_out) == (
        "B+",
        True,
        False,
        True,
    )
    assert AuditEvent.objects.filter(
        action="update", object_type="blood.blooddonor", object_id=str(chau.pk)
    ).exists()
    with pytest.raises(ApplicationError):
        donor_update(
            actor=actor(people.hn_officer), donor=chau, data=DonorPreferences(abo="", rh="+")
        )
    with pytest.raises(ApplicationError):
        donor_update(actor=actor(people.outsider), donor=chau, data=DonorPreferences(abo="A"))


def test_export_is_an_official_list(tree, people, donors, as_user):
    response = as_user(people.clerk).get(reverse("blood_donor_export"), {"group": "O+"})
    assert response.status_code == 200
    values = xlsx_values(response.content)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in values
    assert "Nguyễn Văn An" in values
    assert "Đỗ Thị Bình" not in values
    assert "091****678" in values  # data entry has no pii.view: masked


def test_out_of_scope_donor_is_404(tree, people, as_user):
    qt = make_donor(tree.vinh_linh, "Lê Văn Quảng")
    assert BloodDonor.objects.count() == 1
    client = as_user(people.hn_officer)
    assert client.get(reverse("blood_donor_detail", args=[qt.pk])).status_code == 404
    assert client.get(reverse("blood_donor_edit", args=[qt.pk])).status_code == 404
