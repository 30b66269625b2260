"""The registry through the API: list/search, read (masked by role), create, update, match."""

from __future__ import annotations

import pytest
from django.test import Client

from nhandao.orgs import services as orgs
from nhandao.orgs.models import RoleAssignment
from nhandao.people.models import Person

pytestmark = pytest.mark.django_db


def _client(user) -> tuple[Client, dict]:
    assignment = RoleAssignment.objects.get(user=user)
    _t, raw = orgs.token_create(actor=user, assignment=assignment, name="api")
    return Client(), {"Authorization": f"Bearer {raw}"}


BODY = {
    "full_name": "Nguyễn Thị Hoa",
    "birth": "05/03/1950",
    "sex": "female",
    "id_number": "001150012345",
    "phone": "0912345678",
    "groups": [{"code": "poor", "year": 2025, "standard": "2022–2025"}],
    "circumstances": "Sống một mình",
}


def test_create_read_update_and_list(people, tree):
    client, headers = _client(people.clerk)
    created = client.post(
        "/api/v1/beneficiaries", BODY, content_type="application/json", headers=headers
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["full_name"] == "Nguyễn Thị Hoa" and data["unit_id"] == tree.hoan_kiem.pk
    assert data["masked"] and data["id_number"] == "0011******45" and data["circumstances"] is None
    officer, officer_headers = _client(people.hn_officer)
    full = officer.get(f"/api/v1/beneficiaries/{data['id']}", headers=officer_headers).json()
    assert full["id_number"] == "001150012345" and full["circumstances"] == "Sống một mình"
    updated = officer.put(
        f"/api/v1/beneficiaries/{data['id']}",
        {**BODY, "full_name": "Nguyễn Thị Hoà"},
        content_type="application/json",
        headers=officer_headers,
    )
    assert updated.status_code == 200 and updated.json()["full_name"] == "Nguyễn Thị Hoà"
    found = officer.get(
        "/api/v1/beneficiaries", {"q": "nguyen thi hoa"}, headers=officer_headers
    ).json()
    assert found["count"] == 1


def test_warnings_must_be_confirmed(people):
    client, headers = _client(people.clerk)
    body = {**BODY, "birth": "1990"}  # the ID says born 1950
    refused = client.post(
        "/api/v1/beneficiaries", body, content_type="application/json", headers=headers
    )
    assert refused.status_code == 409 and refused.json()["warnings"]
    assert not Person.objects.exists()
    accepted = client.post(
        "/api/v1/beneficiaries",
        {**body, "confirm_warnings": True},
        content_type="application/json",
        headers=headers,
    )
    assert accepted.status_code == 201


def test_bad_input_is_a_400_with_a_vietnamese_message(people):
    client, headers = _client(people.clerk)
    response = client.post(
        "/api/v1/beneficiaries",
        {**BODY, "phone": "12345"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 400 and response.json()["field"] == "phone"
    assert not Person.objects.exists()


def test_match_endpoint(people, tree):
    client, headers = _client(people.clerk)
    client.post("/api/v1/beneficiaries", BODY, content_type="application/json", headers=headers)
    result = client.post(
        "/api/v1/people/match",
        {"full_name": "Nguyen Thi Hoa", "birth": "1950"},
        content_type="application/json",
        headers=headers,
    ).json()
    assert result["matches"][0]["full_name"] == "Nguyễn Thị Hoa"
    assert result["outside_scope"] == 0
    other, other_headers = _client(people.outsider)
    elsewhere = other.post(
        "/api/v1/people/match",
        {"full_name": "Nguyễn Thị Hoa", "birth": "1950"},
        content_type="application/json",
        headers=other_headers,
    ).json()
    assert elsewhere["matches"] == [] and elsewhere["outside_scope"] == 1
