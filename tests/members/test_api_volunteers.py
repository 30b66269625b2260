"""The volunteers' and staff API: list, read and create volunteers, log hours, list staff; the same
checks as the pages, scope answered with 404, sensitive staff fields masked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nhandao.members import staff, volunteers
from nhandao.members.models import ServiceHours, Volunteer
from nhandao.orgs import services as orgs
from nhandao.orgs.models import RoleAssignment
from nhandao.people.services import PersonData
from tests.conftest import actor

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def auth(user):
    assignment = RoleAssignment.objects.filter(user=user).first()
    _token, raw = orgs.token_create(actor=user, assignment=assignment, name="api")
    return {"Authorization": f"Bearer {raw}"}


def test_create_read_list_and_log_hours(client, tree, people):
    h = auth(people.hn_officer)
    body = {
        "full_name": "Vũ Thị Lan",
        "birth": "02/09/1998",
        "phone": "0912345678",
        "skills": ["first_aid"],
        "joined_on": (TODAY - dt.timedelta(days=30)).isoformat(),
    }
    created = client.post("/api/v1/volunteers", body, content_type="application/json", headers=h)
    assert created.status_code == 201, created.content
    vid = created.json()["id"]
    assert created.json()["skills"] == ["first_aid"] and created.json()["active"] is None
    read = client.get(f"/api/v1/volunteers/{vid}", headers=h)
    assert read.status_code == 200 and read.json()["full_name"] == "Vũ Thị Lan"
    listing = client.get("/api/v1/volunteers", {"skill": "first_aid"}, headers=h)
    assert [v["id"] for v in listing.json()] == [vid]
    hours = client.post(
        f"/api/v1/volunteers/{vid}/hours",
        {"served_on": TODAY.isoformat(), "hours": "2.5", "activity": "Hiến máu"},
        content_type="application/json",
        headers=h,
    )
    assert hours.status_code == 201 and ServiceHours.objects.get().hours == 2.5


def test_bad_input_answers_400_with_the_message(client, tree, people):
    h = auth(people.hn_officer)
    young = {"full_name": "Vũ Văn Nhỏ", "birth": f"01/01/{TODAY.year - 15}"}
    r = client.post("/api/v1/volunteers", young, content_type="application/json", headers=h)
    assert r.status_code == 400 and "đủ 18 tuổi" in r.json()["detail"]
    assert not Volunteer.objects.exists()
    v = volunteers.volunteer_register(
        actor=actor(people.hn_officer),
        unit=tree.hoan_kiem,
        person=PersonData(full_name="Vũ Thị Lan", birth="1990"),
        data=volunteers.VolunteerData(joined_on=TODAY - dt.timedelta(days=5)),
    )
    future = {"served_on": (TODAY + dt.timedelta(days=2)).isoformat(), "hours": 2, "activity": "X"}
    r = client.post(
        f"/api/v1/volunteers/{v.pk}/hours", future, content_type="application/json", headers=h
    )
    assert r.status_code == 400 and "tương lai" in r.json()["detail"]
    over = {"served_on": TODAY.isoformat(), "hours": 25, "activity": "X"}
    r = client.post(
        f"/api/v1/volunteers/{v.pk}/hours", over, content_type="application/json", headers=h
    )
    assert r.status_code in (400, 422)


def test_out_of_scope_is_404(client, tree, people):
    v = volunteers.volunteer_register(
        actor=actor(people.outsider),
        unit=tree.vinh_linh,
        person=PersonData(full_name="Hồ Văn Quang", birth="1990"),
        data=volunteers.VolunteerData(),
    )
    h = auth(people.hn_officer)
    assert client.get(f"/api/v1/volunteers/{v.pk}", headers=h).status_code == 404
    body = {"served_on": TODAY.isoformat(), "hours": 1, "activity": "X"}
    r = client.post(
        f"/api/v1/volunteers/{v.pk}/hours", body, content_type="application/json", headers=h
    )
    assert r.status_code == 404
    assert (
        client.get("/api/v1/volunteers", {"unit_id": tree.vinh_linh.pk}, headers=h).status_code
        == 404
    )
    assert client.get("/api/v1/volunteers", headers=h).json() == []


def test_staff_list_masks_without_pii_view(client, tree, people):
    staff.staff_add(
        actor=actor(people.hn_officer),
        unit=tree.hoan_kiem,
        person=PersonData(full_name="Lê Thị Thu", birth="1980"),
        data=staff.StaffData(
            position="Chủ tịch",
            employment="full_time",
            basis="elected",
            term_from=dt.date(2026, 1, 1),
            insurance_no="0123456789",
            salary_grade="Chuyên viên 3/9",
        ),
    )
    full = client.get("/api/v1/staff", headers=auth(people.hn_officer)).json()
    assert full[0]["insurance_no"] == "0123456789" and full[0]["salary_grade"] == "Chuyên viên 3/9"
    masked = client.get("/api/v1/staff", headers=auth(people.clerk)).json()
    assert masked[0]["insurance_no"] == "0123****89" and masked[0]["salary_grade"] == "***"
    assert client.get("/api/v1/staff", headers=auth(people.outsider)).json() == []


def test_control_characters_never_reach_the_database(client, tree, people):
    h = auth(people.hn_officer)
    for key in ("kind", "skill", "active", "q"):
        assert client.get("/api/v1/volunteers", {key: "a\x00b"}, headers=h).status_code < 500
    body = {"full_name": "Lê\x00 Văn An", "birth": "1990", "availability": "x\x00y", "rank": "\x00"}
    r = client.post("/api/v1/volunteers", body, content_type="application/json", headers=h)
    assert r.status_code == 201, r.content
    v = Volunteer.objects.select_related("person").get()
    assert v.person.full_name == "Lê Văn An" and v.availability == "xy" and v.rank == ""
