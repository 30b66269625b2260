"""Training pages and API read people's training records only for roles that read business data:
choosing a unit with ``?unit=`` does not skip the check, and the API answers 403 without it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from nhandao.orgs import services as orgs
from nhandao.orgs.models import RoleAssignment
from nhandao.training import services
from nhandao.training.models import Participant
from tests.conftest import actor, login, make_user

from .conftest import passed

pytestmark = pytest.mark.django_db

PAGES = ("training_home", "training_stats", "training_expiring", "training_expiring_export")


def _certified(course, people):
    """Hoa passed the course; her certificate expires in 20 days."""
    p = passed(people.hn_officer, course.course, course.hoa)
    services.certificate_issue(actor=actor(people.hn_officer), participant=p)
    soon = timezone.localdate() + dt.timedelta(days=20)
    Participant.objects.filter(pk=p.pk).update(certificate_expires_on=soon)
    p.refresh_from_db()
    return p


def _headers(user) -> dict[str, str]:
    assignment = RoleAssignment.objects.get(user=user)
    _token, raw = orgs.token_create(actor=user, assignment=assignment, name="api")
    return {"Authorization": f"Bearer {raw}"}


def test_choosing_a_unit_does_not_open_the_pages_to_a_partner(client, course, tree, people):
    _certified(course, people)
    agency = make_user("mttq", tree.hanoi, "partner", "Ủy ban MTTQ Hà Nội")
    login(client, agency)
    for name in PAGES:
        for unit in (tree.hanoi, tree.hoan_kiem):
            response = client.get(reverse(name), {"unit": unit.pk, "days": 30})
            assert response.status_code == 403, (name, unit)
        assert client.get(reverse(name)).status_code == 403, name
    # A viewer still reads them for a unit of its scope.
    viewer = make_user("xem", tree.hanoi, "viewer", "Phan Văn Xem")
    login(client, viewer)
    page = client.get(reverse("training_expiring"), {"unit": tree.hoan_kiem.pk, "days": 30})
    assert page.status_code == 200 and "Trần Thị Hoa" in page.content.decode()


def test_the_api_answers_403_to_a_role_without_data_view(client, course, tree, people):
    p = _certified(course, people)
    c = course.course.pk
    reads = (
        "/api/v1/training/courses",
        f"/api/v1/training/courses/{c}",
        f"/api/v1/training/courses/{c}/participants",
        "/api/v1/training/certificates?q=Hoa",
        "/api/v1/training/expiring?days=30",
    )
    for role in ("partner", "partner_org"):
        h = _headers(make_user(f"pt_{role}", tree.hanoi, role, "Đối Tác"))
        for url in reads:
            r = client.get(url, headers=h)
            assert r.status_code == 403, (role, url)
            assert "Trần Thị Hoa" not in r.content.decode()
            assert p.certificate_no not in r.content.decode()
    # A viewer reads them.
    h = _headers(make_user("xem", tree.hanoi, "viewer", "Phan Văn Xem"))
    r = client.get(f"/api/v1/training/courses/{c}/participants", headers=h)
    assert r.status_code == 200 and r.json()[0]["person_id"] == course.hoa.pk
