"""The check-in API: lookup with the eligibility answer, recording a donation and a deferral."""

from __future__ import annotations

import pytest
from django.test import Client

from nhandao.blood.models import BloodDonation, Deferral
from nhandao.orgs import services as orgs
from nhandao.orgs.models import RoleAssignment
from tests.blood.b1_fixtures import TODAY, donate, make_desk

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(tree, people):
    return make_desk(tree, people)


def _bearer(user) -> dict[str, str]:
    assignment = RoleAssignment.objects.get(user=user)
    _token, raw = orgs.token_create(actor=user, assignment=assignment, name="tram")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def api(people):
    headers = _bearer(people.clerk)

    class Api:
        def get(self, path, **params):
            return Client().get("/api/v1" + path, params, headers=headers)

        def post(self, path, body):
            return Client().post(
                "/api/v1" + path, body, content_type="application/json", headers=headers
            )

    return Api()


def test_lookup_answers_eligibility(api, desk, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        r = api.get("/blood/checkin", q="0912345678", session_id=desk.session.pk)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["on"] == TODAY.isoformat() and body["session_id"] == desk.session.pk
    (donor,) = body["donors"]
    assert donor["full_name"] == "Nguyễn Văn An" and donor["blood_group"] == "O+"
    assert donor["eligible"] is True and donor["allowed_volumes"] == [250, 350, 450]
    assert donor["weight_kg"] == "60.0"


def test_lookup_after_a_donation_says_why_not(api, desk):
    donate(desk, desk.an)
    r = api.get("/blood/checkin", q=desk.an.card_code, kind="platelets")
    (donor,) = r.json()["donors"]
    assert donor["eligible"] is False and donor["next_date"]
    assert donor["reasons"][0].startswith("Chưa đủ 12 tuần kể từ lần hiến máu toàn phần")


def test_lookup_validation(api, desk, tree):
    assert api.get("/blood/checkin", q="x", kind="urine").status_code == 400
    assert api.get("/blood/checkin", q="nobody").json()["donors"] == []
    from nhandao.blood.models import BloodSession

    qt = BloodSession.objects.create(unit=tree.vinh_linh, held_on=TODAY, place="QT")
    assert api.get("/blood/checkin", q="an", session_id=qt.pk).status_code == 404


def test_record_a_donation_201_then_409(api, desk):
    url = f"/blood/sessions/{desk.session.pk}/donations"
    body = {"donor_id": desk.an.pk, "volume_ml": 450, "weight_kg": 61.5, "certificate_no": "A1"}
    r = api.post(url, body)
    assert r.status_code == 201, r.content
    assert r.json()["first_time"] is True and r.json()["donation_count"] == 1
    again = api.post(url, {**body, "certificate_no": "A2"})
    assert again.status_code == 409
    assert "không ghi lần thứ hai" in again.json()["detail"]
    assert BloodDonation.objects.filter(donor=desk.an).count() == 1


def test_record_refusals_are_400_with_the_reason(api, desk):
    url = f"/blood/sessions/{desk.session.pk}/donations"
    r = api.post(url, {"donor_id": desk.binh.pk, "volume_ml": 350, "weight_kg": "44.9"})
    assert r.status_code == 400
    assert r.json() == {
        "detail": "Thể tích 350 ml không được phép với cân nặng 44,9 kg: tối đa 250 ml.",
        "field": "volume_ml",
    }
    r = api.post(url, {"donor_id": desk.binh.pk, "volume_ml": 250, "weight_kg": 900})
    assert r.status_code == 400 and "không thể đúng" in r.json()["detail"]


def test_record_for_a_donor_out_of_scope_is_404(api, desk, tree, people):
    from tests.blood.b1_fixtures import make_donor

    stranger = make_donor(people.outsider, tree.vinh_linh, "Hồ Văn Em")
    url = f"/blood/sessions/{desk.session.pk}/donations"
    r = api.post(url, {"donor_id": stranger.pk, "volume_ml": 350, "weight_kg": 60})
    assert r.status_code == 404


def test_record_a_deferral(api, desk):
    url = f"/blood/sessions/{desk.session.pk}/deferrals"
    r = api.post(url, {"donor_id": desk.an.pk, "reason_code": "blood_pressure", "days": 7})
    assert r.status_code == 201, r.content
    assert Deferral.objects.get(donor=desk.an).until.isoformat() == r.json()["until"]
    bad = api.post(url, {"donor_id": desk.an.pk, "reason_code": "zzz", "permanent": True})
    assert bad.status_code == 400 and bad.json()["field"] == "reason_code"
    lookup = api.get("/blood/checkin", q="001090001234").json()["donors"][0]
    assert lookup["eligible"] is False and "Đang tạm hoãn" in lookup["reasons"][0]
