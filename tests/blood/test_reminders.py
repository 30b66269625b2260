from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from nhandao.blood import selectors
from nhandao.blood.models import BloodRules, Deferral, DonationKind
from tests.blood.b2_factories import add_donation, make_donor, xlsx_values
from tests.conftest import actor

TODAY = timezone.localdate()


def _ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def test_interval_of_the_last_kind_from_the_rules_in_force(tree, people):
    whole = make_donor(tree.hoan_kiem, "Nguyễn Văn Toàn", phone="0912000001")
    whole_soon = make_donor(tree.hoan_kiem, "Nguyễn Văn Sớm", phone="0912000002")
    plasma = make_donor(tree.hoan_kiem, "Nguyễn Thị Tương", abo="A", phone="0912000003")
    mixed = make_donor(tree.hoan_kiem, "Nguyễn Văn Xen", phone="0912000004")
    add_donation(whole, _ago(84))
    add_donation(whole_soon, _ago(83))
    add_donation(plasma, _ago(14), kind=DonationKind.PLASMA, volume_ml=500)
    add_donation(mixed, _ago(120))
    add_donation(mixed, _ago(20), kind=DonationKind.PLATELETS, volume_ml=250)  # needs 21 days
    user = actor(people.hn_officer)
    assert set(selectors.reminder_list(user=user)) == {whole, plasma}
    BloodRules.objects.create(valid_from=_ago(400), interval_platelets_days=14)
    assert set(selectors.reminder_list(user=user)) == {whole, plasma, mixed}
    assert list(selectors.reminder_list(user=user, group="A")) == [plasma]


def test_opt_out_preferences_phone_and_deferral_respected(tree, people):
    ok = make_donor(tree.hoan_kiem, "Trần Văn Được", phone="0912000011")
    out = make_donor(tree.hoan_kiem, "Trần Văn Từ Chối", phone="0912000012")
    out.opted_out = True
    out.save()
    calls = make_donor(tree.hoan_kiem, "Trần Văn Gọi", phone="0912000013")
    calls.contact_sms = False
    calls.save()
    make_donor(tree.hoan_kiem, "Trần Văn Không Số")
    deferred = make_donor(tree.hoan_kiem, "Trần Văn Hoãn", phone="0912000014")
    Deferral.objects.create(
        donor=deferred,
        unit=tree.hoan_kiem,
        deferred_on=TODAY,
        reason_code="thiếu máu",
        until=TODAY + dt.timedelta(days=30),
    )
    user = actor(people.hn_officer)
    assert set(selectors.reminder_list(user=user)) == {ok, calls}
    assert set(selectors.reminder_list(user=user, channel="sms")) == {ok}
    assert set(selectors.reminder_list(user=user, channel="call")) == {ok, calls}


def test_exports_mask_the_phone_without_pii_view(tree, people, as_user):
    make_donor(tree.hoan_kiem, "Trần Văn Được", phone="0912345678")
    make_donor(tree.vinh_linh, "Lê Văn Xa", phone="0912999999")
    url = reverse("blood_reminder_export")
    csv_text = as_user(people.clerk).get(url, {"format": "csv"}).content.decode("utf-8-sig")
    assert "Trần Văn Được" in csv_text and "091****678" in csv_text
    assert "0912345678" not in csv_text and "Lê Văn Xa" not in csv_text
    sheet = xlsx_values(as_user(people.hn_officer).get(url).content)
    assert "0912345678" in sheet
    page = as_user(people.clerk).get(reverse("blood_reminder_list")).content.decode()
    assert "Trần Văn Được" in page and "091****678" in page
