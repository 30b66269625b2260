"""Household duplicates: found with the person search, reviewed side by side, merged or
remembered as different."""

from __future__ import annotations

import pytest
from django.urls import reverse

from nhandao.core.errors import ApplicationError
from nhandao.linkage import services
from nhandao.linkage.models import HouseholdPair
from nhandao.people.models import Household, Person
from nhandao.people.services import household_add_member, household_create
from tests.conftest import actor, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def households(register, people, tree):
    officer = actor(people.hn_officer)
    head_a = register("Nguyễn Thị Bé Tư", birth="02/02/1959", id_number="093159002222").person
    head_b = register("NGUYEN THI BE TU", birth="1959").person
    child = register("Lê Văn Con", birth="1990").person
    a = household_create(
        actor=officer, unit=tree.hoan_kiem, head=head_a, poverty_status="poor", poverty_year=2025
    )
    household_add_member(actor=officer, household=a, person=child)
    b = household_create(actor=officer, unit=tree.hoan_kiem, head=head_b, address_detail="Tổ 5")
    c = household_create(actor=officer, unit=tree.hoan_kiem, code="HN-0042")
    d = household_create(actor=officer, unit=tree.ba_dinh, code="HN-0042")
    other = register("Trần Văn Khác", birth="1970").person
    e = household_create(actor=officer, unit=tree.hoan_kiem, head=other)
    return a, b, c, d, e


def _run(user, unit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.linkage_run_start(actor=actor(user), unit=unit)
    run.refresh_from_db()
    return run


def test_households_with_candidate_heads_or_one_code_are_proposed(
    people, tree, households, django_capture_on_commit_callbacks
):
    a, b, c, d, e = households
    run = _run(people.hn_officer, tree.hanoi, django_capture_on_commit_callbacks)
    assert run.status == "done" and run.households_found == 2
    pairs = {(p.a_id, p.b_id): p for p in HouseholdPair.objects.all()}
    heads = pairs[(a.pk, b.pk)]
    assert heads.reasons == ["household:head_pair"] and heads.score > 0.9
    code = pairs[(c.pk, d.pk)]
    assert code.reasons == ["household:code"] and code.score == pytest.approx(0.8)
    assert all(e.pk not in key for key in pairs)
    # The clerk of Hoàn Kiếm does not see Ba Đình's household, hence not that pair.
    again = _run(people.clerk, tree.hoan_kiem, django_capture_on_commit_callbacks)
    assert again.households_found == 0


def test_review_side_by_side_then_merge(
    client, people, tree, households, django_capture_on_commit_callbacks
):
    a, b, *_ = households
    _run(people.hn_officer, tree.hanoi, django_capture_on_commit_callbacks)
    login(client, people.hn_officer)
    listing = client.get(reverse("household_pairs"))
    assert len(listing.context["page"].object_list) == 2
    pair = HouseholdPair.objects.get(a=a, b=b)
    body = client.get(reverse("household_pair_detail", args=[pair.pk])).content.decode()
    assert "Lê Văn Con" in body and "Hộ nghèo 2025" in body and "Tổ 5" in body
    assert "hai chủ hộ nghi là một người" in body
    response = client.post(
        reverse("household_pair_detail", args=[pair.pk]),
        {"decision": "same", "survivor": str(b.pk)},
    )
    assert response.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.merged_into_id == b.pk
    assert b.poverty_status == "poor" and b.poverty_year == 2025  # taken from the merged one
    assert Person.objects.get(full_name="Lê Văn Con").household_id == b.pk
    pair.refresh_from_db()
    assert pair.status == "same" and pair.decided_by_id == people.hn_officer.pk
    with pytest.raises(ApplicationError, match="đã được quyết định"):
        services.household_pair_decide(actor=actor(people.hn_officer), pair=pair, same=False)


def test_different_households_are_never_proposed_again(
    people, tree, households, django_capture_on_commit_callbacks
):
    _a, _b, c, d, _e = households
    _run(people.hn_officer, tree.hanoi, django_capture_on_commit_callbacks)
    pair = HouseholdPair.objects.get(a=c, b=d)
    services.household_pair_decide(actor=actor(people.hn_officer), pair=pair, same=False)
    again = _run(people.hn_officer, tree.hanoi, django_capture_on_commit_callbacks)
    assert again.households_found == 0
    assert HouseholdPair.objects.get(pk=pair.pk).status == "different"
    assert Household.objects.filter(merged_into__isnull=False).count() == 0


def test_same_address_and_near_head_names(
    register, people, tree, django_capture_on_commit_callbacks
):
    from nhandao.geo.models import Ward
    from nhandao.geo.services import geo_load_official

    geo_load_official()
    officer = actor(people.hn_officer)
    ward = Ward.objects.order_by("pk").values_list("pk", flat=True).first()
    x = register("Phạm Văn Long", birth="1960").person
    y = register("Phạm Văn Lòng", birth="1975").person  # another person, the same name folded
    z = register("Đỗ Thị Hoa", birth="1980").person
    h1 = household_create(
        actor=officer, unit=tree.hoan_kiem, head=x, ward_id=ward, address_detail="Số 3, Tổ 5"
    )
    h2 = household_create(
        actor=officer, unit=tree.hoan_kiem, head=y, ward_id=ward, address_detail="số 3, tổ 5"
    )
    household_create(
        actor=officer, unit=tree.hoan_kiem, head=z, ward_id=ward, address_detail="Số 3, Tổ 5"
    )
    _run(people.hn_officer, tree.hanoi, django_capture_on_commit_callbacks)
    pair = HouseholdPair.objects.get()
    assert (pair.a_id, pair.b_id) == (h1.pk, h2.pk)
    assert pair.reasons == ["household:address"] and pair.score == pytest.approx(0.9)


def test_many_household_pairs_decided_at_once_within_scope(
    client, people, tree, households, django_capture_on_commit_callbacks
):
    a, b, c, d, _e = households
    _run(people.hn_officer, tree.hanoi, django_capture_on_commit_callbacks)
    heads = HouseholdPair.objects.get(a=a, b=b)
    code = HouseholdPair.objects.get(a=c, b=d)
    # Another province's officer cannot decide Hà Nội's pairs by posting their ids.
    login(client, people.outsider)
    client.post(
        reverse("household_pairs_bulk"),
        {"pair": [str(heads.pk), str(code.pk)], "decision": "different"},
    )
    assert set(HouseholdPair.objects.values_list("status", flat=True)) == {"open"}
    login(client, people.hn_officer)
    response = client.post(
        reverse("household_pairs_bulk"),
        {"pair": [str(heads.pk), str(code.pk)], "decision": "different"},
    )
    assert response.status_code == 302 and response.url == reverse("household_pairs")
    assert set(HouseholdPair.objects.values_list("status", flat=True)) == {"different"}
    assert Household.objects.filter(merged_into__isnull=False).count() == 0
    listing = client.get(reverse("household_pairs")).content.decode()
    assert "Không có cặp hộ nào chờ quyết định" in listing


def test_bulk_same_merges_each_household_pair(
    client, people, tree, households, django_capture_on_commit_callbacks
):
    a, b, *_ = households
    _run(people.hn_officer, tree.hanoi, django_capture_on_commit_callbacks)
    pair = HouseholdPair.objects.get(a=a, b=b)
    login(client, people.hn_officer)
    client.post(reverse("household_pairs_bulk"), {"pair": [str(pair.pk)], "decision": "same"})
    pair.refresh_from_db()
    b.refresh_from_db()
    assert pair.status == "same" and b.merged_into_id == a.pk
