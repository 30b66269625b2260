"""Batch duplicate search, review side by side, merge with every reference repointed, and
"different people" remembered."""

from __future__ import annotations

import csv
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from nhandao.beneficiaries.models import Beneficiary
from nhandao.core.errors import ApplicationError
from nhandao.linkage import services
from nhandao.linkage.models import CandidatePair, LinkageRun
from nhandao.people.models import Household, Person
from nhandao.people.services import household_create
from tests.conftest import actor, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins(register, tree):
    a = register(
        "Nguyễn Thị Bé Tư",
        birth="02/02/1959",
        id_number="093159002222",
        groups=["near_poor"],
        circumstances="Chồng mất",
    )
    b = register("NGUYEN THI BE TU", birth="1959", groups=["disabled"])
    c = register("Trần Văn Hùng", birth="1965")
    d = register("Tran Van Hung", birth="1965", unit=tree.ba_dinh)
    register("Lê Văn Khác", birth="1990")
    return a.person, b.person, c.person, d.person


def _run(user, unit, django_capture_on_commit_callbacks) -> LinkageRun:
    with django_capture_on_commit_callbacks(execute=True):
        run = services.linkage_run_start(actor=actor(user), unit=unit)
    run.refresh_from_db()
    return run


def test_a_run_finds_the_pairs_of_its_scope(
    people, tree, twins, django_capture_on_commit_callbacks
):
    clerk_run = _run(people.clerk, tree.hoan_kiem, django_capture_on_commit_callbacks)
    assert clerk_run.pairs_found == 1  # Ba Đình is outside the clerk's scope
    run = _run(people.hn_officer, tree.hanoi, django_capture_on_commit_callbacks)
    assert run.status == "done" and run.progress == 100
    assert run.records == 5 and run.pairs_found == 1  # the clerk's pair is not proposed twice
    pairs = {(p.a.full_name, p.b.full_name) for p in CandidatePair.objects.all()}
    assert ("Nguyễn Thị Bé Tư", "Nguyen Thi Be Tu") in pairs
    assert ("Trần Văn Hùng", "Tran Van Hung") in pairs  # across two communes of Hà Nội
    assert all("Khác" not in a and "Khác" not in b for a, b in pairs)


def test_same_person_merges_and_every_reference_follows(
    people, tree, twins, django_capture_on_commit_callbacks
):
    a, b, _c, _d = twins
    household = household_create(
        actor=actor(people.hn_officer),
        unit=tree.hoan_kiem,
        head=b,
        poverty_status="near_poor",
        poverty_year=2025,
    )
    _run(people.hn_officer, tree.hanoi, django_capture_on_commit_callbacks)
    pair = CandidatePair.objects.get(a=a, b=b)
    services.pair_decide(actor=actor(people.hn_officer), pair=pair, same=True)
    b.refresh_from_db()
    a.refresh_from_db()
    assert b.merged_into_id == a.pk
    assert Household.objects.get(pk=household.pk).head_id == a.pk
    assert a.household_id == household.pk  # filled from the merged record
    groups = set(a.beneficiary.memberships.values_list("group_id", flat=True))
    assert groups == {"near_poor", "disabled"}
    assert not Beneficiary.objects.filter(person=b).exists()
    # still found by search, showing what it was merged into
    found = Person.objects.filter(name_key="nguyen thi be tu")
    assert {p.pk for p in found} == {a.pk, b.pk}


def test_different_people_are_never_proposed_again(
    people, tree, twins, django_capture_on_commit_callbacks
):
    _run(people.hn_officer, tree.hanoi, django_capture_on_commit_callbacks)
    pair = CandidatePair.objects.get(a__full_name="Trần Văn Hùng")
    services.pair_decide(actor=actor(people.hn_officer), pair=pair, same=False)
    again = _run(people.hn_officer, tree.hanoi, django_capture_on_commit_callbacks)
    assert again.pairs_found == 0
    with pytest.raises(ApplicationError, match="đã được quyết định"):
        services.pair_decide(actor=actor(people.hn_officer), pair=pair, same=True)


def test_review_pages_and_bulk_decision(
    client, people, tree, twins, django_capture_on_commit_callbacks
):
    login(client, people.hn_officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("linkage_home"))
    page = client.get(reverse("linkage_home"))
    pairs = list(page.context["page"].object_list)
    assert len(pairs) == 2
    side = client.get(reverse("pair_detail", args=[pairs[0].pk])).content.decode()
    assert "table-success" in side  # fields that agree are marked
    client.post(reverse("pairs_bulk"), {"pair": [p.pk for p in pairs], "decision": "different"})
    assert CandidatePair.objects.filter(status="different").count() == 2
    assert list(client.get(reverse("linkage_home")).context["page"].object_list) == []


def test_data_entry_sees_masked_ids_side_by_side(
    client, people, tree, twins, django_capture_on_commit_callbacks
):
    _run(people.clerk, tree.hoan_kiem, django_capture_on_commit_callbacks)
    login(client, people.clerk)
    pair = CandidatePair.objects.get()
    body = client.get(reverse("pair_detail", args=[pair.pk])).content.decode()
    assert "093159002222" not in body and "0931******22" in body


def test_find_duplicates_command_writes_pairs_csv(tree, twins, tmp_path):
    tree.hanoi.short_code = "HN"
    tree.hanoi.save()
    out = tmp_path / "pairs.csv"
    call_command("find_duplicates", "--unit", "HN", "--out", str(out), stdout=StringIO())
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert len(rows) == 2 and float(rows[0]["probability"]) >= 0.5
    assert {"person_a", "person_b", "ref_a", "ref_b"} <= set(rows[0])


def test_merged_record_is_still_found_and_shown_on_the_survivor(
    client, people, tree, register, django_capture_on_commit_callbacks
):
    a = register("Đặng Văn Sáu", birth="1950").person
    b = register("Dang Van Sau", birth="03/04/1950", id_number="001050012345").person
    b.source_ref = "HN-NGHEO-0042"
    b.save(update_fields=["source_ref"])
    _run(people.hn_officer, tree.hanoi, django_capture_on_commit_callbacks)
    pair = CandidatePair.objects.get(a=a, b=b)
    services.pair_decide(actor=actor(people.hn_officer), pair=pair, same=True, survivor_id=a.pk)
    survivor = Beneficiary.objects.get(person=a)
    # The merged record's own ID and its list code still lead to the survivor.
    for query in ("001050012345", "HN-NGHEO-0042"):
        login(client, people.hn_officer)
        listing = client.get(reverse("beneficiary_list"), {"q": query})
        found = [row.pk for row in listing.context["page"].object_list]
        assert found == [survivor.pk], query
    page = client.get(reverse("beneficiary_detail", args=[survivor.pk])).content.decode()
    assert "Hồ sơ đã gộp vào hồ sơ này" in page and "HN-NGHEO-0042" in page
    assert "001050012345" in page
    login(client, people.clerk)
    masked = client.get(reverse("beneficiary_detail", args=[survivor.pk])).content.decode()
    assert "Dang Van Sau" in masked and "001050012345" not in masked


def test_names_that_read_the_same_without_diacritics_agree_side_by_side(
    client, people, tree, twins, django_capture_on_commit_callbacks
):
    """Names "Nguyễn Thị Bé Tư" and "NGUYEN THI BE TU" agree, as the evidence line says ("trùng họ
    tên"): the name row is not marked as differing; the page leads back to the list."""
    _run(people.clerk, tree.hoan_kiem, django_capture_on_commit_callbacks)
    login(client, people.clerk)
    pair = CandidatePair.objects.get()
    body = client.get(reverse("pair_detail", args=[pair.pk])).content.decode()
    assert '<tr class="table-success"><th class="small">Họ và tên</th>' in body
    assert f'href="{reverse("linkage_home")}"' in body
