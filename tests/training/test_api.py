"""The training API: courses, participants, results, certificates and the expiring list, through
the same services and scope as the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nhandao.orgs import services as orgs
from nhandao.orgs.models import RoleAssignment
from nhandao.training.models import Participant

from .conftest import first_aid

pytestmark = pytest.mark.django_db


def _headers(user):
    assignment = RoleAssignment.objects.get(user=user)
    _token, raw = orgs.token_create(actor=user, assignment=assignment, name="api")
    return {"Authorization": f"Bearer {raw}"}


def test_a_course_from_enrolment_to_certificate(client, tree, people, course):
    h = _headers(people.clerk)
    r = client.post(
        "/api/v1/training/courses",
        {
            "topic": "first_aid",
            "title": "SCC tổ dân phố",
            "starts_on": "2026-05-04",
            "ends_on": "2026-05-05",
        },
        content_type="application/json",
        headers=h,
    )
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    assert r.json()["certificate_valid_months"] == 24
    r = client.post(
        f"/api/v1/training/courses/{cid}/participants",
        {"person_id": course.hoa.pk},
        content_type="application/json",
        headers=h,
    )
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    r = client.post(
        f"/api/v1/training/participants/{pid}/result",
        {"attended_days": 2, "result": "passed", "score": "7.5"},
        content_type="application/json",
        headers=h,
    )
    assert r.status_code == 200 and r.json()["result"] == "passed"
    r = client.post(
        f"/api/v1/training/participants/{pid}/certificate",
        {"issued_on": "2026-05-05"},
        content_type="application/json",
        headers=h,
    )
    assert r.status_code == 201
    assert r.json()["certificate_expires_on"] == "2028-05-05"
    number = r.json()["certificate_no"]
    found = client.get("/api/v1/training/certificates", {"q": number}, headers=h).json()
    assert [c["id"] for c in found["items"]] == [pid]
    listed = client.get(f"/api/v1/training/courses/{cid}/participants", headers=h).json()
    assert [p["full_name"] for p in listed] == ["Trần Thị Hoa"]


def test_a_number_given_twice_answers_400_with_the_message(client, people, course):
    h = _headers(people.hn_officer)
    ids = []
    for person in (course.hoa, course.minh):
        r = client.post(
            f"/api/v1/training/courses/{course.course.pk}/participants",
            {"person_id": person.pk},
            content_type="application/json",
            headers=h,
        )
        ids.append(r.json()["id"])
        client.post(
            f"/api/v1/training/participants/{ids[-1]}/result",
            {"attended_days": 1, "result": "passed"},
            content_type="application/json",
            headers=h,
        )
    body = {"number": "5/2026/CN-HCTĐ"}
    first = client.post(
        f"/api/v1/training/participants/{ids[0]}/certificate",
        body,
        content_type="application/json",
        headers=h,
    )
    assert first.status_code == 201
    second = client.post(
        f"/api/v1/training/participants/{ids[1]}/certificate",
        body,
        content_type="application/json",
        headers=h,
    )
    assert second.status_code == 400
    assert "không cấp trùng số" in second.json()["detail"]


def test_someone_out_of_scope_cannot_be_enrolled(client, people, tree, course):
    from .conftest import make_person

    stranger = make_person(people.outsider, tree.vinh_linh, "Hồ Văn Tư")
    r = client.post(
        f"/api/v1/training/courses/{course.course.pk}/participants",
        {"person_id": stranger.pk},
        content_type="application/json",
        headers=_headers(people.hn_officer),
    )
    assert r.status_code == 404


def test_the_expiring_list(client, people, tree, course):
    other = first_aid(people.hn_officer, tree.hoan_kiem, title="SCC 2024")
    soon = timezone.localdate() + dt.timedelta(days=15)
    for c, person, expires in (
        (course.course, course.hoa, soon),
        (other, course.minh, soon + dt.timedelta(days=100)),
    ):
        Participant.objects.create(
            course=c,
            person=person,
            unit=tree.hoan_kiem,
            result="passed",
            attended_days=2,
            certificate_no=f"{person.pk}/X",
            certificate_issued_on=dt.date(2026, 3, 3),
            certificate_expires_on=expires,
        )
    r = client.get("/api/v1/training/expiring", {"days": 30}, headers=_headers(people.hn_officer))
    assert [p["full_name"] for p in r.json()["items"]] == ["Trần Thị Hoa"]
    outsider = client.get(
        "/api/v1/training/expiring", {"days": 365}, headers=_headers(people.outsider)
    )
    assert outsider.json()["items"] == []
