"""Households: made around a head, members added and removed, poverty status with its year."""

from __future__ import annotations

import pytest
from django.urls import reverse

from nhandao.core.models import AuditEvent
from nhandao.people.models import Household, Person
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_household_made_from_a_beneficiary_page_with_members(client, people, register):
    head = register("Nguyễn Văn Hai", birth="1960", address_detail="Tổ dân phố số 2").person
    wife = register("Lê Thị Ba", birth="1962").person
    login(client, people.hn_officer)
    response = client.post(
        reverse("household_create", args=[head.pk]),
        {
            "code": "HN-2025-17",
            "poverty_status": "poor",
            "poverty_year": "2025",
            "poverty_standard": "2022–2025",
        },
    )
    household = Household.objects.get()
    assert response.url == reverse("household_detail", args=[household.pk])
    assert household.head_id == head.pk and household.poverty_year == 2025
    assert household.address_detail == "Tổ dân phố số 2"
    found = client.get(reverse("household_detail", args=[household.pk]), {"q": "le thi ba"})
    assert [c.full_name for c in found.context["candidates"]] == ["Lê Thị Ba"]
    client.post(reverse("household_member", args=[household.pk]), {"person": wife.pk})
    assert Person.objects.get(pk=wife.pk).household_id == household.pk
    page = client.get(reverse("household_detail", args=[household.pk])).content.decode()
    assert "Lê Thị Ba" in page and "chủ hộ" in page
    client.post(
        reverse("household_member", args=[household.pk]), {"person": head.pk, "action": "remove"}
    )
    assert Person.objects.get(pk=head.pk).household_id == household.pk  # the head stays
    assert (
        AuditEvent.objects.filter(
            object_type="people.person", changes__has_key="household_id"
        ).count()
        >= 1
    )


def test_poverty_status_needs_a_year(client, people, register):
    head = register("Nguyễn Văn Hai").person
    login(client, people.hn_officer)
    client.post(reverse("household_create", args=[head.pk]), {"poverty_status": "near_poor"})
    assert not Household.objects.exists()
