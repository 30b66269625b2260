"""What a donor receives (rules.md): a gift of at least the minimum for the volume given, travel
support up to 50.000 đ, a meal up to 30.000 đ, all configurable in the rules row in force; the
recording service refuses an amount outside them, the desk shows them, the API carries them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from nhandao.blood import eligibility, services
from nhandao.blood.models import BloodDonation, BloodRules
from nhandao.blood.selectors import rules_in_force
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.orgs import services as orgs
from nhandao.orgs.models import RoleAssignment
from tests.blood.b1_fixtures import TODAY, donate, make_desk
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(tree, people):
    return make_desk(tree, people)


@pytest.mark.parametrize(
    ("kind", "ml", "minimum"),
    [
        ("whole_blood", 250, 100_000),
        ("whole_blood", 350, 150_000),
        ("whole_blood", 450, 180_000),
        ("whole_blood", 300, 100_000),  # between bags: the bag at or under it
        ("whole_blood", 200, 100_000),  # under the smallest bag: the smallest bag's
        ("platelets", 250, 150_000),
        ("plasma", 400, 150_000),
        ("plasma", 450, 200_000),
        ("red_cells", 500, 200_000),
        ("platelets", 550, 250_000),
        ("platelets", 650, 250_000),
        ("platelets", 700, 250_000),  # over the last band: the last band's
    ],
)
def test_minimum_gift_by_kind_and_volume(kind, ml, minimum):
    assert eligibility.Rules().gift_minimum(kind, ml) == minimum


def test_the_seeded_rules_carry_the_amounts_of_rules_md():
    rules = eligibility.rules_from_row(rules_in_force(TODAY))
    assert rules.gift_whole == ((250, 100_000), (350, 150_000), (450, 180_000))
    assert rules.gift_apheresis == ((400, 150_000), (500, 200_000), (650, 250_000))
    assert (rules.travel_max, rules.meal_max) == (50_000, 30_000)
    text = eligibility.gift_minimums_text(rules, "plasma")
    assert text == "250–400 ml: 150.000 đ; 401–500 ml: 200.000 đ; 501–650 ml: 250.000 đ"


def test_a_gift_under_the_minimum_is_refused_then_the_minimum_is_recorded(desk):
    with pytest.raises(ApplicationError) as exc:
        donate(desk, desk.an, volume_ml=450, gift_value=150_000)
    assert exc.value.field == "gift_value"
    assert exc.value.message == (
        "Quà tặng cho lần hiến máu toàn phần 450 ml tối thiểu là 180.000 đ (đang ghi 150.000 đ)."
    )
    assert not BloodDonation.objects.exists()
    donation = donate(desk, desk.an, volume_ml=450, gift_value=180_000, travel_value=50_000)
    assert (donation.gift_value, donation.travel_value, donation.meal_value) == (
        180_000,
        50_000,
        0,
    )
    event = AuditEvent.objects.get(object_type="blood.blooddonation", object_id=str(donation.pk))
    assert event.changes["travel_value"] == [None, 50_000]


def test_no_gift_recorded_is_accepted(desk):
    donation = donate(desk, desk.an, volume_ml=350)
    assert donation.gift_value == 0


def test_travel_and_meal_over_their_maximum_are_refused(desk):
    with pytest.raises(ApplicationError) as exc:
        donate(desk, desk.an, gift_value=150_000, travel_value=60_000)
    assert exc.value.field == "travel_value"
    assert exc.value.message == "Hỗ trợ đi lại tối đa 50.000 đ (đang ghi 60.000 đ)."
    with pytest.raises(ApplicationError, match=r"Hỗ trợ ăn nhẹ tối đa 30\.000 đ"):
        donate(desk, desk.an, gift_value=150_000, meal_value=30_001)
    with pytest.raises(ApplicationError, match="không hợp lệ"):
        donate(desk, desk.an, meal_value=-1)
    assert not BloodDonation.objects.exists()
    assert donate(desk, desk.an, gift_value=150_000, meal_value=30_000).meal_value == 30_000


def test_the_amounts_follow_the_rules_row_in_force(desk):
    row = rules_in_force(TODAY)
    BloodRules.objects.filter(pk=row.pk).update(gift_min_whole_350=170_000, travel_max=80_000)
    with pytest.raises(ApplicationError, match=r"tối thiểu là 170\.000 đ"):
        donate(desk, desk.an, volume_ml=350, gift_value=150_000)
    donation = donate(desk, desk.an, volume_ml=350, gift_value=170_000, travel_value=80_000)
    assert donation.travel_value == 80_000


def test_the_desk_shows_the_amounts_and_refuses_a_small_gift(client, desk, people):
    login(client, people.clerk)
    url = reverse("blood_checkin_donor", args=[desk.session.pk, desk.an.pk])
    page = client.get(url).content.decode()
    assert "250 ml: 100.000 đ; 350 ml: 150.000 đ; 450 ml: 180.000 đ" in page
    assert "hỗ trợ đi lại tối đa 50.000 đ, ăn nhẹ tối đa 30.000 đ" in page
    assert 'name="travel_value"' in page and 'name="meal_value"' in page
    body = {"kind": "whole_blood", "volume_ml": 350, "weight_kg": "60", "gift_value": "50.000"}
    refused = client.post(url, body).content.decode()
    assert "tối thiểu là 150.000 đ (đang ghi 50.000 đ)" in refused
    assert not BloodDonation.objects.exists()
    done = client.post(url, {**body, "gift_value": "150.000", "meal_value": "30.000"})
    donation = BloodDonation.objects.get(donor=desk.an)
    assert done["Location"] == reverse("blood_certificate", args=[donation.pk])
    certificate = client.get(done["Location"]).content.decode()
    assert "150.000 đ" in certificate and "ăn nhẹ 30.000 đ" in certificate


def test_the_api_takes_and_returns_travel_and_meal(desk, people):
    assignment = RoleAssignment.objects.get(user=people.clerk)
    _token, raw = orgs.token_create(actor=people.clerk, assignment=assignment, name="tram")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    url = f"/api/v1/blood/sessions/{desk.session.pk}/donations"
    body = {"donor_id": desk.an.pk, "volume_ml": 450, "weight_kg": 61.5, "gift_value": 180_000}
    r = api.post(url, {**body, "meal_value": 45_000}, content_type="application/json")
    assert r.status_code == 400
    assert r.json() == {
        "detail": "Hỗ trợ ăn nhẹ tối đa 30.000 đ (đang ghi 45.000 đ).",
        "field": "meal_value",
    }
    r = api.post(
        url, {**body, "travel_value": 50_000, "meal_value": 30_000}, content_type="application/json"
    )
    assert r.status_code == 201, r.content
    assert (r.json()["gift_value"], r.json()["travel_value"], r.json()["meal_value"]) == (
        180_000,
        50_000,
        30_000,
    )


def test_amounts_typed_as_text_are_checked_too(desk):
    data = services.DonationData(volume_ml=250, weight_kg="60", gift_value="99.999")
    with pytest.raises(ApplicationError, match=r"tối thiểu là 100\.000 đ"):
        services.donation_record(actor=desk.officer, donor=desk.an, session=desk.session, data=data)
