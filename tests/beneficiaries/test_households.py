"""Households: made around a head, members added and removed, poverty status with its year."""

from __future__ import annotations

import pytest
from django.urls import reverse

from nhandao.core.models import AuditEvent
from nhandao.people.models import Household, Person
from tests.conftest import actor, login

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


def _household(by, head, **fields):
    from nhandao.people import services

    return services.household_create(actor=actor(by), unit=head.unit, head=head, **fields)


def test_household_merge_moves_members_fills_gaps_and_keeps_the_merged_one(
    client, people, register
):
    from nhandao.people.services import household_merge

    officer = people.hn_officer
    head = register("Nguyễn Văn Hai", birth="1960").person
    wife = register("Lê Thị Ba", birth="1962").person
    copy_head = register("Nguyen Van Hai", birth="1960").person
    child = register("Nguyễn Văn Tư", birth="2001").person
    survivor = _household(officer, head)
    merged = _household(
        officer,
        copy_head,
        code="HN-2025-17",
        poverty_status="poor",
        poverty_year=2025,
        poverty_standard="2022–2025",
    )
    services_add(officer, survivor, wife)
    services_add(officer, merged, child)
    result = household_merge(actor=actor(officer), survivor=survivor, merged=merged)
    assert result.pk == survivor.pk
    survivor.refresh_from_db()
    merged.refresh_from_db()
    # Every member, and every reference to the merged household, now points to the survivor.
    assert set(Person.objects.filter(household=survivor).values_list("pk", flat=True)) == {
        head.pk,
        wife.pk,
        copy_head.pk,
        child.pk,
    }
    assert not Person.objects.filter(household=merged).exists()
    # The survivor keeps its head and takes what it lacked; the poverty status comes whole.
    assert survivor.head_id == head.pk and survivor.code == "HN-2025-17"
    assert (survivor.poverty_status, survivor.poverty_year) == ("poor", 2025)
    assert survivor.poverty_standard == "2022–2025"
    # The merged household stays, marked, still found at its address and in its history.
    assert merged.merged_into_id == survivor.pk and merged.head_id == copy_head.pk
    assert Household.objects.count() == 2
    events = AuditEvent.objects.filter(object_type="people.household", action="merge")
    assert {e.object_id for e in events} == {str(survivor.pk), str(merged.pk)}
    moved = events.get(object_id=str(merged.pk)).changes["references"][1]
    assert moved == {"people.person.household": 2}
    login(client, officer)
    page = client.get(reverse("household_detail", args=[merged.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "đã gộp vào" in html
    assert f'href="{reverse("household_detail", args=[survivor.pk])}"' in html
    assert "Lưu" not in html  # no edit form on a merged household
    survivor_page = client.get(reverse("household_detail", args=[survivor.pk])).content.decode()
    assert "Nguyễn Văn Tư" in survivor_page and "đã gộp vào" not in survivor_page
    assert "Lưu" in survivor_page


def services_add(by, household, person):
    from nhandao.people import services

    return services.household_add_member(actor=actor(by), household=household, person=person)


def test_household_merge_refused_out_of_scope_into_itself_twice_and_edits_after(people, register):
    from nhandao.core.errors import ApplicationError
    from nhandao.people import services

    a = _household(people.hn_officer, register("Nguyễn Văn Hai").person)
    b = _household(people.hn_officer, register("Trần Văn Ba").person)
    with pytest.raises(ApplicationError):  # a Quảng Trị officer cannot edit Hà Nội households
        services.household_merge(actor=actor(people.outsider), survivor=a, merged=b)
    with pytest.raises(ApplicationError):
        services.household_merge(actor=actor(people.hn_officer), survivor=a, merged=a)
    services.household_merge(actor=actor(people.hn_officer), survivor=a, merged=b)
    c = _household(people.hn_officer, register("Lê Văn Năm").person)
    with pytest.raises(ApplicationError):  # b is merged already
        services.household_merge(actor=actor(people.hn_officer), survivor=c, merged=b)
    b.refresh_from_db()
    with pytest.raises(ApplicationError):
        services_add(people.hn_officer, b, register("Phạm Thị Sáu").person)
    with pytest.raises(ApplicationError):
        services.household_update(
            actor=actor(people.hn_officer),
            household=b,
            head=None,
            code="X",
            poverty_status="",
            poverty_year=None,
            poverty_standard="",
        )
    assert Household.objects.get(pk=b.pk).code == ""
    assert not AuditEvent.objects.filter(
        object_type="people.household", action="merge", object_id=str(c.pk)
    ).exists()
